package ledgertest

import (
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
)

var recoveryTests = map[string]func(t *testing.T, s ledger.Store){
	"PendingWork":      testPendingWork,
	"PendingWorkLarge": testPendingWorkLarge,
}

func testPendingWork(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	if w, err := s.PendingWork(ctx(t), "job-1"); err != nil || len(w.Batches) != 0 || len(w.Unbatched) != 0 || len(w.Unsent) != 0 {
		t.Errorf("PendingWork of a new job = %+v, %v", w, err)
	}
	nums := numbers(9195550000, 10)
	must(t, s.RecordReceived(ctx(t), fence("job-1"), nums[:6]))
	must(t, s.RecordReceived(ctx(t), fence("job-1"), nums[6:]))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: nums[0:4]}))
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, ledger.Settlement{OrderID: "o-1", Status: "COMPLETE", Succeeded: nums[0:4]}))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 2, CustomerOrderID: "c-2", Numbers: []string{nums[6], nums[4]}}))
	must(t, s.RecordOrderID(ctx(t), fence("job-1"), 2, "o-2"))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 3, CustomerOrderID: "c-3", Numbers: nums[7:8]}))
	// Two unsent batches, recorded out of order: Unsent lists them by Seq, each in its order.
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 5, CustomerOrderID: "c-5", Numbers: []string{nums[9], nums[5]}}))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 4, CustomerOrderID: "c-4", Numbers: nums[8:9]}))
	must(t, s.RecordBatchUnsent(ctx(t), fence("job-1"), 5))
	must(t, s.RecordBatchUnsent(ctx(t), fence("job-1"), 4))
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	equal(t, "PendingWork", w, ledger.PendingWork{
		Batches: []ledger.PendingBatch{
			{Seq: 2, CustomerOrderID: "c-2", Numbers: []string{nums[6], nums[4]}, OrderID: "o-2"},
			{Seq: 3, CustomerOrderID: "c-3", Numbers: nums[7:8]},
		},
		Unsent: []string{nums[8], nums[9], nums[5]},
	})
	finish(t, s, "job-1", ledger.StateAborted)
	_, err = s.PendingWork(ctx(t), "job-1")
	wantErr(t, "PendingWork of a finished job", err, ledger.ErrJobFinished)
}

func testPendingWorkLarge(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	nums := numbers(4000000000, 20000)
	for i := 0; i < len(nums); i += 700 {
		must(t, s.RecordReceived(ctx(t), fence("job-1"), nums[i:min(i+700, len(nums))]))
	}
	for seq := 1; seq <= 3; seq++ {
		must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: seq, CustomerOrderID: "c", Numbers: nums[(seq-1)*5000 : seq*5000]}))
	}
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, ledger.Settlement{Status: "COMPLETE", Succeeded: nums[:5000]}))
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	if len(w.Batches) != 2 || w.Batches[0].Seq != 2 || len(w.Batches[1].Numbers) != 5000 || w.Batches[1].Numbers[0] != nums[10000] {
		t.Errorf("pending batches: %d", len(w.Batches))
	}
	equal(t, "unbatched", w.Unbatched, nums[15000:])
	if j := getJob(t, s, "job-1"); j.Counts.Received != 20000 || j.Counts.Succeeded != 5000 {
		t.Errorf("live counts %+v", j.Counts)
	}
}
