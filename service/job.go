package service

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
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/tn"
)

// job is one AssignNumbers or UnassignNumbers call: its numbers, batches, orders and counts.
type job struct {
	s      *Service
	id     string
	params jobParams
	action bandwidth.Action
	// actionName is "assign" or "unassign", for metrics and the ledger.
	actionName string
	log        *slog.Logger
	events     *sender
	seen       numberSet
	batches    *batcher // nil for a dry run
	slots      chan struct{}
	valid      []tn.Number // scratch for one message's valid numbers

	// ctx is where orders settle: the service's lifetime, not the caller's stream. It ends
	// early (cancelOrders) when the job is handed over.
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
	// read counts the numbers of the caller's messages taken whole: every number of them is in
	// the ledger. A caller whose job is handed over is told it, to send the rest again.
	read         int64
	notSubmitted []string
	// stopErr is why the job stopped early; nil when it ran to its end.
	stopErr error
	// handedOverBy is why this process stopped working on the job without finishing it (see
	// handOver); nil while it works on it.
	handedOverBy error
}

// startJob records a new job for an accepted first message, owned by this replica. intakeParent
// bounds the job's intake: the call's stream for a streaming call (the job stops taking numbers
// when it ends, but its orders settle regardless), the service for a background job. ctx bounds
// the ledger writes made here.
//
// When the account already has a job with the same request_id, nothing is created: startJob
// returns that job instead (for the caller to replay), or INVALID_ARGUMENT when the job differs
// in action or validate_only, since replaying a dry run as if it were the real call, or an
// assign as an unassign, would mislead.
func (s *Service) startJob(ctx, intakeParent context.Context, action bandwidth.Action, p jobParams) (*job, *ledger.Job, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, nil, fmt.Errorf("service: job id: %w", err)
	}
	actionName := strings.ToLower(string(action))
	leased := time.Now()
	err = s.writes.CreateJob(ctx, ledger.Job{
		ID: id.String(), AccountID: p.accountID, Action: ledger.Action(actionName),
		CustomerOrderID: p.customerOrderID, RequestID: p.requestID, ValidateOnly: p.validateOnly,
		Owner: s.cfg.ReplicaID,
	}, s.cfg.Lease)
	if errors.Is(err, ledger.ErrRequestExists) && p.requestID != "" {
		existing, err := s.existingRequest(ctx, actionName, p)
		return nil, existing, err
	}
	if err != nil {
		s.log.Error("recording a new job failed", "job_id", id.String(), "err", err)
		return nil, nil, storeFailure("create job", err)
	}
	h := s.holds.add(id.String(), leased, s.cfg.Lease)
	j := s.newJob(id.String(), ledger.FirstGeneration, intakeParent, action, p, h)
	j.log.Info("job started", "validate_only", p.validateOnly, "customer_order_id", p.customerOrderID, "request_id", p.requestID)
	return j, nil, nil
}

// existingRequest returns the account's job created with p.requestID, checking that it is the
// same kind of job.
func (s *Service) existingRequest(ctx context.Context, actionName string, p jobParams) (*ledger.Job, error) {
	existing, err := s.writes.FindJobByRequestID(ctx, p.accountID, p.requestID)
	if err != nil {
		// Created by a concurrent call and not readable yet, or expired in between: both rare.
		return nil, storeFailure("find job by request id", err)
	}
	if string(existing.Action) != actionName || existing.ValidateOnly != p.validateOnly {
		return nil, requestIDReused(existing.ID)
	}
	s.log.Info("replaying a job for a repeated request id", "job_id", existing.ID, "account_id", p.accountID, "request_id", p.requestID)
	return &existing, nil
}

// newJob builds the in-process state of a job recorded in the ledger and held by this replica
// (h) under lease generation gen, registers it with the hub and counts it as started.
func (s *Service) newJob(id string, gen int64, intakeParent context.Context, action bandwidth.Action, p jobParams, h *hold) *job {
	j := &job{
		s:          s,
		id:         id,
		params:     p,
		action:     action,
		actionName: strings.ToLower(string(action)),
		slots:      make(chan struct{}, s.cfg.MaxInflightPerJob),
		hold:       h,
		fence:      ledger.Fence{JobID: id, Owner: s.cfg.ReplicaID, Generation: gen},
	}
	j.ctx, j.cancelOrders = context.WithCancel(s.ctx)
	j.log = s.log.With("job_id", j.id, "account_id", p.accountID, "action", j.actionName)
	j.intake, j.stopIntake = context.WithCancelCause(intakeParent)
	j.unhook = context.AfterFunc(s.stopping, func() { j.stop(errShuttingDown) })
	s.hub.register(j.id)
	s.obs.jobStarted(j.actionName)
	h.setOnLost(func() { j.handOver(errLeaseLost) })
	return j
}

// startBatching gives a job with input its batcher; a dry run has none.
func (j *job) startBatching() {
	if j.params.validateOnly {
		return
	}
	prefix := j.params.customerOrderID
	if prefix == "" {
		// 32 hex digits of the job id: with "-<seq>" within Bandwidth's 40 characters.
		prefix = strings.ReplaceAll(j.id, "-", "")
	}
	j.batches = newBatcher(j.s.cfg.BatchSize, j.s.cfg.BatchLinger, prefix, j.dispatch)
}

// emit sends ev to the job's caller, if it has one, and wakes the job's watchers. The ledger
// holds what ev reports before emit is called.
func (j *job) emit(ev *event) {
	if j.events != nil {
		j.events.push(ev)
	}
	j.s.hub.notify(j.id)
}

// stop makes the job stop taking numbers for err, unless it already stopped. Numbers received
// later are counted as not submitted; orders in flight still settle.
func (j *job) stop(err error) {
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
func (j *job) stopped() bool { return j.intake.Err() != nil }

// addNotSubmitted counts numbers received but never sent to Bandwidth.
func (j *job) addNotSubmitted(nums []string) {
	if len(nums) == 0 {
		return
	}
	j.mu.Lock()
	j.counts.NotSubmitted += int64(len(nums))
	j.notSubmitted = append(j.notSubmitted, nums...)
	j.mu.Unlock()
	j.s.obs.numbersSettled(j.actionName, "not_submitted", len(nums))
}

// take processes the numbers of one request message: normalize, reject the invalid and the
// duplicate (recorded, then reported at once), record the rest as received and batch them. A
// number is in the ledger before it is counted anywhere: should a write fail, the job stops and
// what was not recorded is not counted (nor is the message counted as read). After the job
// stopped (a later message contradicting the first), the accepted numbers are recorded and
// counted as not submitted.
func (j *job) take(nums []string) {
	if len(nums) == 0 {
		return
	}
	valid := j.valid[:0]
	var rejected rejectionBuffer
	for _, text := range nums {
		t, err := tn.Parse(text)
		switch {
		case err != nil:
			rejected.add(text, tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT, err.Error())
		case !j.seen.add(t):
			rejected.add(text, tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE, detailDuplicate)
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
		if err := j.s.writes.RecordReceived(j.ctx, j.fence, accepted); err != nil {
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
func (j *job) reject(rs []*tnassignv1.RejectedNumber) bool {
	records := make([]ledger.Rejection, len(rs))
	for i, r := range rs {
		records[i] = ledger.Rejection{Number: r.GetTelephoneNumber(), Reason: rejectionReason(r.GetReason()), Detail: r.GetDetail()}
	}
	if err := j.s.writes.RecordRejections(j.ctx, j.fence, records); err != nil {
		j.writeFailed("record rejections", err)
		return false
	}
	j.mu.Lock()
	j.counts.Received += int64(len(rs))
	j.counts.Rejected += int64(len(rs))
	j.mu.Unlock()
	j.s.obs.numbersSettled(j.actionName, "rejected", len(rs))
	j.emit(rejectedEvent(rs))
	return true
}

// writeFailed stops the job after a ledger write for it failed: a write the ledger refused
// because another replica owns the job now (or finished it) hands the job over; any other
// failure stops it as the ledger's fault.
func (j *job) writeFailed(op string, err error) {
	if errors.Is(err, ledger.ErrNotOwner) || errors.Is(err, ledger.ErrJobFinished) {
		j.log.Warn("the ledger refused a write: another replica owns the job now", "op", op, "err", err)
		j.handOver(errLeaseLost)
		return
	}
	j.stop(storeFailure(op, err))
}

// finish ends the job once its input is done with: send the last batch (unless the job
// stopped), record that the input is complete, wait for every order to settle, record the final
// state, send `finished` and close the response stream. It returns the call's status.
func (j *job) finish() error {
	if j.batches != nil {
		rest := j.batches.close(!j.stopped())
		j.addNotSubmitted(rest)
	}
	j.recording.Wait()
	if j.inputEnded && !j.recovered && !j.stopped() && j.mayRecord() {
		// Every received number is rejected or in a recorded batch: should this process die
		// now, the job that recovery completes ends in its natural state, not ABORTED.
		if err := j.s.writes.MarkInputClosed(j.ctx, j.fence); err != nil {
			j.log.Warn("recording the end of the input failed", "err", err)
			if errors.Is(err, ledger.ErrNotOwner) {
				j.handOver(errLeaseLost)
			}
		}
	}
	// Every number is sent or accounted for: a shutdown from now on cuts nothing short.
	j.unhook()
	j.settling.Wait()
	if !j.hold.finish() {
		j.handOver(errLeaseLost) // no-op when already handed over
	}
	if j.handedOver() {
		return j.leave()
	}

	j.mu.Lock()
	stopErr := j.stopErr
	j.mu.Unlock()
	if stopErr == nil && j.recovered && !j.inputEnded {
		// The caller's stream died with the process before it sent every number.
		stopErr = errInterrupted
	}
	if j.params.validateOnly {
		// A dry run plans every distinct valid number and submits none.
		j.addNotSubmitted(tn.Strings(j.seen.all()))
	}
	j.mu.Lock()
	counts, notSubmitted := j.counts, j.notSubmitted
	j.notSubmitted = nil
	j.mu.Unlock()

	state := finalState(counts, stopErr, j.params.validateOnly)
	if sum := counts.Rejected + counts.Succeeded + counts.Failed + counts.NotSubmitted; sum != counts.Received {
		j.log.Error("job counts do not add up", "received", counts.Received, "accounted", sum)
	}
	failure := reasonOf(stopErr)
	err := writeLedger(j.ctx, func(ctx context.Context) error {
		return j.s.writes.FinishJob(ctx, j.fence, ledger.Result{State: state, Counts: counts, NotSubmitted: notSubmitted, Failure: failure})
	})
	if errors.Is(err, ledger.ErrJobFinished) || errors.Is(err, ledger.ErrNotOwner) {
		// Another replica took the job over and finished it: its record is the job's outcome.
		j.handOver(errLeaseLost)
		return j.leave()
	}
	if err != nil {
		// The ledger still shows the job running: telling the caller it finished would be
		// untrue. The next owner (this replica too, once the lease ends) finishes it from the
		// ledger.
		j.log.Error("recording the job's end failed; handing the job over", "err", err)
		j.handOver(errLedgerFailed)
		return j.leave()
	}
	j.emit(finishedEvent(jobFinished(state, counts, notSubmitted, failure)))
	if j.events != nil {
		j.events.close()
	}
	j.s.hub.unregister(j.id)
	j.stopIntake(nil)
	j.cancelOrders()
	j.s.holds.remove(j.id)
	j.s.obs.jobFinished(j.actionName, string(state))
	j.log.Info("job finished", "state", state, "received", counts.Received, "rejected", counts.Rejected,
		"succeeded", counts.Succeeded, "failed", counts.Failed, "not_submitted", counts.NotSubmitted)
	return statusOf(stopErr, j.id)
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
