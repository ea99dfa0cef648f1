package memory_test

import (
	"context"
	"errors"
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

func TestMemory(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := memory.New()
	if err := m.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	job := ledger.Job{ID: "j1", AccountID: "9900000", Action: ledger.ActionAssign, RequestID: "r", Owner: "replica-a"}
	f := ledger.Fence{JobID: "j1", Owner: "replica-a", Generation: ledger.FirstGeneration}
	if err := m.CreateJob(ctx, job, 0); err != nil {
		t.Fatal(err)
	}
	if err := m.CreateJob(ctx, job, 0); !errors.Is(err, ledger.ErrExists) {
		t.Errorf("second CreateJob: %v", err)
	}
	if err := m.RecordBatch(ctx, ledger.Fence{JobID: "nope", Generation: ledger.FirstGeneration}, ledger.Batch{Seq: 1}); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("RecordBatch of unknown job: %v", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.RecordBatch(ctx, f, ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: []string{"9195550001", "9195550002", "9195550003"}}))
	must(m.RecordBatch(ctx, f, ledger.Batch{Seq: 2, CustomerOrderID: "c-2", Numbers: []string{"9195550004"}}))
	must(m.RecordBatch(ctx, f, ledger.Batch{Seq: 3, CustomerOrderID: "c-3", Numbers: []string{"9195550005"}}))
	if err := m.RecordBatch(ctx, f, ledger.Batch{Seq: 1}); !errors.Is(err, ledger.ErrExists) {
		t.Errorf("repeated batch: %v", err)
	}
	must(m.RecordOrderID(ctx, f, 1, "o-1"))
	must(m.RecordSettlement(ctx, f, 1, ledger.Settlement{OrderID: "o-1", Status: "PARTIAL",
		Succeeded: []string{"9195550001", "9195550003"},
		Errors:    []ledger.NumberError{{Code: 5076, Description: "not owned", Numbers: []string{"9195550002", "2025550100"}}}}))
	must(m.RecordBatchUnsent(ctx, f, 3))
	must(m.RecordRejections(ctx, f, []ledger.Rejection{{Number: "abc", Reason: "INVALID_FORMAT", Detail: "no digits"}}))
	counts := ledger.Counts{Received: 6, Rejected: 1, Succeeded: 2, Failed: 1, NotSubmitted: 1}
	must(m.FinishJob(ctx, f, ledger.Result{State: ledger.StateAborted, Counts: counts, NotSubmitted: []string{"9195550005"}, Failure: "CANCELLED"}))
	if err := m.RecordRejections(ctx, f, nil); !errors.Is(err, ledger.ErrJobFinished) {
		t.Errorf("write after finish: %v", err)
	}
	got, err := m.GetJob(ctx, "j1")
	if err != nil || got.State != ledger.StateAborted || got.Counts != counts || got.Failure != "CANCELLED" || got.RequestID != "r" || got.CreatedAt.IsZero() {
		t.Errorf("GetJob = %+v, %v", got, err)
	}
	outcomes, err := m.Outcomes("j1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ledger.OutcomeResult{"9195550001": "succeeded", "9195550002": "failed", "9195550003": "succeeded",
		"9195550004": "unknown", "abc": "rejected", "9195550005": "not_submitted"}
	if len(outcomes) != len(want) {
		t.Errorf("outcomes %+v", outcomes)
	}
	for _, o := range outcomes {
		if want[o.Number] != o.Result {
			t.Errorf("%s: %s, want %s", o.Number, o.Result, want[o.Number])
		}
		if o.Number == "9195550002" && (o.Code != 5076 || o.OrderID != "o-1") {
			t.Errorf("failure %+v", o)
		}
	}
	batches, _ := m.Batches("j1")
	if len(batches) != 3 || batches[0].OrderID != "o-1" || batches[0].Status != "PARTIAL" || !batches[2].Unsent {
		t.Errorf("batches %+v", batches)
	}
	if _, err := m.GetJob(ctx, "nope"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("GetJob unknown: %v", err)
	}
}
