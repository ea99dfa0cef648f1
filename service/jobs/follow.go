package jobs

import (
	"context"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

// followPoll is how often a watcher reads the ledger of a job that runs on another replica (or
// as a safety net for one that runs here).
const followPoll = 500 * time.Millisecond

// replayPage is the number of rejections read, and sent in one Rejected event, at a time.
const replayPage = 1000

// Follow sends job's events through emit as the ledger has them: Started, the recorded
// rejections in pages, an OrderSettled for each settled batch, then live ones as they are
// recorded, and Finished once the job has its final state. It serves watchers of a job and the
// replay of a repeated request id. The events tell the same outcomes as the job's own events
// did, though rejections may be grouped differently and orders arrive in settlement order as the
// ledger saw it. Jobs running in this process wake their followers as they record; jobs running
// on another replica are read from the ledger every followPoll. It returns emit's error, a
// StoreError, or ctx's error.
func (e *Engine) Follow(ctx context.Context, job ledger.Job, emit Send) error {
	f := follower{e: e, job: job, emit: emit, sent: map[int]bool{}}
	if err := emit(Started{JobID: job.ID, AccountID: job.AccountID, Action: job.Action}); err != nil {
		return err
	}
	tick := time.NewTicker(followPoll)
	defer tick.Stop()
	for {
		changed := e.hub.changed(job.ID)
		// Read the job before its records: its final state is written last, so once it is seen
		// final, the records read after it are complete.
		j, err := e.reads.GetJob(ctx, job.ID)
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
	e    *Engine
	job  ledger.Job
	emit Send
	// rejections is the number of rejections sent; sent holds the settled batches sent.
	rejections int
	sent       map[int]bool
}

// catchUp sends the rejections and settlements recorded since the last call.
func (f *follower) catchUp(ctx context.Context) error {
	for {
		rs, total, err := f.e.reads.Rejections(ctx, f.job.ID, f.rejections, replayPage)
		if err != nil {
			return storeFailure("read rejections", err)
		}
		if len(rs) > 0 {
			if err := f.emit(Rejected{Numbers: rs}); err != nil {
				return err
			}
			f.rejections += len(rs)
		}
		if len(rs) == 0 || f.rejections >= total {
			break
		}
	}
	batches, err := f.e.reads.ListBatches(ctx, f.job.ID)
	if err != nil {
		return storeFailure("list batches", err)
	}
	for _, b := range batches {
		if !b.Settled || f.sent[b.Seq] {
			continue
		}
		st, err := f.e.reads.Settlement(ctx, f.job.ID, b.Seq)
		if err != nil {
			return storeFailure("read settlement", err)
		}
		if err := f.emit(OrderSettled{CustomerOrderID: b.CustomerOrderID, Settlement: st}); err != nil {
			return err
		}
		f.sent[b.Seq] = true
	}
	return nil
}

// finish sends the job's Finished event.
func (f *follower) finish(ctx context.Context, j ledger.Job) error {
	nums, err := f.e.reads.NotSubmitted(ctx, j.ID)
	if err != nil {
		return storeFailure("read not submitted", err)
	}
	return f.emit(Finished{State: j.State, Counts: j.Counts, NotSubmitted: nums, Failure: Reason(j.Failure)})
}
