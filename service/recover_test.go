package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

// crashedJob records in store a job as a process that died mid-way leaves it: owned by a dead
// replica, with one batch whose order id was recorded, one created at Bandwidth before its id
// could be recorded, one recorded but never sent, and received numbers never batched.
type crashedJob struct {
	id          string
	inputClosed bool
	numbers     []string // received, in order
	unbatched   []string
}

func recordCrashedJob(t *testing.T, store ledger.Store, sim *bwsim.Server, first int64, inputClosed bool) crashedJob {
	t.Helper()
	ctx := context.Background()
	bw, err := bandwidth.New(bandwidth.Config{BaseURL: sim.URL, Auth: bandwidth.BasicAuth("demo", "demo"), HTTPClient: sim.Client()})
	if err != nil {
		t.Fatal(err)
	}
	c := crashedJob{id: uuid.Must(uuid.NewV7()).String(), inputClosed: inputClosed, numbers: numbers(first, 15)}
	prefix := strings.ReplaceAll(c.id, "-", "")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreateJob(ctx, ledger.Job{ID: c.id, AccountID: account, Action: ledger.ActionAssign, Owner: "dead-replica"}, 0))
	f := ledger.Fence{JobID: c.id, Owner: "dead-replica", Generation: ledger.FirstGeneration}
	must(store.RecordRejections(ctx, f, []ledger.Rejection{{Number: "nope", Reason: "INVALID_FORMAT", Detail: "no digits"}}))
	batched := 15
	if !inputClosed {
		batched = 13
		c.unbatched = c.numbers[13:]
	}
	must(store.RecordReceived(ctx, f, c.numbers))
	cuts := [][2]int{{0, 5}, {5, 10}, {10, batched}}
	for i, cut := range cuts {
		b := ledger.Batch{Seq: i + 1, CustomerOrderID: prefix + "-" + string(rune('1'+i)), Numbers: c.numbers[cut[0]:cut[1]]}
		must(store.RecordBatch(ctx, f, b))
		if i == 2 {
			continue // recorded, never sent
		}
		must(store.RecordCreateAttempt(ctx, f, b.Seq, 0))
		resp, err := bw.CreateOrder(ctx, account, bandwidth.Order{CustomerOrderID: b.CustomerOrderID, Action: bandwidth.ActionAssign, TelephoneNumbers: b.Numbers})
		must(err)
		if i == 0 {
			must(store.RecordOrderID(ctx, f, b.Seq, resp.OrderID))
		}
	}
	if inputClosed {
		must(store.MarkInputClosed(ctx, f))
	}
	return c
}

// TestRecovery: a replica claims the jobs of a dead one once their lease ends, polls recorded
// orders, finds created ones by CustomerOrderId instead of resending them, sends the batches
// Bandwidth never had, and ends each job in its natural state, or ABORTED with the numbers
// never batched listed, when its caller had not sent everything.
func TestRecovery(t *testing.T) {
	t.Parallel()
	store := memory.New()
	sim := bwsim.NewServer(bwsim.DefaultConfig())
	t.Cleanup(sim.Close)
	open := recordCrashedJob(t, store, sim, 9195554000, false)
	closed := recordCrashedJob(t, store, sim, 9195554100, true)
	if err := store.ReleaseLeases(context.Background(), "dead-replica"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	before := len(sim.Received())

	h := newHarness(t, harnessOptions{store: store, simServer: sim, cfg: service.Config{Lease: time.Second, ReplicaID: "survivor"}})
	aborted := waitFinished(t, h, open.id)
	if aborted.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || aborted.GetReceivedCount() != 16 || aborted.GetRejectedCount() != 1 ||
		aborted.GetSucceededCount() != 13 || aborted.GetNotSubmittedCount() != 2 {
		t.Errorf("open job: %v", aborted)
	}
	nums, err := store.NotSubmitted(context.Background(), open.id)
	if err != nil || !slices.Equal(nums, open.unbatched) {
		t.Errorf("not submitted %v (%v), want %v", nums, err, open.unbatched)
	}
	done := waitFinished(t, h, closed.id)
	if done.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || done.GetSucceededCount() != 15 || done.GetRejectedCount() != 1 {
		t.Errorf("closed job: %v", done)
	}
	if n := len(sim.Received()) - before; n != 2 {
		t.Errorf("recovery sent %d orders, want 2 (one unsent batch per job)", n)
	}
	checkNoDuplicateSubmission(t, sim)
	j, err := store.GetJob(context.Background(), closed.id)
	if err != nil || j.Owner != "survivor" {
		t.Errorf("owner %q (%v)", j.Owner, err)
	}
	r := watch(h, open.id)
	if r.err != nil || r.finished.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || len(r.orders) != 3 || len(r.rejected) != 1 {
		t.Errorf("watch of the recovered job: %v, %d orders, %v", r.finished, len(r.orders), r.err)
	}
}

// TestRecoveryListsUnsent: a crashed job with a batch Bandwidth refused before creating it
// (recorded unsent) is finished with that batch's numbers listed as not submitted, not only
// counted.
func TestRecoveryListsUnsent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := memory.New()
	sim := bwsim.NewServer(bwsim.DefaultConfig())
	t.Cleanup(sim.Close)
	id := uuid.Must(uuid.NewV7()).String()
	nums := numbers(9195554200, 10)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(store.CreateJob(ctx, ledger.Job{ID: id, AccountID: account, Action: ledger.ActionAssign, Owner: "dead-replica"}, 0))
	f := ledger.Fence{JobID: id, Owner: "dead-replica", Generation: ledger.FirstGeneration}
	must(store.RecordReceived(ctx, f, nums))
	must(store.RecordBatch(ctx, f, ledger.Batch{Seq: 1, CustomerOrderID: "unsent-1", Numbers: nums[:4]}))
	must(store.RecordCreateAttempt(ctx, f, 1, 0))
	must(store.RecordBatchUnsent(ctx, f, 1))
	must(store.RecordBatch(ctx, f, ledger.Batch{Seq: 2, CustomerOrderID: "unsent-2", Numbers: nums[4:]}))
	must(store.MarkInputClosed(ctx, f))
	must(store.ReleaseLeases(ctx, "dead-replica"))

	h := newHarness(t, harnessOptions{store: store, simServer: sim, cfg: service.Config{Lease: time.Second, ReplicaID: "survivor"}})
	job := waitFinished(t, h, id)
	if job.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || job.GetReceivedCount() != 10 ||
		job.GetSucceededCount() != 6 || job.GetNotSubmittedCount() != 4 {
		t.Errorf("recovered job: %v", job)
	}
	got, err := store.NotSubmitted(ctx, id)
	if err != nil || !slices.Equal(got, nums[:4]) {
		t.Errorf("not submitted %v (%v), want the unsent batch's %v", got, err, nums[:4])
	}
	if n := len(sim.Received()); n != 1 {
		t.Errorf("recovery sent %d orders, want the one batch Bandwidth never had", n)
	}
}
