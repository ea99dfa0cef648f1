package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

var jobTests = map[string]func(t *testing.T, s ledger.Store){
	"CreateAndGet":           testCreateAndGet,
	"CreateErrors":           testCreateErrors,
	"RequestID":              testRequestID,
	"ConcurrentRequestID":    testConcurrentRequestID,
	"ConcurrentCreateSameID": testConcurrentCreateSameID,
	"Close":                  testClose,
	"CanceledContext":        testCanceledContext,
}

func testCreateAndGet(t *testing.T, s ledger.Store) {
	before := time.Now()
	must(t, s.Ping(ctx(t)))
	in := ledger.Job{ID: "job-1", AccountID: "acct-1", Action: ledger.ActionUnassign, CustomerOrderID: "my order",
		RequestID: "req-1", ValidateOnly: true, Owner: "replica-a",
		// The store sets these; whatever the caller passes is ignored.
		State: ledger.StateFailed, Counts: ledger.Counts{Received: 9}, Failure: "X", InputClosed: true}
	must(t, s.CreateJob(ctx(t), in, ledger.DefaultLease))
	after := time.Now()
	got := getJob(t, s, "job-1")
	if got.ID != in.ID || got.AccountID != in.AccountID || got.Action != in.Action || got.CustomerOrderID != in.CustomerOrderID ||
		got.RequestID != in.RequestID || !got.ValidateOnly || got.Owner != "replica-a" {
		t.Errorf("GetJob = %+v, want the fields of %+v", got, in)
	}
	if got.State != ledger.StateRunning || got.Counts != (ledger.Counts{}) || got.Failure != "" || got.InputClosed || !got.FinishedAt.IsZero() {
		t.Errorf("new job %+v: want running, zero counts, no failure, input open, not finished", got)
	}
	if !within(got.CreatedAt, before, after) || got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("CreatedAt %v UpdatedAt %v, want within [%v, %v]", got.CreatedAt, got.UpdatedAt, before, after)
	}
	if !within(got.LeaseUntil, before.Add(ledger.DefaultLease), after.Add(ledger.DefaultLease)) {
		t.Errorf("LeaseUntil %v, want about now+%v", got.LeaseUntil, ledger.DefaultLease)
	}
	_, err := s.GetJob(ctx(t), "job-2")
	wantErr(t, "GetJob of an unknown job", err, ledger.ErrNotFound)

	must(t, s.MarkInputClosed(ctx(t), fence("job-1")))
	counts := ledger.Counts{Received: 4, Rejected: 1, Succeeded: 1, Failed: 1, NotSubmitted: 1}
	must(t, s.FinishJob(ctx(t), fence("job-1"), ledger.Result{State: ledger.StatePartial, Counts: counts, Failure: "UPSTREAM_UNAVAILABLE"}))
	done := getJob(t, s, "job-1")
	if done.State != ledger.StatePartial || done.Counts != counts || done.Failure != "UPSTREAM_UNAVAILABLE" || !done.InputClosed {
		t.Errorf("finished job %+v", done)
	}
	if done.FinishedAt.IsZero() || done.FinishedAt.Before(done.CreatedAt) || done.UpdatedAt.Before(done.CreatedAt) {
		t.Errorf("finished job times: created %v updated %v finished %v", done.CreatedAt, done.UpdatedAt, done.FinishedAt)
	}
	if !done.CreatedAt.Equal(got.CreatedAt) {
		t.Errorf("CreatedAt changed from %v to %v", got.CreatedAt, done.CreatedAt)
	}
}

func testCreateErrors(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	wantErr(t, "CreateJob with a taken id", s.CreateJob(ctx(t), ledger.Job{ID: "job-1", AccountID: "acct-2", Action: ledger.ActionAssign}, ledger.DefaultLease), ledger.ErrExists)
	if err := s.CreateJob(ctx(t), ledger.Job{AccountID: "acct-1", Action: ledger.ActionAssign}, ledger.DefaultLease); err == nil {
		t.Error("CreateJob with an empty id succeeded")
	}
	// Jobs without a request id never collide.
	createJob(t, s, "job-2")
	createJob(t, s, "job-3")
}

func testRequestID(t *testing.T, s ledger.Store) {
	_, err := s.FindJobByRequestID(ctx(t), "acct-1", "req-1")
	wantErr(t, "FindJobByRequestID before any job", err, ledger.ErrNotFound)
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "job-1", AccountID: "acct-1", Action: ledger.ActionAssign, RequestID: "req-1", Owner: "replica-a"}, ledger.DefaultLease))
	err = s.CreateJob(ctx(t), ledger.Job{ID: "job-2", AccountID: "acct-1", Action: ledger.ActionAssign, RequestID: "req-1"}, ledger.DefaultLease)
	wantErr(t, "CreateJob with a taken request id", err, ledger.ErrRequestExists)
	if _, err := s.GetJob(ctx(t), "job-2"); !errors.Is(err, ledger.ErrNotFound) {
		t.Errorf("the refused job exists: %v", err)
	}
	// The same request id in another account is another key.
	must(t, s.CreateJob(ctx(t), ledger.Job{ID: "job-3", AccountID: "acct-2", Action: ledger.ActionAssign, RequestID: "req-1"}, ledger.DefaultLease))
	for _, c := range []struct{ account, request, want string }{
		{"acct-1", "req-1", "job-1"}, {"acct-2", "req-1", "job-3"}, {"acct-3", "req-1", ""}, {"acct-1", "req-2", ""}, {"acct-1", "", ""},
	} {
		j, err := s.FindJobByRequestID(ctx(t), c.account, c.request)
		if c.want == "" {
			wantErr(t, fmt.Sprintf("FindJobByRequestID(%q, %q)", c.account, c.request), err, ledger.ErrNotFound)
			continue
		}
		if err != nil || j.ID != c.want || j.RequestID != c.request {
			t.Errorf("FindJobByRequestID(%q, %q) = %s, %v; want %s", c.account, c.request, j.ID, err, c.want)
		}
	}
	// A finished job keeps its request id.
	finish(t, s, "job-1", ledger.StateSucceeded)
	if j, err := s.FindJobByRequestID(ctx(t), "acct-1", "req-1"); err != nil || j.State != ledger.StateSucceeded {
		t.Errorf("FindJobByRequestID of a finished job = %+v, %v", j, err)
	}
	wantErr(t, "CreateJob reusing a finished job's request id",
		s.CreateJob(ctx(t), ledger.Job{ID: "job-4", AccountID: "acct-1", Action: ledger.ActionAssign, RequestID: "req-1"}, ledger.DefaultLease), ledger.ErrRequestExists)
}

func testConcurrentRequestID(t *testing.T, s ledger.Store) {
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.CreateJob(ctx(t), ledger.Job{ID: fmt.Sprintf("job-%d", i), AccountID: "acct-1", Action: ledger.ActionAssign, RequestID: "req"}, ledger.DefaultLease)
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("jobs %d and %d both created with one request id", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, ledger.ErrRequestExists):
			t.Errorf("job %d: %v, want ErrRequestExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no job created")
	}
	j, err := s.FindJobByRequestID(ctx(t), "acct-1", "req")
	if err != nil || j.ID != fmt.Sprintf("job-%d", winner) {
		t.Errorf("FindJobByRequestID = %s, %v; want job-%d", j.ID, err, winner)
	}
}

func testConcurrentCreateSameID(t *testing.T, s ledger.Store) {
	const n = 8
	var wg sync.WaitGroup
	var mu sync.Mutex
	created := 0
	for range n {
		wg.Go(func() {
			err := s.CreateJob(ctx(t), ledger.Job{ID: "job-1", AccountID: "acct-1", Action: ledger.ActionAssign}, ledger.DefaultLease)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				created++
			} else if !errors.Is(err, ledger.ErrExists) {
				t.Errorf("CreateJob: %v, want ErrExists", err)
			}
		})
	}
	wg.Wait()
	if created != 1 {
		t.Errorf("%d creates of one id succeeded, want 1", created)
	}
}

func testClose(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	must(t, s.Close())
	if _, err := s.GetJob(ctx(t), "job-1"); err == nil {
		t.Error("GetJob after Close succeeded")
	}
	if err := s.Ping(ctx(t)); err == nil {
		t.Error("Ping after Close succeeded")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func testCanceledContext(t *testing.T, s ledger.Store) {
	createJob(t, s, "job-1")
	c, cancel := context.WithCancel(ctx(t))
	cancel()
	if err := s.RecordBatch(c, fence("job-1"), ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: numbers(9195550000, 3)}); !errors.Is(err, context.Canceled) {
		t.Errorf("RecordBatch with a canceled context: %v", err)
	}
	if _, err := s.GetJob(c, "job-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetJob with a canceled context: %v", err)
	}
	if bs, err := s.ListBatches(ctx(t), "job-1"); err != nil || len(bs) != 0 {
		t.Errorf("after a canceled RecordBatch: batches %+v, %v", bs, err)
	}
}
