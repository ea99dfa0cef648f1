package service

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
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
	limiter    *rate.Limiter
	slots      chan struct{}
	valid      []tn // scratch for one message's valid numbers

	// ctx is where orders settle: the service's lifetime, not the caller's stream.
	ctx context.Context
	// intake ends when the job must stop taking numbers: the caller went away, a fatal error, a
	// shutdown. Its cause says which.
	intake     context.Context
	stopIntake context.CancelCauseFunc
	unhook     func() bool

	settling sync.WaitGroup

	mu           sync.Mutex
	counts       ledger.Counts
	notSubmitted []string
	// stopErr is why the job stopped early; nil when it ran to its end.
	stopErr error
}

// startJob records a new job for an accepted first message. streamCtx is the call's context:
// the job stops taking numbers when it ends, but its orders settle regardless.
func (s *Service) startJob(streamCtx context.Context, action bandwidth.Action, p jobParams) (*job, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return nil, fmt.Errorf("service: job id: %w", err)
	}
	j := &job{
		s:          s,
		id:         id.String(),
		params:     p,
		action:     action,
		actionName: strings.ToLower(string(action)),
		limiter:    s.accounts[p.accountID],
		slots:      make(chan struct{}, s.cfg.MaxInflightPerJob),
		ctx:        s.ctx,
	}
	j.log = s.log.With("job_id", j.id, "account_id", p.accountID, "action", j.actionName)
	err = s.store.CreateJob(streamCtx, ledger.Job{
		ID: j.id, AccountID: p.accountID, Action: ledger.Action(j.actionName),
		CustomerOrderID: p.customerOrderID, RequestID: p.requestID, ValidateOnly: p.validateOnly,
	})
	if err != nil {
		j.log.Error("recording a new job failed", "err", err)
		return nil, storeFailure("create job", err)
	}
	j.intake, j.stopIntake = context.WithCancelCause(streamCtx)
	j.unhook = context.AfterFunc(s.stopping, func() { j.stop(errShuttingDown) })
	if !p.validateOnly {
		prefix := p.customerOrderID
		if prefix == "" {
			// 32 hex digits of the job id: with "-<seq>" within Bandwidth's 40 characters.
			prefix = strings.ReplaceAll(j.id, "-", "")
		}
		j.batches = newBatcher(s.cfg.BatchSize, s.cfg.BatchLinger, prefix, j.dispatch)
	}
	j.log.Info("job started", "validate_only", p.validateOnly, "customer_order_id", p.customerOrderID)
	s.obs.jobStarted(j.actionName)
	return j, nil
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
// duplicate (recorded, then reported at once), batch the rest. After the job stopped, numbers are
// counted as not submitted, as given.
func (j *job) take(nums []string) {
	if len(nums) == 0 {
		return
	}
	j.mu.Lock()
	j.counts.Received += int64(len(nums))
	j.mu.Unlock()
	if j.stopped() {
		j.addNotSubmitted(slices.Clone(nums))
		return
	}
	valid := j.valid[:0]
	var rejected rejectionBuffer
	for _, text := range nums {
		t, detail := parseTN(text)
		switch {
		case detail != "":
			rejected.add(text, tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT, detail)
		case !j.seen.add(t):
			rejected.add(text, tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE, detailDuplicate)
		default:
			valid = append(valid, t)
		}
	}
	for _, chunk := range rejected.take() {
		j.reject(chunk)
	}
	if j.batches != nil {
		j.batches.add(valid)
	}
	j.valid = valid[:0]
}

// reject records one event's worth of rejections and reports them.
func (j *job) reject(rs []*tnassignv1.RejectedNumber) {
	records := make([]ledger.Rejection, len(rs))
	for i, r := range rs {
		records[i] = ledger.Rejection{Number: r.GetTelephoneNumber(), Reason: rejectionReason(r.GetReason()), Detail: r.GetDetail()}
	}
	if err := j.s.store.RecordRejections(j.ctx, j.id, records); err != nil {
		j.stop(storeFailure("record rejections", err))
	}
	j.mu.Lock()
	j.counts.Rejected += int64(len(rs))
	j.mu.Unlock()
	j.s.obs.numbersSettled(j.actionName, "rejected", len(rs))
	j.events.push(rejectedEvent(rs))
}

// finish ends the job once the request stream is done with: send the last batch (unless the job
// stopped), wait for every order to settle, record the final state, send `finished` and close
// the response stream. It returns the call's status.
func (j *job) finish() error {
	if j.batches != nil {
		rest := j.batches.close(!j.stopped())
		j.addNotSubmitted(tnStrings(rest))
	}
	// Every number is sent or accounted for: a shutdown from now on cuts nothing short.
	j.unhook()
	j.settling.Wait()

	j.mu.Lock()
	stopErr := j.stopErr
	j.mu.Unlock()
	if j.params.validateOnly {
		// A dry run plans every distinct valid number and submits none.
		j.addNotSubmitted(tnStrings(j.seen.all()))
	}
	j.mu.Lock()
	counts, notSubmitted := j.counts, j.notSubmitted
	j.notSubmitted = nil
	j.mu.Unlock()

	state := finalState(counts, stopErr, j.params.validateOnly)
	if sum := counts.Rejected + counts.Succeeded + counts.Failed + counts.NotSubmitted; sum != counts.Received {
		j.log.Error("job counts do not add up", "received", counts.Received, "accounted", sum)
	}
	err := writeLedger(j.ctx, func(ctx context.Context) error {
		return j.s.store.FinishJob(ctx, j.id, ledger.Result{State: state, Counts: counts, NotSubmitted: notSubmitted, Failure: reasonOf(stopErr)})
	})
	if err != nil {
		j.log.Error("recording the job's end failed", "err", err)
		if stopErr == nil || isAbort(stopErr) {
			stopErr, state = storeFailure("finish job", err), ledger.StateFailed
		}
	}
	j.events.push(finishedEvent(&tnassignv1.JobFinished{
		State:               jobState(state),
		ReceivedCount:       counts.Received,
		RejectedCount:       counts.Rejected,
		SucceededCount:      counts.Succeeded,
		FailedCount:         counts.Failed,
		NotSubmittedCount:   counts.NotSubmitted,
		NotSubmittedNumbers: notSubmitted,
	}))
	j.events.close()
	j.stopIntake(nil)
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

func jobState(s ledger.State) tnassignv1.JobState {
	switch s {
	case ledger.StateRunning:
		return tnassignv1.JobState_JOB_STATE_RUNNING
	case ledger.StateSucceeded:
		return tnassignv1.JobState_JOB_STATE_SUCCEEDED
	case ledger.StatePartial:
		return tnassignv1.JobState_JOB_STATE_PARTIAL
	case ledger.StateFailed:
		return tnassignv1.JobState_JOB_STATE_FAILED
	case ledger.StateAborted:
		return tnassignv1.JobState_JOB_STATE_ABORTED
	}
	return tnassignv1.JobState_JOB_STATE_UNSPECIFIED
}

func rejectionReason(r tnassignv1.RejectionReason) string {
	return strings.TrimPrefix(r.String(), "REJECTION_REASON_")
}

func protoAction(a bandwidth.Action) tnassignv1.Action {
	if a == bandwidth.ActionUnassign {
		return tnassignv1.Action_ACTION_UNASSIGN
	}
	return tnassignv1.Action_ACTION_ASSIGN
}
