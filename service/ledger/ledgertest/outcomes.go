package ledgertest

import (
	"fmt"
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
)

var outcomeTests = map[string]func(t *testing.T, s ledger.Store){
	"OrderAndFilters": testOutcomeOrderAndFilters,
	"BadTokens":       testOutcomeBadTokens,
	"PageSizeCap":     testOutcomePageSizeCap,
}

// outcomeFixture records a job with settled, unsettled and unsent batches, rejections and
// not-submitted numbers, and returns every outcome ListOutcomes must list, in order.
func outcomeFixture(t *testing.T, s ledger.Store) []ledger.Outcome {
	t.Helper()
	createJob(t, s, "job-1")
	b1, b2, b3, b4 := numbers(9195550000, 4), numbers(9195550100, 3), numbers(9195550200, 2), numbers(9195550300, 2)
	for seq, nums := range map[int][]string{1: b1, 2: b2, 3: b3, 4: b4} {
		must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: seq, CustomerOrderID: fmt.Sprint("c-", seq), Numbers: nums}))
	}
	// Batch 2 settles before batch 1; batch 3 never settles; batch 4 is unsent.
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 2, ledger.Settlement{OrderID: "o-2", Status: "FAILED",
		Errors: []ledger.NumberError{{Code: 5076, Description: "not owned", Numbers: b2}}}))
	must(t, s.RecordSettlement(ctx(t), fence("job-1"), 1, ledger.Settlement{OrderID: "o-1", Status: "PARTIAL",
		Succeeded: []string{b1[0], b1[2], b1[3]}, Errors: []ledger.NumberError{{Code: 12, Description: "busy", Numbers: []string{b1[1]}}}}))
	must(t, s.RecordOrderID(ctx(t), fence("job-1"), 3, "o-3"))
	must(t, s.RecordBatchUnsent(ctx(t), fence("job-1"), 4))
	must(t, s.RecordRejections(ctx(t), fence("job-1"), []ledger.Rejection{{Number: "abc", Reason: "INVALID_FORMAT", Detail: "no digits"}}))
	must(t, s.RecordRejections(ctx(t), fence("job-1"), []ledger.Rejection{{Number: "919-555-0000", Reason: "DUPLICATE", Detail: "again"}}))
	must(t, s.FinishJob(ctx(t), fence("job-1"), ledger.Result{State: ledger.StateAborted, NotSubmitted: append(b4, "9195550999")}))

	ok := func(n, seq string) ledger.Outcome {
		return ledger.Outcome{Number: n, Result: ledger.ResultSucceeded, OrderID: "o-" + seq, CustomerOrderID: "c-" + seq}
	}
	bad := func(n, seq string, code int, desc string) ledger.Outcome {
		return ledger.Outcome{Number: n, Result: ledger.ResultFailed, Code: code, Description: desc, OrderID: "o-" + seq, CustomerOrderID: "c-" + seq}
	}
	return []ledger.Outcome{
		ok(b1[0], "1"), bad(b1[1], "1", 12, "busy"), ok(b1[2], "1"), ok(b1[3], "1"),
		bad(b2[0], "2", 5076, "not owned"), bad(b2[1], "2", 5076, "not owned"), bad(b2[2], "2", 5076, "not owned"),
		{Number: "abc", Result: ledger.ResultRejected, Reason: "INVALID_FORMAT", Description: "no digits"},
		{Number: "919-555-0000", Result: ledger.ResultRejected, Reason: "DUPLICATE", Description: "again"},
		{Number: b4[0], Result: ledger.ResultNotSubmitted}, {Number: b4[1], Result: ledger.ResultNotSubmitted},
		{Number: "9195550999", Result: ledger.ResultNotSubmitted},
	}
}

func testOutcomeOrderAndFilters(t *testing.T, s ledger.Store) {
	all := outcomeFixture(t, s)
	for _, result := range []ledger.OutcomeResult{"", ledger.ResultSucceeded, ledger.ResultFailed, ledger.ResultRejected, ledger.ResultNotSubmitted} {
		var want []ledger.Outcome
		for _, o := range all {
			if result == "" || o.Result == result {
				want = append(want, o)
			}
		}
		for _, size := range []int{0, 1, 2, 3, 4, 5, 11, 12, 13, 100000} {
			equal(t, fmt.Sprintf("outcomes (result %q, page size %d)", result, size), allOutcomes(t, s, "job-1", result, size), want)
		}
	}
	if _, err := s.ListOutcomes(ctx(t), "job-1", ledger.OutcomeQuery{Result: "maybe"}); err == nil {
		t.Error("ListOutcomes with an unknown result filter succeeded")
	}
}

func testOutcomeBadTokens(t *testing.T, s ledger.Store) {
	outcomeFixture(t, s)
	createJob(t, s, "job-2")
	p, err := s.ListOutcomes(ctx(t), "job-1", ledger.OutcomeQuery{PageSize: 2})
	must(t, err)
	jobs, err := s.ListJobs(ctx(t), "acct-1", ledger.JobQuery{PageSize: 1})
	must(t, err)
	for name, c := range map[string]struct {
		job string
		q   ledger.OutcomeQuery
	}{
		"garbage":      {"job-1", ledger.OutcomeQuery{PageToken: "%%%"}},
		"truncated":    {"job-1", ledger.OutcomeQuery{PageToken: p.NextPageToken[:len(p.NextPageToken)-3]}},
		"other job":    {"job-2", ledger.OutcomeQuery{PageToken: p.NextPageToken}},
		"other filter": {"job-1", ledger.OutcomeQuery{Result: ledger.ResultFailed, PageToken: p.NextPageToken}},
		"jobs token":   {"job-1", ledger.OutcomeQuery{PageToken: jobs.NextPageToken}},
	} {
		_, err := s.ListOutcomes(ctx(t), c.job, c.q)
		wantErr(t, "ListOutcomes with a token: "+name, err, ledger.ErrBadPageToken)
	}
}

func testOutcomePageSizeCap(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	for seq := 1; seq <= 3; seq++ {
		nums := numbers(3000000000+seq*10000, 5000)
		must(t, s.RecordBatch(ctx(t), fence("job-1"), ledger.Batch{Seq: seq, CustomerOrderID: fmt.Sprint("c-", seq), Numbers: nums}))
		must(t, s.RecordSettlement(ctx(t), fence("job-1"), seq, ledger.Settlement{Status: "COMPLETE", Succeeded: nums}))
	}
	p, err := s.ListOutcomes(ctx(t), "job-1", ledger.OutcomeQuery{PageSize: 50000})
	must(t, err)
	if len(p.Outcomes) != ledger.MaxOutcomePageSize || p.NextPageToken == "" {
		t.Errorf("page of %d outcomes (token %q), want the cap of %d", len(p.Outcomes), p.NextPageToken, ledger.MaxOutcomePageSize)
	}
	p, err = s.ListOutcomes(ctx(t), "job-1", ledger.OutcomeQuery{})
	must(t, err)
	if len(p.Outcomes) != ledger.DefaultOutcomePageSize {
		t.Errorf("default page of %d outcomes, want %d", len(p.Outcomes), ledger.DefaultOutcomePageSize)
	}
	if got := allOutcomes(t, s, "job-1", ledger.ResultSucceeded, 4999); len(got) != 15000 {
		t.Errorf("%d outcomes, want 15000", len(got))
	}
}
