package ledgertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

var createAttemptTests = map[string]func(t *testing.T, s ledger.Store){
	"Deadlines": testCreateAttemptDeadlines,
	"Errors":    testCreateAttemptErrors,
}

// testCreateAttemptDeadlines: PendingWork reports whether a create attempt was recorded and how
// long until the latest deadline passes, by the store's clock.
func testCreateAttemptDeadlines(t *testing.T, s ledger.Store) {
	cases := []struct {
		name      string
		bounds    []time.Duration
		attempted bool
		// The CreateWait reported lies in (min, max], or is 0 when max is.
		min, max time.Duration
	}{
		{"never attempted", nil, false, 0, 0},
		{"an hour", []time.Duration{time.Hour}, true, 59 * time.Minute, time.Hour},
		{"an hour, then a minute", []time.Duration{time.Hour, time.Minute}, true, 59 * time.Minute, time.Hour},
		{"a minute, then an hour", []time.Duration{time.Minute, time.Hour}, true, 59 * time.Minute, time.Hour},
		{"a minute, then two", []time.Duration{time.Minute, 2 * time.Minute}, true, time.Minute, 2 * time.Minute},
		{"an hour, then none", []time.Duration{time.Hour, 0}, true, 59 * time.Minute, time.Hour},
		{"none", []time.Duration{0}, true, 0, 0},
		{"negative", []time.Duration{-time.Hour}, true, 0, 0},
	}
	createJob(t, s, "job-1")
	f := fence("job-1")
	for i, c := range cases {
		seq := i + 1
		must(t, s.RecordBatch(ctx(t), f, ledger.Batch{Seq: seq, CustomerOrderID: fmt.Sprint("c-", seq), Numbers: numbers(9195550000+10*i, 2)}))
		for _, bound := range c.bounds {
			must(t, s.RecordCreateAttempt(ctx(t), f, seq, bound))
		}
	}
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	if len(w.Batches) != len(cases) {
		t.Fatalf("%d pending batches, want %d", len(w.Batches), len(cases))
	}
	for i, c := range cases {
		b := w.Batches[i]
		if b.Seq != i+1 || b.CreateAttempted != c.attempted {
			t.Errorf("%s: batch %d CreateAttempted %v, want batch %d %v", c.name, b.Seq, b.CreateAttempted, i+1, c.attempted)
		}
		if c.max == 0 && b.CreateWait != 0 || c.max != 0 && (b.CreateWait <= c.min || b.CreateWait > c.max) {
			t.Errorf("%s: CreateWait %v, want in (%v, %v]", c.name, b.CreateWait, c.min, c.max)
		}
	}
	// An attempt changes nothing else of the batch, and settling it ends its pending work.
	bs, err := s.ListBatches(ctx(t), "job-1")
	must(t, err)
	equal(t, "batch 2", bs[1], ledger.BatchInfo{Seq: 2, CustomerOrderID: "c-2", Total: 2})
	must(t, s.RecordSettlement(ctx(t), f, 2, ledger.Settlement{Status: "COMPLETE", Succeeded: numbers(9195550010, 2)}))
	w, err = s.PendingWork(ctx(t), "job-1")
	must(t, err)
	if len(w.Batches) != len(cases)-1 || w.Batches[1].Seq != 3 {
		t.Errorf("pending batches after settling batch 2: %+v", w.Batches)
	}
}

// testCreateAttemptErrors: RecordCreateAttempt names a recorded batch of a running job.
func testCreateAttemptErrors(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 1)}))
	for name, c := range map[string]struct {
		f    ledger.Fence
		seq  int
		want error
	}{
		"of an unknown job":   {fence("nope"), 1, ledger.ErrNotFound},
		"of an unknown batch": {fence("job-1"), 2, ledger.ErrNotFound},
		"with a stale fence":  {ledger.Fence{JobID: "job-1", Owner: "replica-b", Generation: ledger.FirstGeneration}, 1, ledger.ErrNotOwner},
	} {
		wantErr(t, "RecordCreateAttempt "+name, s.RecordCreateAttempt(ctx(t), c.f, c.seq, time.Minute), c.want)
	}
	w, err := s.PendingWork(ctx(t), "job-1")
	must(t, err)
	if len(w.Batches) != 1 || w.Batches[0].CreateAttempted {
		t.Errorf("pending batches after refused attempts: %+v", w.Batches)
	}
	finish(t, s, "job-1", ledger.StateFailed)
	wantErr(t, "RecordCreateAttempt of a finished job", s.RecordCreateAttempt(ctx(t), fence("job-1"), 1, time.Minute), ledger.ErrJobFinished)
}
