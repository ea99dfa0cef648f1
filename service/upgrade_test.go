package service_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

// The fixture testdata/ledger-v0.1.db is a SQLite ledger written by the release before fenced
// writes (commit 1c5d929's tnassignd, killed with SIGKILL): a finished job (PARTIAL: 11
// succeeded, 1 failed with 5076, 1 rejected; request id "fixture-finished"), and a job still
// running whose caller had sent 25 numbers — two batches of 10 settled, 5 never batched.
const (
	fixtureFinished = "01a241e5-ce55-74e0-b682-33a95027cc90"
	fixtureRunning  = "01a241e5-e2c7-7f1b-8fc2-7c341a6cbba0"
)

// TestLedgerFromPreviousRelease: the new code opens the previous release's ledger (migrating it
// at open), serves its finished job as it was recorded, and takes over and finishes its running
// job: ABORTED (the caller's stream died with the process), the 5 numbers never batched listed
// as not submitted, nothing sent again.
func TestLedgerFromPreviousRelease(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join("testdata", "ledger-v0.1.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ledger.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	h := newHarness(t, harnessOptions{ledger: store, cfg: service.Config{ReplicaID: "new-release", Lease: time.Second}})

	done := waitFinished(t, h, fixtureFinished)
	if done.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || done.GetReceivedCount() != 13 || done.GetSucceededCount() != 11 ||
		done.GetFailedCount() != 1 || done.GetRejectedCount() != 1 || len(done.GetOrders()) != 2 {
		t.Errorf("finished job %v", done)
	}
	resumed := waitFinished(t, h, fixtureRunning)
	if resumed.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || resumed.GetFailureReason() != "JOB_INTERRUPTED" ||
		resumed.GetReceivedCount() != 25 || resumed.GetSucceededCount() != 20 || resumed.GetNotSubmittedCount() != 5 {
		t.Errorf("resumed job %v", resumed)
	}
	r := watch(h, fixtureRunning)
	if r.err != nil || len(r.orders) != 2 || r.finished.GetNotSubmittedCount() != 5 {
		t.Errorf("watch: %d orders, %v, %v", len(r.orders), r.finished, r.err)
	}
	if n := len(h.sim.Received()); n != 0 {
		t.Errorf("the resumed job sent %d orders; its batches had settled", n)
	}
	j, err := store.GetJob(context.Background(), fixtureRunning)
	if err != nil || j.Owner != "new-release" || j.Generation != 2 {
		t.Errorf("owner %q generation %d (%v), want the new replica's second generation", j.Owner, j.Generation, err)
	}
}
