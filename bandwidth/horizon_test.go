package bandwidth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestCreateHorizon checks the rule of CreateOrder: an attempt may create the order until its
// start + RequestTimeout, and the order is visible within the lookup window after that.
func TestCreateHorizon(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	const timeout, window = 30 * time.Second, 15 * time.Second
	tests := []struct {
		name     string
		now      time.Time
		start    time.Time
		answered bool
		want     time.Time
	}{
		{"reset at once: the attempt may still create until start+timeout", t0.Add(time.Second), t0, false, t0.Add(timeout + window)},
		{"timed out: start+timeout has passed", t0.Add(timeout + 10*time.Millisecond), t0, false, t0.Add(timeout + 10*time.Millisecond + window)},
		{"reset half way", t0.Add(timeout / 2), t0, false, t0.Add(timeout + window)},
		{"5xx at once: over at Bandwidth when answered", t0.Add(time.Second), t0, true, t0.Add(time.Second + window)},
		{"unreadable 2xx late", t0.Add(20 * time.Second), t0, true, t0.Add(20*time.Second + window)},
		{"no start known", t0, time.Time{}, false, t0.Add(window)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := createHorizon(tt.now, tt.start, tt.answered, timeout, window); !got.Equal(tt.want) {
				t.Errorf("createHorizon = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCreateLookupHorizon shows the rule at work. The order becomes visible to searches only after
// many of them; the window alone is far too short to wait for it. After a reset without an answer
// the client looks until start+RequestTimeout+window (a minute here) and finds the order; after a
// 500 it looks only the window past the answer, then resends. Nothing here depends on how fast the
// machine is: the searches that hide the order are counted, not timed, and the minute is a bound
// the lookups never come near.
func TestCreateLookupHorizon(t *testing.T) {
	t.Parallel()
	createThen := func(then func(w http.ResponseWriter)) func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) {
		return func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) {
			serve(httptest.NewRecorder(), r)
			then(w)
		}
	}
	tests := []struct {
		name        string
		fault       func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc)
		hideFor     int
		wantPosts   int
		wantCreated int
	}{
		{
			name: "response lost without a status: keeps looking past the window, found",
			fault: createThen(func(w http.ResponseWriter) {
				if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
					resetConn(conn)
				}
			}),
			hideFor: 8, wantPosts: 1, wantCreated: 1,
		},
		{
			name:    "500 after creating: looks for the window only, then resends",
			fault:   createThen(func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }),
			hideFor: 1000, wantPosts: 2, wantCreated: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.hideFor = tt.hideFor
			var posts atomic.Int32
			f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
				if r.Method != http.MethodPost || posts.Add(1) != 1 {
					return false
				}
				tt.fault(w, r, serve)
				return true
			}
			c := newClient(t, f, func(c *Config) {
				c.RequestTimeout = time.Minute
				c.Retry.CreateLookupWindow = time.Millisecond
				c.Retry.MaxElapsed = 2 * time.Minute
			})
			if _, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("horizon")); err != nil {
				t.Fatal(err)
			}
			_, _, lists, created := f.counts()
			if int(posts.Load()) != tt.wantPosts || created != tt.wantCreated || lists == 0 {
				t.Errorf("%d POSTs, %d orders, %d searches; want %d POSTs, %d orders", posts.Load(), created, lists, tt.wantPosts, tt.wantCreated)
			}
		})
	}
}

// TestCreateLookupHorizonBoundedByContext checks the long horizon after a reset does not outlive
// the caller: when ctx ends first, the outcome is unknown.
func TestCreateLookupHorizonBoundedByContext(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.hideFor = 1 << 20
	var posts atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
		if r.Method == http.MethodGet {
			cancel() // the caller gives up during the lookups
			return false
		}
		if posts.Add(1) != 1 {
			return false
		}
		serve(httptest.NewRecorder(), r)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			resetConn(conn)
		}
		return true
	}
	c := newClient(t, f, func(c *Config) { c.RequestTimeout = time.Hour })
	_, err := c.CreateOrder(ctx, "9900000", sampleOrder("horizon-ctx"))
	if !errors.Is(err, ErrOutcomeUnknown) || posts.Load() != 1 {
		t.Errorf("error = %v after %d POSTs; want ErrOutcomeUnknown after 1", err, posts.Load())
	}
}

// TestClientAccessors checks RequestTimeout and CreateLookupWindow report what the client uses.
func TestClientAccessors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		timeout, window     time.Duration
		wantTimeout, wantWi time.Duration
	}{
		{"defaults", 0, 0, DefaultRequestTimeout, 15 * time.Second},
		{"configured", 3 * time.Second, 7 * time.Second, 3 * time.Second, 7 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := New(Config{Auth: BasicAuth("u", "p"), RequestTimeout: tt.timeout, Retry: RetryPolicy{CreateLookupWindow: tt.window}})
			if err != nil {
				t.Fatal(err)
			}
			if c.RequestTimeout() != tt.wantTimeout || c.CreateLookupWindow() != tt.wantWi {
				t.Errorf("RequestTimeout %v, CreateLookupWindow %v; want %v, %v", c.RequestTimeout(), c.CreateLookupWindow(), tt.wantTimeout, tt.wantWi)
			}
		})
	}
}
