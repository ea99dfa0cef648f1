package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/tn"
)

// settleWriteTimeout bounds a ledger write made after the engine's context ended, so that a
// forced shutdown still records what it can.
const settleWriteTimeout = 5 * time.Second

// settle drives one dispatched batch to its end: record it, create the order, poll it until
// final, record and report the outcome. It runs under the job's context, which lives as long as
// the engine, so an order whose caller went away still settles and is recorded.
func (j *Job) settle(b *batch) {
	defer j.orderDone()
	recorded := j.recordBatch(b)
	j.recording.Done()
	if recorded {
		j.submit(b)
	}
}

// orderDone releases what dispatch took for one order.
func (j *Job) orderDone() {
	j.e.obs.ordersInFlight(-1)
	j.release()
	j.e.work.add(-1)
	j.settling.Done()
}

// recordBatch records b before it is sent. It reports false, with b's numbers counted as not
// submitted, when b must not be sent.
func (j *Job) recordBatch(b *batch) bool {
	if j.ctx.Err() != nil || !j.mayRecord() {
		// The engine gave up waiting, or the job is no longer surely this replica's: send
		// nothing more. The numbers are recorded as received only: not submitted, for whoever
		// finishes the job.
		j.stop(ErrShuttingDown)
		j.addNotSubmitted(b.numbers)
		return false
	}
	err := j.e.writes.RecordBatch(j.ctx, j.fence, ledger.Batch{Seq: b.seq, CustomerOrderID: b.customerOrderID, Numbers: b.numbers})
	if err != nil {
		j.writeFailed("record batch", err)
		j.addNotSubmitted(b.numbers)
		return false
	}
	return true
}

// submit creates the order of a recorded batch and follows it to its end. A job no longer
// surely this replica's sends nothing: the batch is left to the next owner, which looks it up by
// CustomerOrderId before sending it.
func (j *Job) submit(b *batch) {
	if !j.mayRecord() {
		return
	}
	order := bandwidth.Order{CustomerOrderID: b.customerOrderID, Action: j.action, TelephoneNumbers: b.numbers}
	resp, err := j.e.up.CreateOrder(j.ctx, j.params.AccountID, order, bandwidth.BeforeEachAttempt(
		func(ctx context.Context, bound time.Duration) error { return j.recordAttempt(ctx, b, bound) }))
	if err != nil {
		j.createFailed(b, err)
		return
	}
	j.track(b, resp)
}

// recordAttempt records, before an attempt to create b's order is sent, that the attempt may
// create the order until bound has passed: a replica that takes the job over looks the order up
// until then before it ever sends the batch again. A job no longer surely this replica's sends
// nothing; neither does one whose record failed.
func (j *Job) recordAttempt(ctx context.Context, b *batch, bound time.Duration) error {
	if !j.mayRecord() {
		return ErrLeaseLost
	}
	if err := j.e.writes.RecordCreateAttempt(ctx, j.fence, b.seq, bound); err != nil {
		return &attemptNotRecorded{err: err}
	}
	return nil
}

// attemptNotRecorded is a create attempt left unsent because the ledger did not record it.
type attemptNotRecorded struct{ err error }

func (e *attemptNotRecorded) Error() string { return "recording the create attempt: " + e.err.Error() }

func (e *attemptNotRecorded) Unwrap() error { return e.err }

// track follows a created order to its end: record its id (as soon as it is known: with the
// outcome when the order is final at creation), poll it until final, record and report the
// outcome. The id is recorded even for a job handed over: it lets the next owner poll the order
// instead of looking it up. An order whose polling is cut short is left unsettled for the next
// owner.
func (j *Job) track(b *batch, resp *bandwidth.OrderResponse) {
	ctx := j.ctx
	// An order final at creation is settled now: its outcome records its id in the same write.
	settlesNow := resp.Status.Final() && j.mayRecord()
	if resp.OrderID != "" && !settlesNow {
		err := writeLedger(ctx, func(ctx context.Context) error { return j.e.writes.RecordOrderID(ctx, j.fence, b.seq, resp.OrderID) })
		if err != nil && !j.handedOver() {
			j.writeFailed("record order id", err)
		}
	}
	j.log.Debug("order created", "seq", b.seq, "order_id", resp.OrderID, "status", resp.Status)
	if !resp.Status.Final() {
		if resp.OrderID == "" {
			j.log.Warn("Bandwidth accepted an order without an id", "seq", b.seq)
			j.report(b, unknownSettlement(b, "", "Bandwidth accepted the order without naming it"))
			return
		}
		final, err := j.e.up.AwaitOrder(ctx, j.params.AccountID, resp.OrderID)
		if err != nil && j.cutShort() {
			return
		}
		if err != nil {
			j.log.Warn("polling an order failed", "seq", b.seq, "order_id", resp.OrderID, "err", err)
			if isFatalUpstream(err) {
				j.stop(err)
			}
			j.report(b, unknownSettlement(b, resp.OrderID, "polling the order failed"))
			return
		}
		resp = final
	}
	j.report(b, settlementOf(b, resp))
}

// createFailed handles a CreateOrder error. Errors that rule out any later order (credentials,
// throttling or an outage past the retry budget) stop the job; the order was not created, so its
// numbers are not submitted. A request-level refusal of this order fails its numbers and the job
// goes on. Anything else may have created the order: its numbers are reported failed with an
// unknown outcome, never as not submitted, so that the caller looks before resending them.
func (j *Job) createFailed(b *batch, err error) {
	var apiErr *bandwidth.APIError
	var notRecorded *attemptNotRecorded
	switch {
	case j.cutShort():
		// The order may or may not exist: the batch stays recorded without an order id, and the
		// next owner looks it up by CustomerOrderId before it sends it.
	case errors.Is(err, ErrLeaseLost) || errors.Is(err, ledger.ErrNotOwner) || errors.Is(err, ledger.ErrJobFinished):
		// Another replica owns the job now: the batch is its to settle, its attempts recorded.
		j.writeFailed("record create attempt", err)
	case errors.As(err, &notRecorded) && !errors.Is(err, bandwidth.ErrOutcomeUnknown):
		// Nothing was sent: the ledger failed first.
		j.stop(storeFailure("record create attempt", notRecorded.err))
		j.unsent(b)
	case errors.Is(err, bandwidth.ErrMisconfigured) && !errors.Is(err, bandwidth.ErrOutcomeUnknown):
		// Nothing was created: the URL does not exist. One log line for the job (see stop).
		j.stop(err)
		j.unsent(b)
	case errors.Is(err, bandwidth.ErrOutcomeUnknown):
		j.log.Warn("order creation outcome unknown", "seq", b.seq, "customer_order_id", b.customerOrderID, "err", err)
		if isFatalUpstream(err) {
			j.stop(err)
		}
		j.report(b, unknownSettlement(b, "", "Bandwidth did not confirm whether it created the order"))
	case isFatalUpstream(err):
		j.log.Warn("Bandwidth refused an order; stopping the job", "seq", b.seq, "err", err)
		j.stop(err)
		j.unsent(b)
	case errors.As(err, &apiErr) && apiErr.HTTPStatus >= 400 && apiErr.HTTPStatus < 500:
		j.log.Warn("Bandwidth rejected an order", "seq", b.seq, "http_status", apiErr.HTTPStatus, "code", apiErr.Code)
		j.report(b, ledger.Settlement{Status: ledger.StatusFailed, Errors: []ledger.NumberError{{
			Code: apiErr.Code, Description: apiErr.Description, Numbers: b.numbers,
		}}})
	case errors.Is(err, bandwidth.ErrInvalidOrder):
		// Numbers are validated before batching: an order the client refuses is our defect.
		j.log.Error("the Bandwidth client refused an order", "seq", b.seq, "err", err)
		j.stop(fmt.Errorf("jobs: batch %d refused by the client: %w", b.seq, err))
		j.unsent(b)
	default:
		j.log.Warn("order creation failed; outcome unknown", "seq", b.seq, "customer_order_id", b.customerOrderID, "err", err)
		j.report(b, unknownSettlement(b, "", "Bandwidth did not confirm whether it created the order"))
	}
}

// unsent records that a recorded batch was never created: its numbers are not submitted.
func (j *Job) unsent(b *batch) {
	if !j.mayRecord() {
		return
	}
	err := writeLedger(j.ctx, func(ctx context.Context) error { return j.e.writes.RecordBatchUnsent(ctx, j.fence, b.seq) })
	if err != nil {
		j.outcomeNotRecorded("record batch unsent", b, err)
		return
	}
	j.addNotSubmitted(b.numbers)
}

// outcomeNotRecorded hands the job over after the ledger did not take a batch's outcome: the
// outcome is neither counted nor reported, since what the job reports must be what the ledger
// holds, and the job cannot finish with a batch the ledger shows unsettled. The next owner (this
// replica too, once the job's lease has ended) settles the batch from the ledger: it polls the
// order, or looks it up, to its end.
func (j *Job) outcomeNotRecorded(op string, b *batch, err error) {
	j.writeFailed(op, err)
	if !j.handedOver() {
		j.log.Error("the ledger did not record a batch's outcome; handing the job over", "op", op, "seq", b.seq, "err", err)
		j.handOver(ErrLedgerFailed)
	}
}

// report records a settled batch, counts it and sends its OrderSettled event. A job handed over
// records and reports nothing more: the next owner settles the batch.
func (j *Job) report(b *batch, s ledger.Settlement) {
	if !j.mayRecord() {
		return
	}
	err := writeLedger(j.ctx, func(ctx context.Context) error { return j.e.writes.RecordSettlement(ctx, j.fence, b.seq, s) })
	if err != nil {
		j.outcomeNotRecorded("record settlement", b, err)
		return
	}
	failed := 0
	for _, e := range s.Errors {
		failed += len(e.Numbers)
	}
	j.mu.Lock()
	j.counts.Succeeded += int64(len(s.Succeeded))
	j.counts.Failed += int64(failed)
	j.mu.Unlock()
	j.e.obs.numbersSettled(j.actionName, "succeeded", len(s.Succeeded))
	j.e.obs.numbersSettled(j.actionName, "failed", failed)
	j.e.obs.orderSettled(j.actionName, lowerStatus(s.Status))
	j.emit(OrderSettled{CustomerOrderID: b.customerOrderID, Settlement: s})
}

// settlementOf maps a final order to the batch's outcome. Every number of the batch lands exactly
// once: in the first error that names it, or else in Succeeded. Numbers Bandwidth names that are
// not in the batch are ignored. A FAILED order that leaves numbers unnamed fails them with code 0.
func settlementOf(b *batch, resp *bandwidth.OrderResponse) ledger.Settlement {
	s := ledger.Settlement{OrderID: resp.OrderID, Status: ledger.OrderStatus(resp.Status)}
	if len(resp.Errors) == 0 && resp.Status != bandwidth.StatusFailed {
		s.Succeeded = b.numbers
		return s
	}
	index := make(map[string]int, len(b.numbers))
	for i, n := range b.numbers {
		index[n] = i
	}
	failed := make([]bool, len(b.numbers))
	for _, e := range resp.Errors {
		var nums []string
		for _, raw := range e.TelephoneNumbers {
			i, ok := index[raw]
			if !ok {
				t, err := tn.Parse(raw)
				if err != nil {
					continue
				}
				if i, ok = index[t.String()]; !ok {
					continue
				}
			}
			if !failed[i] {
				failed[i] = true
				nums = append(nums, b.numbers[i])
			}
		}
		if len(nums) > 0 {
			s.Errors = append(s.Errors, ledger.NumberError{Code: e.Code, Description: e.Description, Numbers: nums})
		}
	}
	var rest []string
	for i, n := range b.numbers {
		if !failed[i] {
			rest = append(rest, n)
		}
	}
	if resp.Status == bandwidth.StatusFailed && len(rest) > 0 {
		s.Errors = append(s.Errors, ledger.NumberError{Description: "Bandwidth reported the order FAILED without an error for these numbers", Numbers: rest})
	} else {
		s.Succeeded = rest
	}
	return s
}

// unknownSettlement reports a batch whose order may or may not exist at Bandwidth: all its
// numbers fail with code 0 and a description naming the ids to look the order up by.
func unknownSettlement(b *batch, orderID, why string) ledger.Settlement {
	desc := fmt.Sprintf("outcome unknown: %s; Bandwidth may have processed these numbers: look up CustomerOrderId %q", why, b.customerOrderID)
	if orderID != "" {
		desc += fmt.Sprintf(" (OrderId %s)", orderID)
	}
	desc += " before sending them again"
	return ledger.Settlement{OrderID: orderID, Status: ledger.StatusFailed, Errors: []ledger.NumberError{{Description: desc, Numbers: b.numbers}}}
}

// writeLedger runs a ledger write under ctx, or, once ctx has ended, under a fresh context bounded
// by settleWriteTimeout: an order that settled or was abandoned is recorded even during a forced
// shutdown.
func writeLedger(ctx context.Context, write func(context.Context) error) error {
	if ctx.Err() == nil {
		return write(ctx)
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), settleWriteTimeout)
	defer cancel()
	return write(wctx)
}

// lowerStatus is an order status as Observer.OrderSettled reports it.
func lowerStatus(s ledger.OrderStatus) string {
	switch s {
	case ledger.StatusComplete:
		return "complete"
	case ledger.StatusPartial:
		return "partial"
	}
	return "failed"
}
