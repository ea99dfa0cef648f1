package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/tn"
)

// Job is one running job in this process: its numbers, batches, orders and counts. The
// engine creates it (Start, StartBackground, recovery); Run feeds it its input.
type Job struct {
	e      *Engine
	id     string
	params Params
	action bandwidth.Action
	// actionName is "assign" or "unassign", for metrics and logs.
	actionName string
	log        *slog.Logger
	events     *sender // nil for a job without a caller
	seen       numberSet
	batches    *batcher // nil for a dry run
	slots      chan struct{}
	valid      []tn.Number // scratch for one message's valid numbers

	// ctx is where orders settle: the engine's lifetime, not the caller's. It ends early
	// (cancelOrders) when the job is handed over.
	ctx          context.Context
	cancelOrders context.CancelFunc
	// hold is this replica's lease on the job; fence names it in every ledger write, so that
	// the ledger refuses them once another replica has claimed the job.
	hold  *hold
	fence ledger.Fence
	// intake ends when the job must stop taking numbers: the caller went away, a fatal error, a
	// shutdown. Its cause says which.
	intake     context.Context
	stopIntake context.CancelCauseFunc
	unhook     func() bool

	settling sync.WaitGroup
	// recording counts dispatched batches not yet recorded in the ledger (or given up).
	recording sync.WaitGroup
	// inputEnded is set when the job's input ended normally: the caller half-closed, or a
	// background job's numbers were all taken.
	inputEnded bool
	// recovered marks a job taken over from a process that died: it has no input and no caller.
	recovered bool

	mu     sync.Mutex
	counts ledger.Counts
	// read counts the numbers of the input's messages taken whole: every number of them is in
	// the ledger. A caller whose job is handed over is told it, to send the rest again.
	read         int64
	notSubmitted []string
	// stopErr is why the job stopped early; nil when it ran to its end.
	stopErr error
	// handedOverBy is why this process stopped working on the job without finishing it (see
	// handOver); nil while it works on it.
	handedOverBy error
}

// ID returns the job's id.
func (j *Job) ID() string { return j.id }

// start records a new job owned by this replica. intakeParent bounds the job's intake: the
// caller's call for a streaming job (the job stops taking numbers when it ends, but its orders
// settle regardless), the engine for a background job. ctx bounds the ledger writes made here.
//
// When the account already has a job with the same request id, nothing is created: start
// returns that job instead (for the caller to replay), or a RequestIDReusedError when the job
// differs in action or ValidateOnly.
func (e *Engine) start(ctx, intakeParent context.Context, p Params) (*Job, *ledger.Job, error) {
	if err := e.check(p); err != nil {
		return nil, nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, nil, fmt.Errorf("jobs: job id: %w", err)
	}
	leased := time.Now()
	err = e.writes.CreateJob(ctx, ledger.Job{
		ID: id.String(), AccountID: p.AccountID, Action: p.Action,
		CustomerOrderID: p.CustomerOrderID, RequestID: p.RequestID, ValidateOnly: p.ValidateOnly,
		Owner: e.cfg.ReplicaID,
	}, e.cfg.Lease)
	if errors.Is(err, ledger.ErrRequestExists) && p.RequestID != "" {
		existing, err := e.existingRequest(ctx, p)
		return nil, existing, err
	}
	if err != nil {
		e.log.Error("recording a new job failed", "job_id", id.String(), "err", err)
		return nil, nil, storeFailure("create job", err)
	}
	h := e.holds.add(id.String(), leased, e.cfg.Lease)
	j := e.newJob(id.String(), ledger.FirstGeneration, intakeParent, p, h)
	j.log.Info("job started", "validate_only", p.ValidateOnly, "customer_order_id", p.CustomerOrderID, "request_id", p.RequestID)
	return j, nil, nil
}

// existingRequest returns the account's job created with p.RequestID, checking that it is the
// same kind of job.
func (e *Engine) existingRequest(ctx context.Context, p Params) (*ledger.Job, error) {
	existing, err := e.writes.FindJobByRequestID(ctx, p.AccountID, p.RequestID)
	if err != nil {
		// Created by a concurrent call and not readable yet, or expired in between: both rare.
		return nil, storeFailure("find job by request id", err)
	}
	if existing.Action != p.Action || existing.ValidateOnly != p.ValidateOnly {
		return nil, &RequestIDReusedError{JobID: existing.ID}
	}
	e.log.Info("replaying a job for a repeated request id", "job_id", existing.ID, "account_id", p.AccountID, "request_id", p.RequestID)
	return &existing, nil
}

// newJob builds the in-process state of a job recorded in the ledger and held by this replica
// (h) under lease generation gen, registers it with the hub and counts it as started.
func (e *Engine) newJob(id string, gen int64, intakeParent context.Context, p Params, h *hold) *Job {
	j := &Job{
		e:          e,
		id:         id,
		params:     p,
		action:     bandwidthAction(p.Action),
		actionName: string(p.Action),
		slots:      make(chan struct{}, e.cfg.MaxInflightPerJob),
		hold:       h,
		fence:      ledger.Fence{JobID: id, Owner: e.cfg.ReplicaID, Generation: gen},
	}
	j.ctx, j.cancelOrders = context.WithCancel(e.ctx)
	j.log = e.log.With("job_id", j.id, "account_id", p.AccountID, "action", j.actionName)
	j.intake, j.stopIntake = context.WithCancelCause(intakeParent)
	j.unhook = context.AfterFunc(e.stopping, func() { j.stop(ErrShuttingDown) })
	e.hub.register(j.id)
	e.obs.jobStarted(j.actionName)
	h.setOnLost(func() { j.handOver(ErrLeaseLost) })
	return j
}

// startBatching gives a job with input its batcher; a dry run has none.
func (j *Job) startBatching() {
	if j.params.ValidateOnly {
		return
	}
	prefix := j.params.CustomerOrderID
	if prefix == "" {
		// 32 hex digits of the job id: with "-<seq>" within Bandwidth's 40 characters.
		prefix = strings.ReplaceAll(j.id, "-", "")
	}
	j.batches = newBatcher(j.e.cfg.BatchSize, j.e.cfg.BatchLinger, prefix, j.dispatch)
}

// emit sends ev to the job's caller, if it has one, and wakes the job's followers. The ledger
// holds what ev reports before emit is called.
func (j *Job) emit(ev Event) {
	if j.events != nil {
		j.events.push(ev)
	}
	j.e.hub.notify(j.id)
}

// stop makes the job stop taking numbers for err, unless it already stopped. Numbers received
// later are counted as not submitted; orders in flight still settle.
func (j *Job) stop(err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.stopErr != nil {
		return
	}
	j.stopErr = err
	j.stopIntake(err)
	if !isAbort(err) {
		j.log.Warn("job stopping", "err", err)
	}
}

// stopped reports whether the job takes no more numbers.
func (j *Job) stopped() bool { return j.intake.Err() != nil }

// addNotSubmitted counts numbers received but never sent to Bandwidth.
func (j *Job) addNotSubmitted(nums []string) {
	if len(nums) == 0 {
		return
	}
	j.mu.Lock()
	j.counts.NotSubmitted += int64(len(nums))
	j.notSubmitted = append(j.notSubmitted, nums...)
	j.mu.Unlock()
	j.e.obs.numbersSettled(j.actionName, "not_submitted", len(nums))
}

// take processes the numbers of one request message: normalize, reject the invalid and the
// duplicate (recorded, then reported at once), record the rest as received and batch them. A
// number is in the ledger before it is counted anywhere: should a write fail, the job stops and
// what was not recorded is not counted (nor is the message counted as read). After the job
// stopped (a later message contradicting the first), the accepted numbers are recorded and
// counted as not submitted.
func (j *Job) take(nums []string) {
	if len(nums) == 0 {
		return
	}
	valid := j.valid[:0]
	var rejected rejectionBuffer
	for _, text := range nums {
		t, err := tn.Parse(text)
		switch {
		case err != nil:
			rejected.add(text, ledger.ReasonInvalidFormat, err.Error())
		case !j.seen.add(t):
			rejected.add(text, ledger.ReasonDuplicate, detailDuplicate)
		default:
			valid = append(valid, t)
		}
	}
	j.valid = valid[:0]
	for _, chunk := range rejected.take() {
		if !j.reject(chunk) {
			return
		}
	}
	if len(valid) > 0 {
		// Formatted once, for the ledger, the batch and the order. Recorded before they can be
		// batched: a job whose process dies lists the ones never batched as not submitted.
		accepted := tn.Strings(valid)
		if err := j.e.writes.RecordReceived(j.ctx, j.fence, accepted); err != nil {
			j.writeFailed("record received", err)
			return
		}
		j.mu.Lock()
		j.counts.Received += int64(len(accepted))
		j.mu.Unlock()
		if j.stopped() {
			j.addNotSubmitted(accepted)
		} else if j.batches != nil {
			j.batches.add(accepted)
		}
	}
	j.mu.Lock()
	j.read += int64(len(nums))
	j.mu.Unlock()
}

// reject records one event's worth of rejections, counts and reports them. It reports false,
// having counted nothing, when the ledger did not take them (the job then stops).
func (j *Job) reject(rs []ledger.Rejection) bool {
	if err := j.e.writes.RecordRejections(j.ctx, j.fence, rs); err != nil {
		j.writeFailed("record rejections", err)
		return false
	}
	j.mu.Lock()
	j.counts.Received += int64(len(rs))
	j.counts.Rejected += int64(len(rs))
	j.mu.Unlock()
	j.e.obs.numbersSettled(j.actionName, "rejected", len(rs))
	j.emit(Rejected{Numbers: rs})
	return true
}

// writeFailed stops the job after a ledger write for it failed: a write the ledger refused
// because another replica owns the job now (or finished it) hands the job over; any other
// failure stops it as the ledger's fault.
func (j *Job) writeFailed(op string, err error) {
	if errors.Is(err, ledger.ErrNotOwner) || errors.Is(err, ledger.ErrJobFinished) {
		j.log.Warn("the ledger refused a write: another replica owns the job now", "op", op, "err", err)
		j.handOver(ErrLeaseLost)
		return
	}
	j.stop(storeFailure(op, err))
}

// finish ends the job once its input is done with: send the last batch (unless the job
// stopped), record that the input is complete, wait for every order to settle, record the final
// state, send Finished and close the event stream. It returns why the job stopped early (nil
// when it did not), or a HandedOverError.
func (j *Job) finish() error {
	if j.batches != nil {
		rest := j.batches.close(!j.stopped())
		j.addNotSubmitted(rest)
	}
	j.recording.Wait()
	if j.inputEnded && !j.recovered && !j.stopped() && j.mayRecord() {
		// Every received number is rejected or in a recorded batch: should this process die
		// now, the job that recovery completes ends in its natural state, not ABORTED.
		if err := j.e.writes.MarkInputClosed(j.ctx, j.fence); err != nil {
			j.log.Warn("recording the end of the input failed", "err", err)
			if errors.Is(err, ledger.ErrNotOwner) {
				j.handOver(ErrLeaseLost)
			}
		}
	}
	// Every number is sent or accounted for: a shutdown from now on cuts nothing short.
	j.unhook()
	j.settling.Wait()
	if !j.hold.finish() {
		j.handOver(ErrLeaseLost) // no-op when already handed over
	}
	if j.handedOver() {
		return j.leave()
	}

	j.mu.Lock()
	stopErr := j.stopErr
	j.mu.Unlock()
	if stopErr == nil && j.recovered && !j.inputEnded {
		// The caller's input died with the process before it sent every number.
		stopErr = ErrInterrupted
	}
	if j.params.ValidateOnly {
		// A dry run plans every distinct valid number and submits none.
		j.addNotSubmitted(tn.Strings(j.seen.all()))
	}
	j.mu.Lock()
	counts, notSubmitted := j.counts, j.notSubmitted
	j.notSubmitted = nil
	j.mu.Unlock()

	state := finalState(counts, stopErr, j.params.ValidateOnly)
	if sum := counts.Rejected + counts.Succeeded + counts.Failed + counts.NotSubmitted; sum != counts.Received {
		j.log.Error("job counts do not add up", "received", counts.Received, "accounted", sum)
	}
	failure := ReasonOf(stopErr)
	err := writeLedger(j.ctx, func(ctx context.Context) error {
		return j.e.writes.FinishJob(ctx, j.fence, ledger.Result{State: state, Counts: counts, NotSubmitted: notSubmitted, Failure: string(failure)})
	})
	if errors.Is(err, ledger.ErrJobFinished) || errors.Is(err, ledger.ErrNotOwner) {
		// Another replica took the job over and finished it: its record is the job's outcome.
		j.handOver(ErrLeaseLost)
		return j.leave()
	}
	if err != nil {
		// The ledger still shows the job running: telling the caller it finished would be
		// untrue. The next owner (this replica too, once the lease ends) finishes it from the
		// ledger.
		j.log.Error("recording the job's end failed; handing the job over", "err", err)
		j.handOver(ErrLedgerFailed)
		return j.leave()
	}
	j.emit(Finished{State: state, Counts: counts, NotSubmitted: notSubmitted, Failure: failure})
	if j.events != nil {
		j.events.close()
	}
	j.e.hub.unregister(j.id)
	j.stopIntake(nil)
	j.cancelOrders()
	j.e.holds.remove(j.id)
	j.e.obs.jobFinished(j.actionName, string(state))
	j.log.Info("job finished", "state", state, "received", counts.Received, "rejected", counts.Rejected,
		"succeeded", counts.Succeeded, "failed", counts.Failed, "not_submitted", counts.NotSubmitted)
	return stopErr
}

// finalState is a job's state from its counts and why it stopped early (nil when it did not).
// A dry run counts its planned numbers (not submitted) as it would count successes.
func finalState(c ledger.Counts, stopErr error, validateOnly bool) ledger.State {
	switch {
	case stopErr != nil && isAbort(stopErr):
		return ledger.StateAborted
	case stopErr != nil:
		return ledger.StateFailed
	}
	good := c.Succeeded
	if validateOnly {
		good = c.NotSubmitted
	}
	switch {
	case good == c.Received:
		return ledger.StateSucceeded
	case good == 0:
		return ledger.StateFailed
	}
	return ledger.StatePartial
}
