package service_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

// simClock is a simulator clock a test moves forward.
type simClock struct{ offset atomic.Int64 }

func (c *simClock) now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }

func (c *simClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// stuckSim returns a simulator whose orders keep processing until its clock is moved on by an
// hour.
func stuckSim(t *testing.T) (*bwsim.Server, *simClock) {
	t.Helper()
	clock := &simClock{}
	cfg := bwsim.DefaultConfig()
	cfg.ProcessingDelay = time.Hour
	cfg.Now = clock.now
	sim := bwsim.NewServer(cfg)
	t.Cleanup(sim.Close)
	return sim, clock
}

// handedOverJob asserts that a call ended with UNAVAILABLE / JOB_HANDED_OVER naming its job,
// without `finished`, and returns the job id.
func handedOverJob(t *testing.T, r result) string {
	t.Helper()
	if code, reason, _ := statusInfo(t, r.err); code != codes.Unavailable || reason != "JOB_HANDED_OVER" {
		t.Fatalf("status %v, want UNAVAILABLE with reason JOB_HANDED_OVER", r.err)
	}
	if r.finished != nil || r.started == nil {
		t.Errorf("events %v: want started and no finished", r.kinds)
	}
	var jobID string
	for _, d := range status.Convert(r.err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			jobID = info.GetMetadata()["job_id"]
		}
	}
	if jobID == "" || jobID != r.started.GetJobId() {
		t.Errorf("ErrorInfo job_id %q, started job %q", jobID, r.started.GetJobId())
	}
	return jobID
}

// settledBatches returns how many of the job's batches are recorded, and how many of them
// have an order id.
func settledBatches(t *testing.T, store ledger.Store, jobID string) (recorded, withID, settled int) {
	t.Helper()
	bs, err := store.ListBatches(context.Background(), jobID)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.OrderID != "" {
			withID++
		}
		if b.Settled || b.Unsent {
			settled++
		}
	}
	return len(bs), withID, settled
}

// checkWatched asserts that watching a finished job shows every number the job received in
// exactly one outcome, and returns the watch's `finished`.
func checkWatched(t *testing.T, h *harness, jobID string, sent []string) *tnassignv1.JobFinished {
	t.Helper()
	r := watch(h, jobID)
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, sent, r, true)
	return r.finished
}

// TestForcedShutdownHandsOver: orders still processing when Shutdown's deadline passes are not
// given an outcome: the job stays running in the ledger, its caller gets JOB_HANDED_OVER, and
// the next service on the same ledger polls the orders to their end and finishes the job
// without sending any number again.
func TestForcedShutdownHandsOver(t *testing.T) {
	t.Parallel()
	sim, clock := stuckSim(t)
	store := memory.New()
	first := newHarness(t, harnessOptions{store: store, simServer: sim,
		cfg: service.Config{BatchSize: 10, ReplicaID: "first", Lease: time.Second}})
	sent := append(numbers(9195556000, 25), "nope")
	done := make(chan result, 1)
	go func() {
		done <- first.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 10))
	}()
	waitFor(t, "three orders at Bandwidth, their ids recorded", func() bool {
		jobs, err := store.ListJobs(context.Background(), account, ledger.JobQuery{})
		if err != nil || len(jobs.Jobs) != 1 {
			return false
		}
		recorded, withID, _ := settledBatches(t, store, jobs.Jobs[0].ID)
		return recorded == 3 && withID == 3 && jobs.Jobs[0].InputClosed
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := first.svc.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want the deadline's error", err)
	}
	jobID := handedOverJob(t, <-done)
	j, err := store.GetJob(context.Background(), jobID)
	if err != nil || j.State != ledger.StateRunning {
		t.Fatalf("job after the forced shutdown: %s (%v), want running", j.State, err)
	}
	if _, _, settled := settledBatches(t, store, jobID); settled != 0 {
		t.Errorf("%d batches got an outcome while their orders were processing", settled)
	}

	clock.advance(2 * time.Hour) // the orders complete
	second := newHarness(t, harnessOptions{store: store, simServer: sim,
		cfg: service.Config{ReplicaID: "second", Lease: time.Second}})
	job := waitFinished(t, second, jobID)
	if job.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || job.GetSucceededCount() != 25 || job.GetRejectedCount() != 1 {
		t.Errorf("recovered job: %v", job)
	}
	if n := len(sim.Received()); n != 3 {
		t.Errorf("Bandwidth received %d orders, want the 3 sent before the shutdown", n)
	}
	checkNoDuplicateSubmission(t, sim)
	checkWatched(t, second, jobID, sent)
}

// leaseStore is a ledger whose lease renewals a test can make fail.
type leaseStore struct {
	ledger.Store
	failRenewals atomic.Bool
	renewals     atomic.Int64 // successful ones
}

func (s *leaseStore) RenewLeases(ctx context.Context, owner string, jobIDs []string, lease time.Duration) ([]string, error) {
	if s.failRenewals.Load() {
		return nil, errors.New("test: lease renewal refused")
	}
	ids, err := s.Store.RenewLeases(ctx, owner, jobIDs, lease)
	if err == nil && len(ids) > 0 {
		s.renewals.Add(1)
	}
	return ids, err
}

// TestLeaseLost: a replica that can no longer be sure it owns a job (its renewals fail, or
// another replica claimed the job) stops working on it: no further order is sent, nothing more
// is recorded, its caller gets JOB_HANDED_OVER; the replica that takes the job over finishes it
// and no number is sent twice.
func TestLeaseLost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		lose func(t *testing.T, store *leaseStore)
	}{
		{"renewals fail", func(t *testing.T, store *leaseStore) {
			// Once renewed, the job's lease in the ledger ends a Lease after the last renewal.
			waitFor(t, "a renewal", func() bool { return store.renewals.Load() > 0 })
			store.failRenewals.Store(true)
		}},
		{"claimed elsewhere", func(t *testing.T, store *leaseStore) {
			// The test plays a replica that finds the lease ended and claims the job (and dies
			// later).
			waitFor(t, "a claim", func() bool {
				if err := store.Store.ReleaseLeases(context.Background(), "a"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Millisecond)
				jobs, err := store.Store.ClaimJobs(context.Background(), "claimer", time.Minute, 1)
				if err != nil {
					t.Fatal(err)
				}
				return len(jobs) == 1
			})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, clock := stuckSim(t)
			mem := memory.New()
			store := &leaseStore{Store: mem}
			a := newHarness(t, harnessOptions{ledger: store, simServer: sim,
				cfg: service.Config{BatchSize: 10, MaxInflightPerJob: 1, ReplicaID: "a", Lease: time.Second}})
			sent := numbers(9195557000, 30)
			done := make(chan result, 1)
			go func() {
				done <- a.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 10))
			}()
			// The first order hangs at Bandwidth; the second batch waits for its slot.
			waitFor(t, "the first order", func() bool { return len(sim.Received()) == 1 })
			tc.lose(t, store)
			jobID := handedOverJob(t, <-done)
			if n := len(sim.Received()); n != 1 {
				t.Errorf("the replica sent %d orders, want none after the first", n)
			}
			j, err := mem.GetJob(context.Background(), jobID)
			if err != nil || j.State != ledger.StateRunning {
				t.Fatalf("job after the lease was lost: %s (%v), want running", j.State, err)
			}

			// The claimer dies: its lease ends.
			if err := mem.ReleaseLeases(context.Background(), "claimer"); err != nil {
				t.Fatal(err)
			}
			clock.advance(2 * time.Hour)
			b := newHarness(t, harnessOptions{store: mem, simServer: sim, cfg: service.Config{ReplicaID: "b", Lease: time.Second}})
			job := waitFinished(t, b, jobID)
			// The caller's stream was cut mid-way: the job ends ABORTED, the numbers it received
			// but never sent listed as not submitted.
			if job.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || job.GetSucceededCount() != 10 ||
				job.GetNotSubmittedCount() != job.GetReceivedCount()-10 {
				t.Errorf("job finished by the other replica: %v", job)
			}
			if n := len(sim.Received()); n != 1 {
				t.Errorf("Bandwidth received %d orders, want 1", n)
			}
			checkNoDuplicateSubmission(t, sim)
			f := checkWatched(t, b, jobID, sent)
			if !slices.Equal(f.GetNotSubmittedNumbers(), sent[10:10+len(f.GetNotSubmittedNumbers())]) {
				t.Errorf("not submitted %v", f.GetNotSubmittedNumbers())
			}
		})
	}
}
