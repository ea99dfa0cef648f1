package jobs_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const account = bwsim.DefaultAccountID

// newEngine is an engine on a fresh simulator and memory ledger, shut down at the test's end.
func newEngine(t *testing.T, cfg jobs.Config) (*jobs.Engine, *memory.Store) {
	t.Helper()
	sim := bwsim.NewServer(bwsim.DefaultConfig())
	t.Cleanup(sim.Close)
	bw, err := bandwidth.New(bandwidth.Config{
		BaseURL:    sim.URL,
		Auth:       bandwidth.BasicAuth("demo", "demo"),
		HTTPClient: sim.Client(),
		Retry:      bandwidth.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, CreateLookupWindow: 100 * time.Millisecond},
		Poll:       bandwidth.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, NotFoundGrace: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	store := memory.New()
	cfg.Accounts = []string{account}
	if cfg.BatchLinger == 0 {
		cfg.BatchLinger = time.Minute
	}
	e, err := jobs.New(cfg, bw, store, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Shutdown(context.Background()); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return e, store
}

// recorder collects a job's events.
type recorder struct {
	mu     sync.Mutex
	events []jobs.Event
}

func (r *recorder) send(ev jobs.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, ev)
	return nil
}

func (r *recorder) all() []jobs.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}

// messages is an input yielding each message in turn, then end (io.EOF for a normal end).
func messages(end error, msgs ...[]string) jobs.Input {
	return func() ([]string, error) {
		if len(msgs) == 0 {
			return nil, end
		}
		m := msgs[0]
		msgs = msgs[1:]
		return m, nil
	}
}

// summary tallies a job's events.
type summary struct {
	started    int
	rejected   map[ledger.RejectionReason]int
	succeeded  []string
	finished   *jobs.Finished
	afterFinal int
}

func summarize(t *testing.T, evs []jobs.Event) summary {
	t.Helper()
	s := summary{rejected: map[ledger.RejectionReason]int{}}
	for i, ev := range evs {
		if s.finished != nil {
			s.afterFinal++
		}
		switch e := ev.(type) {
		case jobs.Started:
			if i != 0 {
				t.Errorf("Started is event %d", i)
			}
			s.started++
		case jobs.Rejected:
			for _, r := range e.Numbers {
				s.rejected[r.Reason]++
			}
		case jobs.OrderSettled:
			s.succeeded = append(s.succeeded, e.Settlement.Succeeded...)
		case jobs.Finished:
			s.finished = &e
		}
	}
	return s
}

// TestJobRunsWithoutGRPC runs a job through the engine alone: domain parameters in, domain
// events out, every number accounted for, the ledger holding the same outcome.
func TestJobRunsWithoutGRPC(t *testing.T) {
	t.Parallel()
	e, store := newEngine(t, jobs.Config{BatchSize: 2})
	ctx := t.Context()
	j, existing, err := e.Start(ctx, jobs.Params{AccountID: account, Action: ledger.ActionAssign})
	if err != nil || existing != nil {
		t.Fatalf("Start: %v, %v", existing, err)
	}
	var rec recorder
	err = j.Run(rec.send, []string{"(919) 555-0001", "not a number", "+1 919 555 0001"}, messages(io.EOF, []string{"9195550002", "9195550003"}))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	s := summarize(t, rec.all())
	if s.started != 1 || s.finished == nil || s.afterFinal != 0 {
		t.Fatalf("events: started %d, finished %v, %d after Finished", s.started, s.finished, s.afterFinal)
	}
	if s.rejected[ledger.ReasonInvalidFormat] != 1 || s.rejected[ledger.ReasonDuplicate] != 1 {
		t.Errorf("rejections %v", s.rejected)
	}
	slices.Sort(s.succeeded)
	if !slices.Equal(s.succeeded, []string{"9195550001", "9195550002", "9195550003"}) {
		t.Errorf("succeeded %v", s.succeeded)
	}
	f := s.finished
	want := ledger.Counts{Received: 5, Rejected: 2, Succeeded: 3}
	if f.State != ledger.StatePartial || f.Counts != want || f.Failure != "" {
		t.Errorf("finished %+v, want PARTIAL with %+v", f, want)
	}
	lj, err := store.GetJob(ctx, j.ID())
	if err != nil || lj.State != ledger.StatePartial || lj.Counts != want {
		t.Errorf("ledger has %+v, %v", lj, err)
	}
}

// TestInputErrorEndsTheJob: an input that fails ends the job with the reason the input chose,
// ABORTED when the caller went away and FAILED otherwise; the numbers returned with the error
// are not submitted.
func TestInputErrorEndsTheJob(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		callerGone bool
		state      ledger.State
	}{
		{"caller gone", true, ledger.StateAborted},
		{"caller mistake", false, ledger.StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, _ := newEngine(t, jobs.Config{})
			j, _, err := e.Start(t.Context(), jobs.Params{AccountID: account, Action: ledger.ActionUnassign})
			if err != nil {
				t.Fatal(err)
			}
			cause := &jobs.InputError{Reason: "INPUT_CUT_SHORT", CallerGone: tc.callerGone, Err: errors.New("line 3 is not JSON")}
			sent := false
			input := func() ([]string, error) {
				if sent {
					t.Error("the input was read after it failed")
					return nil, io.EOF
				}
				sent = true
				return []string{"9195550002"}, cause
			}
			var rec recorder
			err = j.Run(rec.send, []string{"9195550001"}, input)
			if !errors.Is(err, cause) {
				t.Fatalf("Run = %v, want the input's error", err)
			}
			f := summarize(t, rec.all()).finished
			if f != nil {
				slices.Sort(f.NotSubmitted)
			}
			if f == nil || f.State != tc.state || f.Failure != "INPUT_CUT_SHORT" || f.Counts.NotSubmitted != 2 ||
				!slices.Equal(f.NotSubmitted, []string{"9195550001", "9195550002"}) {
				t.Errorf("finished %+v, want %s with both numbers not submitted", f, tc.state)
			}
		})
	}
}

// TestBackgroundJobAndFollow starts a job with all its numbers and follows it to its end; a
// repeated request id returns the same job.
func TestBackgroundJobAndFollow(t *testing.T) {
	t.Parallel()
	e, store := newEngine(t, jobs.Config{BatchSize: 3})
	ctx := t.Context()
	p := jobs.Params{AccountID: account, Action: ledger.ActionAssign, RequestID: "req-1"}
	nums := []string{"9195550001", "9195550002", "9195550003", "9195550004", "9195550005"}
	id, err := e.StartBackground(ctx, p, nums)
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.StartBackground(ctx, p, nums)
	if err != nil || again != id {
		t.Fatalf("a repeated request id started %q (%v), want %q", again, err, id)
	}
	lj, err := store.GetJob(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	if err := e.Follow(ctx, lj, rec.send); err != nil {
		t.Fatal(err)
	}
	s := summarize(t, rec.all())
	if s.finished == nil || s.finished.State != ledger.StateSucceeded || len(s.succeeded) != len(nums) {
		t.Errorf("followed %d successes, finished %+v", len(s.succeeded), s.finished)
	}
	p.Action = ledger.ActionUnassign
	var reused *jobs.RequestIDReusedError
	if _, err := e.StartBackground(ctx, p, nums); !errors.As(err, &reused) || reused.JobID != id {
		t.Errorf("the request id reused for another action: %v", err)
	}
}

// TestStartRefuses: an account outside the allow-list, and any job once shutting down.
func TestStartRefuses(t *testing.T) {
	t.Parallel()
	e, _ := newEngine(t, jobs.Config{})
	if _, _, err := e.Start(t.Context(), jobs.Params{AccountID: "42", Action: ledger.ActionAssign}); !errors.Is(err, jobs.ErrAccountNotAllowed) {
		t.Errorf("another account: %v", err)
	}
	if err := e.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Start(t.Context(), jobs.Params{AccountID: account, Action: ledger.ActionAssign}); !errors.Is(err, jobs.ErrShuttingDown) {
		t.Errorf("after Shutdown: %v", err)
	}
	if _, err := e.StartBackground(t.Context(), jobs.Params{AccountID: account, Action: ledger.ActionAssign}, nil); !errors.Is(err, jobs.ErrShuttingDown) {
		t.Errorf("background after Shutdown: %v", err)
	}
}
