package jobs

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
)

// recoverJob completes a job taken over from a replica that stopped (or from this process's
// predecessor):
//
//   - a batch with a recorded order id is polled to its end;
//   - a batch never attempted (no create attempt recorded) is sent;
//   - a batch whose create was attempted without its order id being recorded may or may not
//     exist at Bandwidth, and an attempt of the previous owner may even still be creating it.
//     It is looked up by its CustomerOrderId until no earlier attempt can still create an order
//     (the last attempt's recorded bound, plus the time an order takes to become visible), and
//     sent again only when Bandwidth still has no order of that id. An order of that id holding
//     other numbers (a customer order id reused across jobs) is not this batch's: its numbers
//     are reported with an unknown outcome rather than risk sending them twice;
//   - received numbers never put in a batch were not submitted.
//
// The job then ends in its natural state when its input was complete (MarkInputClosed) and
// ABORTED (reason JOB_INTERRUPTED) otherwise, with the numbers not submitted listed (those never
// batched and those of batches Bandwidth never got). A shutdown that cuts the recovery short,
// or a lease lost meanwhile, hands the job over again, for the next owner. h is this replica's
// hold on the job, taken when it was claimed.
func (e *Engine) recoverJob(ctx context.Context, lj ledger.Job, h *hold) {
	p, ok := e.readPending(ctx, lj.ID, h)
	if !ok {
		e.holds.remove(lj.ID)
		return
	}
	pw := p.work
	j := e.newJob(lj.ID, lj.Generation, e.ctx, Params{
		AccountID: lj.AccountID, Action: lj.Action, CustomerOrderID: lj.CustomerOrderID, RequestID: lj.RequestID, ValidateOnly: lj.ValidateOnly,
	}, h)
	j.recovered, j.inputEnded = true, lj.InputClosed
	j.counts = ledger.RecordedCounts(p.batches, p.rejected, len(pw.Unbatched))
	// Unsent batches are counted as not submitted by ledger.RecordedCounts: only list their numbers.
	j.notSubmitted = slices.Clone(pw.Unsent)
	j.addNotSubmitted(slices.Clone(pw.Unbatched))
	j.log.Info("recovering job", "pending_batches", len(pw.Batches), "unbatched", len(pw.Unbatched), "unsent", len(pw.Unsent),
		"input_closed", lj.InputClosed)

	for _, pb := range pw.Batches {
		b := &batch{seq: pb.Seq, customerOrderID: pb.CustomerOrderID, numbers: pb.Numbers}
		if err := j.acquire(); err != nil {
			if errors.Is(err, ErrShuttingDown) || j.handedOver() {
				j.handOver(ErrShuttingDown) // no-op when already handed over
				break
			}
			// The job cannot go on (credentials, throttling, outage): whether the batch exists
			// at Bandwidth is not known.
			j.report(b, unknownSettlement(b, pb.OrderID, "the job stopped before the order could be looked up"))
			continue
		}
		if !e.work.tryStart() {
			j.release()
			j.handOver(ErrShuttingDown)
			break
		}
		j.settling.Add(1)
		e.obs.ordersInFlight(1)
		go j.resumeBatch(b, pb, p.readAt)
	}
	j.settling.Wait()
	j.mu.Lock()
	if j.handedOverBy == nil && errors.Is(j.stopErr, ErrShuttingDown) {
		j.stopErr = nil // every batch was dealt with: the shutdown cut nothing short
	}
	j.mu.Unlock()
	_ = j.finish() // leaves the job to the next owner when it was handed over
}

// resumeBatch completes one pending batch of a recovered job, read from the ledger at readAt.
func (j *Job) resumeBatch(b *batch, pb ledger.PendingBatch, readAt time.Time) {
	defer j.orderDone()
	switch {
	case pb.OrderID != "":
		j.track(b, &bandwidth.OrderResponse{OrderID: pb.OrderID, Status: bandwidth.StatusReceived})
		return
	case !pb.CreateAttempted:
		j.log.Info("sending a recorded batch never sent", "seq", b.seq)
		j.submit(b)
		return
	}
	// An earlier attempt may still create the order until its bound; the order then takes up
	// to the lookup window to show.
	horizon := readAt.Add(pb.CreateWait + j.e.up.CreateLookupWindow())
	found, err := j.lookupUntil(b, horizon)
	switch {
	case err == nil && sameBatch(found, b, j.action):
		j.log.Info("found the order of a batch whose creation was not recorded", "seq", b.seq, "order_id", found.OrderID)
		j.track(b, found)
	case err == nil:
		j.log.Warn("an order with the batch's CustomerOrderId holds other numbers", "seq", b.seq, "order_id", found.OrderID)
		j.report(b, unknownSettlement(b, "", "an order with this CustomerOrderId exists but does not hold these numbers"))
	case errors.Is(err, bandwidth.ErrNotFound):
		j.log.Info("Bandwidth has no order for a recorded batch and no earlier attempt can create one now; sending it", "seq", b.seq)
		j.submit(b)
	case j.cutShort():
	default:
		j.log.Warn("looking up a batch's order failed", "seq", b.seq, "err", err)
		j.report(b, unknownSettlement(b, "", "looking the order up by CustomerOrderId failed"))
	}
}

// lookupUntil looks the batch's order up by CustomerOrderId until it is found or horizon has
// passed (a last lookup is made then), backing off between lookups. It returns an error
// matching bandwidth.ErrNotFound when Bandwidth has no such order after the horizon.
func (j *Job) lookupUntil(b *batch, horizon time.Time) (*bandwidth.OrderResponse, error) {
	wait := lookupFirstWait
	for {
		found, err := j.e.up.FindOrder(j.ctx, j.params.AccountID, b.customerOrderID)
		if err == nil || !errors.Is(err, bandwidth.ErrNotFound) {
			return found, err
		}
		left := time.Until(horizon)
		if left <= 0 {
			return nil, err
		}
		j.log.Debug("the order of a batch whose create was attempted is not listed yet; looking again", "seq", b.seq, "left", left)
		t := time.NewTimer(min(wait, left))
		select {
		case <-j.ctx.Done():
			t.Stop()
			return nil, j.ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, lookupMaxWait)
	}
}

// Waits between lookups of a batch's order during recovery.
const (
	lookupFirstWait = 500 * time.Millisecond
	lookupMaxWait   = 4 * time.Second
)

// sameBatch reports whether an order found by CustomerOrderId is b's: same action and, when
// Bandwidth echoes them, the same numbers.
func sameBatch(o *bandwidth.OrderResponse, b *batch, action bandwidth.Action) bool {
	if o.Order.Action != "" && o.Order.Action != action {
		return false
	}
	if len(o.Order.TelephoneNumbers) == 0 {
		return o.TotalQuantity == 0 || o.TotalQuantity == len(b.numbers)
	}
	if len(o.Order.TelephoneNumbers) != len(b.numbers) {
		return false
	}
	want := make(map[string]struct{}, len(b.numbers))
	for _, n := range b.numbers {
		want[n] = struct{}{}
	}
	for _, n := range o.Order.TelephoneNumbers {
		if _, ok := want[n]; !ok {
			return false
		}
	}
	return true
}
