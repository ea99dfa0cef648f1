package bandwidth

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// eventLog records, in order, what the limiter, the attempt hook and the fake server saw.
type eventLog struct {
	mu     sync.Mutex
	events []string
}

func (l *eventLog) add(e string) {
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *eventLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events)
}

// count returns how many events are e.
func (l *eventLog) count(e string) int {
	n := 0
	for _, x := range l.list() {
		if x == e {
			n++
		}
	}
	return n
}

// loggingLimiter is a Limiter that grants at once and logs "limit".
type loggingLimiter struct{ log *eventLog }

func (l loggingLimiter) Wait(ctx context.Context, _ string) error {
	l.log.add("limit")
	return ctx.Err()
}

// attemptRig is a fake whose every request is logged, a client of it with a logging limiter, and
// an AttemptFunc that logs "hook", checks its arguments and fails when fail says so.
type attemptRig struct {
	f     *fakeBandwidth
	c     *Client
	log   *eventLog
	mu    sync.Mutex
	calls int
	fail  func(call int) error // nil: never
}

// newAttemptRig starts the rig; fault, when set, may answer a request instead of the fake (n counts
// POSTs, 0 for other requests).
func newAttemptRig(t *testing.T, fault func(n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool, edit func(*Config)) *attemptRig {
	t.Helper()
	rig := &attemptRig{f: newFake(t), log: &eventLog{}}
	posts := 0
	var mu sync.Mutex
	rig.f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
		n := 0
		if r.Method == http.MethodPost {
			mu.Lock()
			posts++
			n = posts
			mu.Unlock()
		}
		rig.log.add(r.Method)
		return fault != nil && fault(n, w, r, serve)
	}
	rig.c = newClient(t, rig.f, func(c *Config) {
		c.Limiter = loggingLimiter{rig.log}
		if edit != nil {
			edit(c)
		}
	})
	return rig
}

// hook is the rig's AttemptFunc.
func (rig *attemptRig) hook(t *testing.T) AttemptFunc {
	return func(ctx context.Context, bound time.Duration) error {
		rig.log.add("hook")
		if bound != rig.c.RequestTimeout() {
			t.Errorf("bound %v, want RequestTimeout %v", bound, rig.c.RequestTimeout())
		}
		if d, ok := ctx.Deadline(); !ok || time.Until(d) > bound {
			t.Errorf("the attempt's context ends %v from now (set: %v), after the bound %v", time.Until(d), ok, bound)
		}
		rig.mu.Lock()
		rig.calls++
		n := rig.calls
		rig.mu.Unlock()
		if rig.fail != nil {
			return rig.fail(n)
		}
		return nil
	}
}

// postsFollowHooks checks that every POST came right after a hook that came right after the
// limiter's wait, and that every hook was followed by its POST unless it failed (the last event).
func postsFollowHooks(t *testing.T, events []string, lastHookFailed bool) {
	t.Helper()
	for i, e := range events {
		switch e {
		case "POST":
			if i < 2 || events[i-1] != "hook" || events[i-2] != "limit" {
				t.Fatalf("a POST not preceded by limit, hook: %v", events)
			}
		case "hook":
			if i == len(events)-1 && lastHookFailed {
				continue
			}
			if i+1 >= len(events) || events[i+1] != "POST" {
				t.Fatalf("a hook not followed by its POST: %v", events)
			}
		}
	}
}

// TestBeforeEachAttemptCalledPerAttempt shows the hook runs once before every POST — first send,
// resends and the replay after a 401 — and never before a lookup.
func TestBeforeEachAttemptCalledPerAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     func(n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool
		oauth     bool // 401 on the first token, so the create is replayed
		wantHooks int
		wantGets  bool // lookups were made
	}{
		{name: "one attempt", wantHooks: 1},
		{
			name: "429 then created",
			fault: func(n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if n == 1 {
					w.WriteHeader(http.StatusTooManyRequests)
					return true
				}
				return false
			},
			wantHooks: 2,
		},
		{
			name: "503, looked up, resent",
			fault: func(n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if n == 1 || n == 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			wantHooks: 3, wantGets: true,
		},
		{name: "401 replayed with a fresh token", oauth: true, wantHooks: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ts *tokenServer
			if tt.oauth {
				ts = newTokenServer(t)
			}
			rig := newAttemptRig(t, tt.fault, func(c *Config) {
				if ts != nil {
					c.Auth = ts.auth(nil)
				}
			})
			if ts != nil {
				rig.f.auth = func(r *http.Request) bool {
					if r.Header.Get("Authorization") == "Bearer tok-SECRET-1" {
						rig.log.add(r.Method) // refused before the fault hook logs it
						return false
					}
					return true
				}
			}
			resp, err := rig.c.CreateOrder(t.Context(), "9900000", sampleOrder("hooked"), BeforeEachAttempt(rig.hook(t)))
			if err != nil {
				t.Fatal(err)
			}
			events := rig.log.list()
			postsFollowHooks(t, events, false)
			_, _, _, created := rig.f.counts()
			if hooks, posts := rig.log.count("hook"), rig.log.count("POST"); hooks != tt.wantHooks || posts != hooks || created != 1 || resp.OrderID == "" {
				t.Errorf("%d hooks, %d POSTs, %d orders created; want %d hooks and POSTs, 1 order\n%v", hooks, posts, created, tt.wantHooks, events)
			}
			if gets := rig.log.count("GET"); (gets > 0) != tt.wantGets {
				t.Errorf("%d lookups: %v", gets, events)
			}
			if tt.oauth && ts.fetches.Load() != 2 {
				t.Errorf("%d token fetches, want 2 (the refused one and its refresh)", ts.fetches.Load())
			}
		})
	}
}

// TestBeforeEachAttemptError shows a failing hook stops the create with nothing more sent, and
// when the error says the outcome is unknown.
func TestBeforeEachAttemptError(t *testing.T) {
	t.Parallel()
	errStop := errors.New("lease lost")
	status := func(code int, times int) func(n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		return func(n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
			if n >= 1 && n <= times {
				w.WriteHeader(code)
				return true
			}
			return false
		}
	}
	tests := []struct {
		name        string
		fault       func(n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool
		oauth       bool
		edit        func(*Config)
		failOn      int // the hook call that fails
		wantPosts   int // POSTs on the wire
		wantUnknown bool
	}{
		{name: "first attempt: nothing sent", failOn: 1, wantPosts: 0},
		{name: "after a 429: the order was not created", fault: status(http.StatusTooManyRequests, 1), failOn: 2, wantPosts: 1},
		{name: "after a 503: it may exist", fault: status(http.StatusServiceUnavailable, 1), failOn: 2, wantPosts: 1, wantUnknown: true},
		{
			name: "after a reset: it may exist",
			fault: func(n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if n != 1 {
					return false
				}
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					resetConn(conn)
				}
				return true
			},
			edit:   func(c *Config) { c.RequestTimeout = 100 * time.Millisecond },
			failOn: 2, wantPosts: 1, wantUnknown: true,
		},
		{name: "before the replay after a 401: not created", oauth: true, failOn: 2, wantPosts: 1},
		{
			name: "after a 503 and a 429: it may exist",
			fault: func(n int, w http.ResponseWriter, r *http.Request, s http.HandlerFunc) bool {
				switch n {
				case 1:
					w.WriteHeader(http.StatusServiceUnavailable)
				case 2:
					w.WriteHeader(http.StatusTooManyRequests)
				default:
					return false
				}
				return true
			},
			failOn: 3, wantPosts: 2, wantUnknown: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ts *tokenServer
			if tt.oauth {
				ts = newTokenServer(t)
			}
			rig := newAttemptRig(t, tt.fault, func(c *Config) {
				if ts != nil {
					c.Auth = ts.auth(nil)
				}
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			if ts != nil {
				rig.f.auth = func(r *http.Request) bool {
					rig.log.add("POST") // refused before the fault hook logs it
					return false
				}
			}
			rig.fail = func(n int) error {
				if n == tt.failOn {
					return errStop
				}
				return nil
			}
			_, err := rig.c.CreateOrder(t.Context(), "9900000", sampleOrder("hook-fails"), BeforeEachAttempt(rig.hook(t)))
			if !errors.Is(err, errStop) {
				t.Fatalf("error = %v, want one wrapping the hook's", err)
			}
			if errors.Is(err, ErrOutcomeUnknown) != tt.wantUnknown {
				t.Errorf("error = %v; matches ErrOutcomeUnknown: %v, want %v", err, !tt.wantUnknown, tt.wantUnknown)
			}
			events := rig.log.list()
			if len(events) == 0 || events[len(events)-1] != "hook" {
				t.Errorf("something was sent after the hook failed: %v", events)
			}
			postsFollowHooks(t, events, true)
			if posts := rig.log.count("POST"); posts != tt.wantPosts {
				t.Errorf("%d POSTs, want %d: %v", posts, tt.wantPosts, events)
			}
		})
	}
}

// TestBeforeEachAttemptSeveral checks several hooks run in order, the first error stopping the
// rest, and that a nil hook is ignored.
func TestBeforeEachAttemptSeveral(t *testing.T) {
	t.Parallel()
	rig := newAttemptRig(t, nil, nil)
	var order []string
	first := func(context.Context, time.Duration) error { order = append(order, "first"); return nil }
	second := func(context.Context, time.Duration) error { order = append(order, "second"); return errors.New("no") }
	third := func(context.Context, time.Duration) error { order = append(order, "third"); return nil }
	_, err := rig.c.CreateOrder(t.Context(), "9900000", sampleOrder("several"),
		BeforeEachAttempt(first), BeforeEachAttempt(nil), BeforeEachAttempt(second), BeforeEachAttempt(third), CreateOption{})
	if err == nil || !slices.Equal(order, []string{"first", "second"}) || rig.log.count("POST") != 0 {
		t.Errorf("err %v, hooks %v, %d POSTs", err, order, rig.log.count("POST"))
	}
	order = nil
	if _, err := rig.c.CreateOrder(t.Context(), "9900000", sampleOrder("several"), BeforeEachAttempt(first), BeforeEachAttempt(nil)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, []string{"first"}) {
		t.Errorf("hooks %v", order)
	}
}

// TestBeforeEachAttemptNotForLookups checks that only a create's POSTs call its hook: reads made
// afterwards (GetOrder, FindOrder) are preceded by the limiter's wait alone.
func TestBeforeEachAttemptNotForLookups(t *testing.T) {
	t.Parallel()
	rig := newAttemptRig(t, nil, nil)
	resp, err := rig.c.CreateOrder(t.Context(), "9900000", sampleOrder("reads"), BeforeEachAttempt(rig.hook(t)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rig.c.GetOrder(t.Context(), "9900000", resp.OrderID); err != nil {
		t.Fatal(err)
	}
	if _, err := rig.c.FindOrder(t.Context(), "9900000", "reads"); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rig.log.list(), " "); got != "limit hook POST limit GET limit GET limit GET" {
		t.Errorf("events %q", got)
	}
}
