package ledgertest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
)

var listTests = map[string]func(t *testing.T, s ledger.Store){
	"ListJobs":          testListJobs,
	"ListJobsBadTokens": testListJobsBadTokens,
	"Rejections":        testRejections,
}

func testListJobs(t *testing.T, s ledger.Store) {
	// Ids count up with creation, so newest first is also descending ids (a tie in CreatedAt is
	// broken by id).
	states := map[string]ledger.State{}
	for i := 1; i <= 7; i++ {
		id := fmt.Sprintf("job-%02d", i)
		createJob(t, s, id)
		states[id] = ledger.StateRunning
		if i%3 == 0 {
			finish(t, s, id, ledger.StateSucceeded)
			states[id] = ledger.StateSucceeded
		}
	}
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "other", AccountID: "acct-2", Action: ledger.ActionAssign}, ledger.DefaultLease))
	list := func(state ledger.State, size int) []string {
		t.Helper()
		var ids []string
		q := ledger.JobQuery{State: state, PageSize: size}
		for range 20 {
			p, err := s.ListJobs(ctx(t), "acct-1", q)
			must(t, err)
			if size > 0 && len(p.Jobs) > size || len(p.Jobs) == 0 && p.NextPageToken != "" {
				t.Fatalf("page of %d jobs for page size %d, token %q", len(p.Jobs), size, p.NextPageToken)
			}
			for _, j := range p.Jobs {
				if j.AccountID != "acct-1" || j.State != states[j.ID] {
					t.Errorf("listed job %+v", j)
				}
				ids = append(ids, j.ID)
			}
			if p.NextPageToken == "" {
				return ids
			}
			q.PageToken = p.NextPageToken
		}
		t.Fatal("too many pages")
		return nil
	}
	all := []string{"job-07", "job-06", "job-05", "job-04", "job-03", "job-02", "job-01"}
	cases := []struct {
		state ledger.State
		want  []string
	}{
		{"", all},
		{ledger.StateRunning, []string{"job-07", "job-05", "job-04", "job-02", "job-01"}},
		{ledger.StateSucceeded, []string{"job-06", "job-03"}},
		{ledger.StateFailed, nil},
	}
	for _, c := range cases {
		for _, size := range []int{0, 1, 2, 3, 5, 7, 8, 100000} {
			if got := list(c.state, size); !slices.Equal(got, c.want) {
				t.Errorf("ListJobs(state %q, page size %d) = %v, want %v", c.state, size, got, c.want)
			}
		}
	}
	if p, err := s.ListJobs(ctx(t), "acct-3", ledger.JobQuery{}); err != nil || len(p.Jobs) != 0 || p.NextPageToken != "" {
		t.Errorf("ListJobs of an account without jobs = %+v, %v", p, err)
	}
}

func testListJobsBadTokens(t *testing.T, s ledger.Store) {
	for i := range 3 {
		createJob(t, s, fmt.Sprint("job-", i))
	}
	p, err := s.ListJobs(ctx(t), "acct-1", ledger.JobQuery{PageSize: 1})
	must(t, err)
	if p.NextPageToken == "" {
		t.Fatal("no next page token")
	}
	for name, c := range map[string]struct {
		account string
		q       ledger.JobQuery
	}{
		"garbage":        {"acct-1", ledger.JobQuery{PageToken: "not a token!"}},
		"truncated":      {"acct-1", ledger.JobQuery{PageToken: p.NextPageToken[:len(p.NextPageToken)/2]}},
		"other account":  {"acct-2", ledger.JobQuery{PageToken: p.NextPageToken}},
		"other filter":   {"acct-1", ledger.JobQuery{State: ledger.StateRunning, PageToken: p.NextPageToken}},
		"outcomes token": {"acct-1", ledger.JobQuery{PageToken: outcomeToken(t, s)}},
	} {
		_, err := s.ListJobs(ctx(t), c.account, c.q)
		wantErr(t, "ListJobs with a token: "+name, err, ledger.ErrBadPageToken)
	}
	// Another page size keeps the token valid.
	if p2, err := s.ListJobs(ctx(t), "acct-1", ledger.JobQuery{PageSize: 10, PageToken: p.NextPageToken}); err != nil || len(p2.Jobs) != 2 {
		t.Errorf("second page with another page size = %+v, %v", p2, err)
	}
}

// outcomeToken returns a valid ListOutcomes page token of a new job.
func outcomeToken(t *testing.T, s ledger.Store) string {
	t.Helper()
	createJob(t, s, "tok")
	must(t, s.RecordRejections(ctx(t), fence("tok"), []ledger.Rejection{{Number: "a"}, {Number: "b"}}))
	p, err := s.ListOutcomes(ctx(t), "tok", ledger.OutcomeQuery{PageSize: 1})
	must(t, err)
	return p.NextPageToken
}

func testRejections(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	var all []ledger.Rejection
	for chunk, size := range []int{3, 1, 5} {
		var rs []ledger.Rejection
		for i := range size {
			rs = append(rs, ledger.Rejection{Number: fmt.Sprintf("n%d-%d", chunk, i), Reason: "DUPLICATE", Detail: fmt.Sprint("detail ", i)})
		}
		must(t, s.RecordRejections(ctx(t), fence("job-1"), rs))
		all = append(all, rs...)
	}
	must(t, s.RecordRejections(ctx(t), fence("job-1"), nil))
	for _, c := range []struct{ from, limit int }{{0, 100}, {0, 9}, {0, 1}, {2, 2}, {3, 1}, {4, 5}, {8, 3}, {9, 1}, {20, 5}, {0, 0}} {
		got, total, err := s.Rejections(ctx(t), "job-1", c.from, c.limit)
		must(t, err)
		want := all[min(c.from, len(all)):min(c.from+c.limit, len(all))]
		equal(t, fmt.Sprintf("Rejections(%d, %d)", c.from, c.limit), got, want)
		if total != len(all) {
			t.Errorf("Rejections total %d, want %d", total, len(all))
		}
	}
	createJob(t, s, "job-2")
	if rs, total, err := s.Rejections(ctx(t), "job-2", 0, 10); err != nil || len(rs) != 0 || total != 0 {
		t.Errorf("Rejections of a job without any = %v, %d, %v", rs, total, err)
	}
}
