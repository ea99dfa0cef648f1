package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
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

// startLoops starts the lease loop, which keeps this replica's running jobs owned, and the
// recovery loop, which takes over the jobs of replicas whose lease ended (at start, too: the
// jobs of this process's predecessor are among them once their lease ends).
func (s *Service) startLoops() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopLoops = cancel
	s.loops.Go(func() { s.renewLoop(ctx) })
	s.loops.Go(func() { s.recoveryLoop(ctx) })
}

// endLoops stops the loops, waits for them and their recoveries, and gives up this replica's
// leases on the jobs still running (recoveries cut short, jobs abandoned by a forced shutdown),
// so that another replica takes them over at once rather than after a lease period.
func (s *Service) endLoops() {
	s.stopLoops()
	s.loops.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), releaseTimeout)
	defer cancel()
	// A lease of a millisecond ends at once (zero would mean the Store's default).
	if err := s.store.RenewLeases(ctx, s.cfg.ReplicaID, time.Millisecond); err != nil {
		s.log.Warn("giving up the job leases failed; other replicas take the jobs over once the leases end", "err", err)
	}
}

// renewLoop renews the leases of this replica's running jobs every Lease/3.
func (s *Service) renewLoop(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := s.store.RenewLeases(ctx, s.cfg.ReplicaID, s.cfg.Lease); err != nil && ctx.Err() == nil {
			s.log.Warn("renewing job leases failed; another replica may take over this replica's jobs", "err", err)
		}
	}
}

// recoveryLoop claims orphaned jobs at once and then every Lease/3, and completes each in its
// own goroutine.
func (s *Service) recoveryLoop(ctx context.Context) {
	tick := time.NewTicker(s.cfg.Lease / 3)
	defer tick.Stop()
	for {
		if s.stopping.Err() == nil {
			s.claim(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// claim takes over up to claimLimit orphaned jobs and starts completing them.
func (s *Service) claim(ctx context.Context) {
	jobs, err := s.store.ClaimJobs(ctx, s.cfg.ReplicaID, s.cfg.Lease, claimLimit)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("claiming orphaned jobs failed", "err", err)
		}
		return
	}
	for _, lj := range jobs {
		if !s.work.tryStart() {
			// Shutting down: endLoops gives the lease up for another replica.
			return
		}
		s.log.Info("taking over a job whose replica stopped", "job_id", lj.ID, "previous_owner", lj.Owner)
		s.loops.Go(func() {
			defer s.work.add(-1)
			s.recoverJob(ctx, lj)
		})
	}
}

// readPending reads what a claimed job still has to do, retrying while the ledger fails (the
// job stays leased to this replica meanwhile). It reports false when ctx ended first.
func (s *Service) readPending(ctx context.Context, jobID string) (ledger.PendingWork, []ledger.BatchInfo, int, bool) {
	for {
		pw, err := s.store.PendingWork(ctx, jobID)
		var batches []ledger.BatchInfo
		var rejected int
		if err == nil {
			batches, err = s.store.ListBatches(ctx, jobID)
		}
		if err == nil {
			_, rejected, err = s.store.Rejections(ctx, jobID, 0, 0)
		}
		if err == nil {
			return pw, batches, rejected, true
		}
		s.log.Warn("reading a claimed job failed; retrying", "job_id", jobID, "err", err)
		select {
		case <-ctx.Done():
			return ledger.PendingWork{}, nil, 0, false
		case <-time.After(s.cfg.Lease / 3):
		}
	}
}
