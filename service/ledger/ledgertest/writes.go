package ledgertest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

var writeTests = map[string]func(t *testing.T, s ledger.Store){
	"Errors":             testWriteErrors,
	"RoundTrip":          testRoundTrip,
	"SettlementDetails":  testSettlementDetails,
	"Resettle":           testResettle,
	"LiveCounts":         testLiveCounts,
	"ConcurrentBatches":  testConcurrentBatches,
	"LargeBatch":         testLargeBatch,
	"NonCanonicalNumber": testNonCanonicalNumbers,
}

// writes are the Store's fenced writes to one job, named for error messages, in an order that
// one job can take them in: each call of a write that names a batch (batch set) names batch seq.
var writes = []struct {
	name  string
	batch bool
	call  func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error
}{
	{"RecordBatch", false, func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error {
		return s.RecordBatch(ctx(t), f, ledger.Batch{Seq: seq + 100, CustomerOrderID: fmt.Sprint("c-", seq+100), Numbers: numbers(9195550100, 1)})
	}},
	{"RecordCreateAttempt", true, func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error {
		return s.RecordCreateAttempt(ctx(t), f, seq, time.Hour)
	}},
	{"RecordBatchUnsent", true, func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error {
		return s.RecordBatchUnsent(ctx(t), f, seq)
	}},
	{"RecordOrderID", true, func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error {
		return s.RecordOrderID(ctx(t), f, seq, "order")
	}},
	{"RecordSettlement", true, func(t *testing.T, s ledger.Store, f ledger.Fence, seq int) error {
		return s.RecordSettlement(ctx(t), f, seq, ledger.Settlement{Status: "COMPLETE", Succeeded: numbers(9195550000, 1)})
	}},
	{"RecordRejections", false, func(t *testing.T, s ledger.Store, f ledger.Fence, _ int) error {
		return s.RecordRejections(ctx(t), f, []ledger.Rejection{{Number: "x", Reason: "INVALID_FORMAT", Detail: "d"}})
	}},
	{"RecordReceived", false, func(t *testing.T, s ledger.Store, f ledger.Fence, _ int) error {
		return s.RecordReceived(ctx(t), f, numbers(9195551000, 2))
	}},
	{"MarkInputClosed", false, func(t *testing.T, s ledger.Store, f ledger.Fence, _ int) error {
		return s.MarkInputClosed(ctx(t), f)
	}},
	{"FinishJob", false, func(t *testing.T, s ledger.Store, f ledger.Fence, _ int) error {
		return s.FinishJob(ctx(t), f, ledger.Result{State: ledger.StateSucceeded})
	}},
}

func testWriteErrors(t *testing.T, s ledger.Store) {
	createJob(t, s, "done")
	must(t, s.RecordBatch(ctx(t), fence("done"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}))
	finish(t, s, "done", ledger.StateSucceeded)
	createJob(t, s, "running")
	must(t, s.RecordBatch(ctx(t), fence("running"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}))
	for _, w := range writes {
		wantErr(t, w.name+" of an unknown job", w.call(t, s, fence("nope"), 1), ledger.ErrNotFound)
		wantErr(t, w.name+" of a finished job", w.call(t, s, fence("done"), 1), ledger.ErrJobFinished)
		if w.batch {
			wantErr(t, w.name+" of an unknown batch", w.call(t, s, fence("running"), 2), ledger.ErrNotFound)
		}
	}
	wantErr(t, "RecordBatch of a recorded seq", s.RecordBatch(ctx(t), fence("running"), ledger.Batch{Seq: 1, CustomerOrderID: "c-9", Numbers: numbers(9195550001, 1)}), ledger.ErrExists)
	if err := s.FinishJob(ctx(t), fence("running"), ledger.Result{State: ledger.StateRunning}); err == nil {
		t.Error("FinishJob with a running state succeeded")
	}
	if j := getJob(t, s, "running"); j.State != ledger.StateRunning {
		t.Errorf("job state %s after a refused FinishJob", j.State)
	}
	_, err := s.PendingWork(ctx(t), "done")
	wantErr(t, "PendingWork of a finished job", err, ledger.ErrJobFinished)
	for name, err := range map[string]error{
		"ListBatches":  func() error { _, err := s.ListBatches(ctx(t), "nope"); return err }(),
		"Settlement":   func() error { _, err := s.Settlement(ctx(t), "nope", 1); return err }(),
		"Rejections":   func() error { _, _, err := s.Rejections(ctx(t), "nope", 0, 10); return err }(),
		"NotSubmitted": func() error { _, err := s.NotSubmitted(ctx(t), "nope"); return err }(),
		"ListOutcomes": func() error { _, err := s.ListOutcomes(ctx(t), "nope", ledger.OutcomeQuery{}); return err }(),
		"PendingWork":  func() error { _, err := s.PendingWork(ctx(t), "nope"); return err }(),
	} {
		wantErr(t, name+" of an unknown job", err, ledger.ErrNotFound)
	}
}

func testRoundTrip(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.RecordReceived(ctx(t), fence("job-1"), numbers(9195550000, 6)))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 3)}))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 2, CustomerOrderID: "c-2", Numbers: numbers(9195550003, 2)}))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 3, CustomerOrderID: "c-3", Numbers: numbers(9195550005, 1)}))
	must(t, s.RecordOrderID(ctx(t), fence("job-1"), 1, "o-1"))
	settlement := ledger.Settlement{OrderID: "o-1", Status: "PARTIAL", Succeeded: []string{"9195550000", "9195550002"},
		Errors: []ledger.NumberError{{Code: 5076, Description: "not owned", Numbers: []string{"9195550001"}}}}
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, settlement))
	must(t, s.RecordOrderID(ctx(t), fence("job-1"), 2, "o-2"))
	must(t, s.RecordBatchUnsent(ctx(t), fence("job-1"), 3))
	rejections := []ledger.Rejection{{Number: "(919) 555", Reason: "INVALID_FORMAT", Detail: "too short"}, {Number: "9195550000", Reason: "DUPLICATE", Detail: "seen"}}
	must(t, s.RecordRejections(ctx(t), fence("job-1"), rejections))
	must(t, s.MarkInputClosed(ctx(t), fence("job-1")))

	batches, err := s.ListBatches(ctx(t), "job-1")
	must(t, err)
	equal(t, "ListBatches", batches, []ledger.BatchInfo{
		{Seq: 1, CustomerOrderID: "c-1", OrderID: "o-1", Status: "PARTIAL", Total: 3, Failed: 1, Settled: true},
		{Seq: 2, CustomerOrderID: "c-2", OrderID: "o-2", Total: 2},
		{Seq: 3, CustomerOrderID: "c-3", Total: 1, Unsent: true},
	})
	got, err := s.Settlement(ctx(t), "job-1", 1)
	must(t, err)
	equal(t, "Settlement", got, settlement)
	_, err = s.Settlement(ctx(t), "job-1", 2)
	wantErr(t, "Settlement of an unsettled batch", err, ledger.ErrNotFound)
	_, err = s.Settlement(ctx(t), "job-1", 9)
	wantErr(t, "Settlement of an unknown batch", err, ledger.ErrNotFound)
	if ns, err := s.NotSubmitted(ctx(t), "job-1"); err != nil || len(ns) != 0 {
		t.Errorf("NotSubmitted while running = %v, %v", ns, err)
	}

	// The process "dies" here; recovery settles batch 2 as failed and finishes.
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 2, ledger.Settlement{OrderID: "o-2", Status: "FAILED",
		Errors: []ledger.NumberError{{Code: 0, Description: "order outcome unknown", Numbers: numbers(9195550003, 2)}}}))
	counts := ledger.Counts{Received: 8, Rejected: 2, Succeeded: 2, Failed: 3, NotSubmitted: 1}
	must(t, s.FinishJob(ctx(t), fence("job-1"), ledger.Result{State: ledger.StatePartial, Counts: counts, NotSubmitted: []string{"9195550005"}}))
	if ns, err := s.NotSubmitted(ctx(t), "job-1"); err != nil || len(ns) != 1 || ns[0] != "9195550005" {
		t.Errorf("NotSubmitted = %v, %v", ns, err)
	}
	rs, total, err := s.Rejections(ctx(t), "job-1", 0, 10)
	must(t, err)
	equal(t, "Rejections", rs, rejections)
	if total != 2 {
		t.Errorf("Rejections total %d, want 2", total)
	}
	if j := getJob(t, s, "job-1"); j.Counts != counts || !j.InputClosed || j.State != ledger.StatePartial {
		t.Errorf("job %+v", j)
	}
	// Reads keep serving the finished job.
	if bs, err := s.ListBatches(ctx(t), "job-1"); err != nil || len(bs) != 3 || bs[1].Status != "FAILED" || bs[1].Failed != 2 {
		t.Errorf("ListBatches after finish = %+v, %v", bs, err)
	}
}

func testSettlementDetails(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	nums := numbers(9195550000, 8)
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 7, CustomerOrderID: "c-7", Numbers: nums}))
	// Out of order, with a foreign number and two numbers named nowhere.
	in := ledger.Settlement{OrderID: "o-7", Status: "PARTIAL",
		Succeeded: []string{nums[5], nums[0], "2025550100", nums[3]},
		Errors: []ledger.NumberError{
			{Code: 5076, Description: "not owned", Numbers: []string{nums[6], nums[1]}},
			{Code: 0, Description: "service failure", Numbers: []string{nums[2]}},
			{Code: 12345, Description: "names only foreign numbers", Numbers: []string{"2025550101"}},
		}}
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 7, in))
	got, err := s.Settlement(ctx(t), "job-1", 7)
	must(t, err)
	equal(t, "Settlement", got, ledger.Settlement{OrderID: "o-7", Status: "PARTIAL",
		Succeeded: []string{nums[0], nums[3], nums[5]},
		Errors: []ledger.NumberError{
			{Code: 5076, Description: "not owned", Numbers: []string{nums[1], nums[6]}},
			{Code: 0, Description: "service failure", Numbers: []string{nums[2]}},
			{Code: 12345, Description: "names only foreign numbers"},
		}})
	bs, err := s.ListBatches(ctx(t), "job-1")
	must(t, err)
	equal(t, "ListBatches", bs, []ledger.BatchInfo{{Seq: 7, CustomerOrderID: "c-7", OrderID: "o-7", Status: "PARTIAL", Total: 8, Failed: 3, Settled: true}})
	// The settlement named the order: no RecordOrderID was needed.
	var want []ledger.Outcome
	for i, r := range []string{"s", "f5076", "f0", "s", "", "s", "f5076", ""} {
		o := ledger.Outcome{Number: nums[i], OrderID: "o-7", CustomerOrderID: "c-7"}
		switch r {
		case "":
			continue // unknown outcomes are left out
		case "s":
			o.Result = ledger.ResultSucceeded
		case "f5076":
			o.Result, o.Code, o.Description = ledger.ResultFailed, 5076, "not owned"
		case "f0":
			o.Result, o.Description = ledger.ResultFailed, "service failure"
		}
		want = append(want, o)
	}
	equal(t, "outcomes", allOutcomes(t, s, "job-1", "", 0), want)
}

func testResettle(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	nums := numbers(9195550000, 4)
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: nums}))
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, ledger.Settlement{OrderID: "o-1", Status: "FAILED",
		Errors: []ledger.NumberError{{Code: 1, Description: "a", Numbers: nums}}}))
	second := ledger.Settlement{OrderID: "o-1", Status: "COMPLETE", Succeeded: nums}
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, second))
	got, err := s.Settlement(ctx(t), "job-1", 1)
	must(t, err)
	equal(t, "Settlement after a second RecordSettlement", got, second)
	if j := getJob(t, s, "job-1"); j.Counts.Succeeded != 4 || j.Counts.Failed != 0 {
		t.Errorf("live counts after resettling %+v", j.Counts)
	}
}

func testLiveCounts(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.RecordReceived(ctx(t), fence("job-1"), numbers(9195550000, 5)))
	must(t, s.RecordRejections(ctx(t), fence("job-1"), []ledger.Rejection{{Number: "x", Reason: "INVALID_FORMAT"}}))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 5)}))
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, ledger.Settlement{Status: "PARTIAL", Succeeded: numbers(9195550000, 3),
		Errors: []ledger.NumberError{{Code: 5076, Numbers: numbers(9195550003, 1)}}}))
	if got, want := getJob(t, s, "job-1").Counts, (ledger.Counts{Received: 6, Rejected: 1, Succeeded: 3, Failed: 1}); got != want {
		t.Errorf("live counts %+v, want %+v", got, want)
	}
}

func testConcurrentBatches(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	const n = 16
	var wg sync.WaitGroup
	for seq := 1; seq <= n; seq++ {
		wg.Go(func() {
			nums := numbers(9195550000+seq*100, 50)
			if err := s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: seq, CustomerOrderID: fmt.Sprint("c-", seq), Numbers: nums}); err != nil {
				t.Error(err)
				return
			}
			if err := s.RecordOrderID(ctx(t), fence("job-1"), seq, fmt.Sprint("o-", seq)); err != nil {
				t.Error(err)
			}
			if err := s.RecordSettlement(ctx(t), fence("job-1"), seq, ledger.Settlement{Status: "COMPLETE", Succeeded: nums}); err != nil {
				t.Error(err)
			}
			if err := s.RecordRejections(ctx(t), fence("job-1"), []ledger.Rejection{{Number: fmt.Sprint(seq), Reason: "INVALID_FORMAT"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	bs, err := s.ListBatches(ctx(t), "job-1")
	must(t, err)
	if len(bs) != n {
		t.Fatalf("%d batches, want %d", len(bs), n)
	}
	for i, b := range bs {
		if b.Seq != i+1 || b.OrderID != fmt.Sprint("o-", i+1) || !b.Settled || b.Total != 50 {
			t.Errorf("batch %+v", b)
		}
	}
	if _, total, err := s.Rejections(ctx(t), "job-1", 0, 0); err != nil || total != n {
		t.Errorf("rejections total %d, %v; want %d", total, err, n)
	}
	if c := getJob(t, s, "job-1").Counts; c.Succeeded != n*50 || c.Rejected != n {
		t.Errorf("counts %+v", c)
	}
}

func testLargeBatch(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	nums := numbers(2000000000, 5000)
	must(t, s.RecordReceived(ctx(t), fence("job-1"), nums))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: nums}))
	must(t, s.RecordOrderID(ctx(t), fence("job-1"), 1, "o-1"))
	failed := []string{nums[0], nums[2500], nums[4999]}
	succeeded := make([]string, 0, len(nums))
	for i, n := range nums {
		if i != 0 && i != 2500 && i != 4999 {
			succeeded = append(succeeded, n)
		}
	}
	want := ledger.Settlement{OrderID: "o-1", Status: "PARTIAL", Succeeded: succeeded,
		Errors: []ledger.NumberError{{Code: 5076, Description: "not owned", Numbers: failed}}}
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, want))
	got, err := s.Settlement(ctx(t), "job-1", 1)
	must(t, err)
	equal(t, "Settlement of 5,000 numbers", got, want)
	outs := allOutcomes(t, s, "job-1", "", 1500)
	if len(outs) != 5000 {
		t.Fatalf("%d outcomes, want 5000", len(outs))
	}
	for i, o := range outs {
		if o.Number != nums[i] {
			t.Fatalf("outcome %d is %s, want %s", i, o.Number, nums[i])
		}
	}
	if f := allOutcomes(t, s, "job-1", ledger.ResultFailed, 2); len(f) != 3 || f[2].Number != nums[4999] {
		t.Errorf("failed outcomes %+v", f)
	}
}

func testNonCanonicalNumbers(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	mixed := []string{"9195550000", "+1 919 555 0001", "", "919555000x", "0000000000"}
	must(t, s.RecordReceived(ctx(t), fence("job-1"), mixed))
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: mixed[:2]}))
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	equal(t, "unbatched", w.Unbatched, mixed[2:])
	equal(t, "pending batch numbers", w.Batches[0].Numbers, mixed[:2])
	must(t, s.FinishJob(ctx(t), fence("job-1"), ledger.Result{State: ledger.StateAborted, NotSubmitted: mixed}))
	ns, err := s.NotSubmitted(ctx(t), "job-1")
	must(t, err)
	equal(t, "NotSubmitted", ns, mixed)
}
