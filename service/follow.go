package service

import (
	"context"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// followPoll is how often a watcher reads the ledger of a job that runs on another replica (or
// as a safety net for one that runs here).
const followPoll = 500 * time.Millisecond

// replayPage is the number of rejections read, and sent in one `rejected` event, at a time.
const replayPage = 1000

// follow sends job jobID's events through emit as the ledger has them: `started`, the recorded
// rejections in pages, an `order` for each settled batch, then live ones as they are recorded,
// and `finished` once the job has its final state. It serves WatchAssignmentJob and the replay
// of a repeated request_id. The events tell the same outcomes as the job's own stream did,
// though rejections may be grouped differently and orders arrive in settlement order as the
// ledger saw it. It returns emit's error, a ledger failure, or ctx's error.
func (s *Service) follow(ctx context.Context, job ledger.Job, emit func(*event) error) error {
	f := follower{s: s, job: job, emit: emit, sent: map[int]bool{}}
	if err := emit(startedEvent(job.ID, job.AccountID, ledgerAction(job.Action))); err != nil {
		return err
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		changed := s.hub.changed(job.ID)
		// Read the job before its records: its final state is written last, so once it is seen
		// final, the records read after it are complete.
		j, err := s.reads.GetJob(ctx, job.ID)
		if err != nil {
			return storeFailure("get job", err)
		}
		if err := f.catchUp(ctx); err != nil {
			return err
		}
		if j.State.Final() {
			return f.finish(ctx, j)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed: // nil (blocks forever) for a job running elsewhere
		case <-tick.C:
		}
	}
}

// follower is one follow's position in the job's records.
type follower struct {
	s    *Service
	job  ledger.Job
	emit func(*event) error
	// rejections is the number of rejections sent; sent holds the settled batches sent.
	rejections int
	sent       map[int]bool
}

// catchUp sends the rejections and settlements recorded since the last call.
func (f *follower) catchUp(ctx context.Context) error {
	for {
		rs, total, err := f.s.reads.Rejections(ctx, f.job.ID, f.rejections, replayPage)
		if err != nil {
			return storeFailure("read rejections", err)
		}
		if len(rs) > 0 {
			nums := make([]*tnassignv1.RejectedNumber, len(rs))
			for i, r := range rs {
				nums[i] = &tnassignv1.RejectedNumber{TelephoneNumber: r.Number, Reason: protoRejectionReason(r.Reason), Detail: r.Detail}
			}
			if err := f.emit(rejectedEvent(nums)); err != nil {
				return err
			}
			f.rejections += len(rs)
		}
		if len(rs) == 0 || f.rejections >= total {
			break
		}
	}
	batches, err := f.s.reads.ListBatches(ctx, f.job.ID)
	if err != nil {
		return storeFailure("list batches", err)
	}
	for _, b := range batches {
		if !b.Settled || f.sent[b.Seq] {
			continue
		}
		st, err := f.s.reads.Settlement(ctx, f.job.ID, b.Seq)
		if err != nil {
			return storeFailure("read settlement", err)
		}
		if err := f.emit(orderEvent(orderSettled(b.CustomerOrderID, st))); err != nil {
			return err
		}
		f.sent[b.Seq] = true
	}
	return nil
}

// finish sends the job's `finished` event.
func (f *follower) finish(ctx context.Context, j ledger.Job) error {
	nums, err := f.s.reads.NotSubmitted(ctx, j.ID)
	if err != nil {
		return storeFailure("read not submitted", err)
	}
	return f.emit(finishedEvent(jobFinished(j.State, j.Counts, nums, j.Failure)))
}

// orderSettled is the `order` event of a settled batch.
func orderSettled(customerOrderID string, s ledger.Settlement) *tnassignv1.OrderSettled {
	o := &tnassignv1.OrderSettled{
		OrderId:          s.OrderID,
		CustomerOrderId:  customerOrderID,
		ProcessingStatus: processingStatus(s.Status),
		SucceededNumbers: s.Succeeded,
	}
	for _, e := range s.Errors {
		o.Errors = append(o.Errors, &tnassignv1.OrderError{Code: int32(e.Code), Description: e.Description, TelephoneNumbers: e.Numbers})
	}
	return o
}

// jobFinished is the `finished` event of a job's end.
// failure is the ledger's reason why the job stopped early (empty when it did not).
func jobFinished(state ledger.State, c ledger.Counts, notSubmitted []string, failure string) *tnassignv1.JobFinished {
	return &tnassignv1.JobFinished{
		FailureReason:       failure,
		State:               jobState(state),
		ReceivedCount:       c.Received,
		RejectedCount:       c.Rejected,
		SucceededCount:      c.Succeeded,
		FailedCount:         c.Failed,
		NotSubmittedCount:   c.NotSubmitted,
		NotSubmittedNumbers: notSubmitted,
	}
}
