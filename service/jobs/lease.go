package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

// claimLimit is the number of orphaned jobs one recovery round claims.
const claimLimit = 16

// releaseTimeout bounds the ledger write that gives up this replica's leases at shutdown.
const releaseTimeout = 5 * time.Second

// defaultReplicaID names this process: hostname, process id and a random suffix, so that a
// restarted process is a new owner and never mistakes its predecessor's jobs for its own.
func defaultReplicaID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "tnassignd"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// renewInterval is how often this replica renews its leases and looks for orphaned jobs: a
// third of its lease, at most every 10 s.
func renewInterval(lease time.Duration) time.Duration { return min(lease, ledger.DefaultLease) / 3 }

// ledgerCallTimeout bounds every ledger call of the lease and recovery loops, so that a hung
// connection neither stalls the renewals (the holds then expire on their own timers) nor the
// claims.
func ledgerCallTimeout(lease time.Duration) time.Duration { return renewInterval(lease) }

// leaseMargin is how long before its lease surely ends a job stops being worked on: three
// quarters of a renewal interval, so that one failed renewal is tolerated and a Bandwidth
// request sent just before the cut still has that long to arrive before another replica can
// claim the job.
func leaseMargin(lease time.Duration) time.Duration { return renewInterval(lease) * 3 / 4 }

// startLoops starts the lease loop, which keeps this replica's running jobs owned, and the
// recovery loop, which takes over the jobs of replicas whose lease ended (at start, too: the
// jobs of this process's predecessor are among them once their lease ends).
func (e *Engine) startLoops() {
	ctx, cancel := context.WithCancel(context.Background())
	e.stopLoops = cancel
	e.loops.Go(func() { e.renewLoop(ctx) })
	e.loops.Go(func() { e.recoveryLoop(ctx) })
}

// endLoops stops the loops, waits for them and their recoveries, and gives up this replica's
// leases on the jobs still running (recoveries cut short, jobs abandoned by a forced shutdown),
// so that another replica takes them over at once rather than after a lease period.
func (e *Engine) endLoops() {
	e.stopLoops()
	e.loops.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	if err := e.leases.ReleaseLeases(ctx, e.cfg.ReplicaID); err != nil {
		e.log.Warn("giving up the job leases failed; other replicas take the jobs over once the leases end", "err", err)
	}
}

// renewLoop renews the leases of this replica's running jobs every renewInterval, and hands
// over the jobs it no longer surely owns: those another replica claimed, and those whose lease
// renewals kept failing (see holds).
func (e *Engine) renewLoop(ctx context.Context) {
	tick := time.NewTicker(renewInterval(e.cfg.Lease))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		// Only the jobs worked on here: the lease of a job handed over runs out, so that it is
		// claimed and finished (by another replica, or by this one once the job left).
		asked := e.holds.live()
		start := time.Now()
		cctx, cancel := context.WithTimeout(ctx, ledgerCallTimeout(e.cfg.Lease))
		renewed, err := e.leases.RenewLeases(cctx, e.cfg.ReplicaID, asked, e.cfg.Lease)
		cancel()
		switch {
		case err == nil:
			e.holds.renewed(asked, renewed, start, e.cfg.Lease)
		case ctx.Err() == nil:
			e.log.Warn("renewing job leases failed; jobs are handed over if it goes on", "err", err)
		}
		e.holds.expire()
	}
}

// recoveryLoop claims orphaned jobs at once and then every renewInterval, and completes each in
// its own goroutine.
func (e *Engine) recoveryLoop(ctx context.Context) {
	tick := time.NewTicker(renewInterval(e.cfg.Lease))
	defer tick.Stop()
	for {
		if e.stopping.Err() == nil {
			e.claim(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// claim takes over up to claimLimit orphaned jobs and starts completing them.
func (e *Engine) claim(ctx context.Context) {
	start := time.Now()
	cctx, cancel := context.WithTimeout(ctx, ledgerCallTimeout(e.cfg.Lease))
	jobs, err := e.leases.ClaimJobs(cctx, e.cfg.ReplicaID, e.cfg.Lease, claimLimit)
	cancel()
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("claiming orphaned jobs failed", "err", err)
		}
		return
	}
	for _, lj := range jobs {
		if !e.work.tryStart() {
			// Shutting down: endLoops gives the lease up for another replica.
			return
		}
		h := e.holds.add(lj.ID, start, e.cfg.Lease)
		if h == nil {
			// Its lease ended while this process still works on it (it is being handed over):
			// give it up again, to be claimed once the job left this process.
			e.work.add(-1)
			gctx, cancel := context.WithTimeout(ctx, ledgerCallTimeout(e.cfg.Lease))
			_, err := e.leases.RenewLeases(gctx, e.cfg.ReplicaID, []string{lj.ID}, time.Millisecond)
			cancel()
			if err != nil && ctx.Err() == nil {
				e.log.Warn("giving up a job still running here failed", "job_id", lj.ID, "err", err)
			}
			continue
		}
		e.log.Info("taking over a job whose replica stopped", "job_id", lj.ID, "previous_owner", lj.PreviousOwner,
			"generation", lj.Generation)
		e.loops.Go(func() {
			defer e.work.add(-1)
			e.recoverJob(ctx, lj, h)
		})
	}
}

// pending is what a claimed job still has to do, as read from the ledger at readAt (local
// clock, taken after the read returned: PendingBatch.CreateWait counts from a moment before it).
type pending struct {
	work     ledger.PendingWork
	batches  []ledger.BatchInfo
	rejected int
	readAt   time.Time
}

// readPending reads what a claimed job still has to do, retrying while the ledger fails (the
// job stays leased to this replica meanwhile). It reports false when ctx ended first, the job
// was lost meanwhile, or it has nothing left to do (finished, or gone).
func (e *Engine) readPending(ctx context.Context, jobID string, h *hold) (pending, bool) {
	for {
		var p pending
		rctx, cancel := context.WithTimeout(ctx, ledgerCallTimeout(e.cfg.Lease))
		var err error
		p.work, err = e.writes.PendingWork(rctx, jobID)
		p.readAt = time.Now()
		if err == nil {
			p.batches, err = e.reads.ListBatches(rctx, jobID)
		}
		if err == nil {
			_, p.rejected, err = e.reads.Rejections(rctx, jobID, 0, 0)
		}
		cancel()
		if err == nil {
			return p, true
		}
		if errors.Is(err, ledger.ErrJobFinished) || errors.Is(err, ledger.ErrNotFound) {
			e.log.Info("a claimed job has nothing left to do", "job_id", jobID, "err", err)
			return pending{}, false
		}
		if !h.ok() {
			e.log.Warn("reading a claimed job failed until its lease was lost; leaving it", "job_id", jobID, "err", err)
			return pending{}, false
		}
		e.log.Warn("reading a claimed job failed; retrying", "job_id", jobID, "err", err)
		select {
		case <-ctx.Done():
			return pending{}, false
		case <-time.After(renewInterval(e.cfg.Lease)):
		}
	}
}
