package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// countingLimiter records the accounts it is asked about and may wait or refuse.
type countingLimiter struct {
	mu    sync.Mutex
	waits map[string]int
	delay time.Duration // slept before every grant
	err   error         // returned instead of a grant
}

func (l *countingLimiter) Wait(ctx context.Context, accountID string) error {
	l.mu.Lock()
	if l.waits == nil {
		l.waits = map[string]int{}
	}
	l.waits[accountID]++
	l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	return sleep(ctx, l.delay)
}

func (l *countingLimiter) count(accountID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits[accountID]
}

// TestLimiterPacesEveryRequest: every request to the Dashboard API, retries included, waits for
// the limiter once, for its account.
func TestLimiterPacesEveryRequest(t *testing.T) {
	t.Parallel()
	const account = "9900000"
	tests := []struct {
		name      string
		faults    func(w http.ResponseWriter, r *http.Request) bool // nil: none
		call      func(t *testing.T, c *Client)
		wantWaits int
	}{
		{"create", nil, func(t *testing.T, c *Client) {
			if _, err := c.CreateOrder(t.Context(), account, sampleOrder("lim-create")); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"create and await", nil, func(t *testing.T, c *Client) {
			o, err := c.CreateOrder(t.Context(), account, sampleOrder("lim-await"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.AwaitOrder(t.Context(), account, o.OrderID); err != nil {
				t.Fatal(err)
			}
		}, 2},
		{"list", nil, func(t *testing.T, c *Client) {
			if _, err := c.ListOrders(t.Context(), account, ListFilter{CustomerOrderID: "x"}); err != nil {
				t.Fatal(err)
			}
		}, 1},
		{"find: a list and a get", nil, func(t *testing.T, c *Client) {
			if _, err := c.CreateOrder(t.Context(), account, sampleOrder("lim-find")); err != nil {
				t.Fatal(err)
			}
			if _, err := c.FindOrder(t.Context(), account, "lim-find"); err != nil {
				t.Fatal(err)
			}
		}, 3},
		{"retries wait too", func(w http.ResponseWriter, r *http.Request) bool {
			if r.Method == http.MethodGet {
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}
			return false
		}, func(t *testing.T, c *Client) {
			_, err := c.GetOrder(t.Context(), account, "abc")
			if !errors.Is(err, ErrRateLimited) {
				t.Fatalf("GetOrder error = %v, want ErrRateLimited", err)
			}
		}, -1}, // as many as the GETs sent
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			if tt.faults != nil {
				f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool { return tt.faults(w, r) }
			}
			lim := &countingLimiter{}
			c := newClient(t, f, func(c *Config) {
				c.Limiter = lim
				c.Retry.MaxElapsed = 50 * time.Millisecond
			})
			tt.call(t, c)
			posts, gets, lists, _ := f.counts()
			if tt.name == "retries wait too" {
				// The fault answers before the fake counts: count the client's requests instead.
				if lim.count(account) < 2 {
					t.Errorf("limiter waited %d times for a throttled GET retried until MaxElapsed", lim.count(account))
				}
				return
			}
			if got := lim.count(account); got != tt.wantWaits || got != posts+gets+lists {
				t.Errorf("limiter waited %d times; want %d (the fake saw %d POSTs, %d GETs, %d lists)", got, tt.wantWaits, posts, gets, lists)
			}
		})
	}
}

// TestLimiterSkipsTokenRequests: token requests are not paced, but a replay after a refused token
// is, like any request to the Dashboard API.
func TestLimiterSkipsTokenRequests(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	ts := newTokenServer(t)
	f.auth = func(r *http.Request) bool { return r.Header.Get("Authorization") != "Bearer tok-SECRET-1" }
	lim := &countingLimiter{}
	c := newClient(t, f, func(c *Config) {
		c.Limiter = lim
		c.Auth = ts.auth(nil)
	})
	if _, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("lim-oauth")); err != nil {
		t.Fatal(err)
	}
	if got := lim.count("9900000"); got != 2 {
		t.Errorf("limiter waited %d times, want 2 (the refused create and its replay)", got)
	}
	if n := ts.fetches.Load(); n != 2 {
		t.Errorf("%d token requests, want 2", n)
	}
}

func TestLimiterRefusal(t *testing.T) {
	t.Parallel()
	refusal := fmt.Errorf("no turn before the deadline: %w", context.DeadlineExceeded)
	f := newFake(t)
	c := newClient(t, f, func(c *Config) { c.Limiter = &countingLimiter{err: refusal} })
	_, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("refused"))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("CreateOrder error = %v, want the limiter's, and no unknown outcome", err)
	}
	_, err = c.GetOrder(t.Context(), "9900000", "abc")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("GetOrder error = %v, want the limiter's", err)
	}
	if posts, gets, lists, _ := f.counts(); posts+gets+lists != 0 {
		t.Errorf("%d requests sent, want none", posts+gets+lists)
	}
}

// TestLimiterQueueDoesNotSpendMaxElapsed: time waiting for the limiter is not retry time.
func TestLimiterQueueDoesNotSpendMaxElapsed(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	failed := false
	f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		if r.Method == http.MethodGet && !failed {
			failed = true
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		return false
	}
	// Two waits of 200 ms queued outlast MaxElapsed; the rest (a 503, a short backoff, a 200)
	// stays well within it even on a loaded machine.
	c := newClient(t, f, func(c *Config) {
		c.Limiter = &countingLimiter{delay: 200 * time.Millisecond}
		c.Retry.MaxElapsed = 150 * time.Millisecond
	})
	o, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("queued"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetOrder(t.Context(), "9900000", o.OrderID); err != nil {
		t.Errorf("GetOrder after one 503 and 400 ms queued, with MaxElapsed 150 ms: %v", err)
	}
}

func TestAccountLimiter(t *testing.T) {
	t.Parallel()
	t.Run("paces each account apart", func(t *testing.T) {
		t.Parallel()
		l := NewAccountLimiter(1, 1) // one request a second, no burst
		if err := l.Wait(t.Context(), "a"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		if err := l.Wait(ctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("second request of a within the second: %v, want DeadlineExceeded", err)
		}
		if time.Since(start) > 50*time.Millisecond {
			t.Errorf("a refused wait took %v; it should fail at once", time.Since(start))
		}
		if err := l.Wait(ctx, "b"); err != nil {
			t.Errorf("first request of b: %v", err)
		}
	})
	t.Run("rate", func(t *testing.T) {
		t.Parallel()
		l := NewAccountLimiter(100, 1)
		start := time.Now()
		for range 6 {
			if err := l.Wait(t.Context(), "a"); err != nil {
				t.Fatal(err)
			}
		}
		if d := time.Since(start); d < 45*time.Millisecond {
			t.Errorf("6 requests at 100/s took %v, want at least 50 ms", d)
		}
	})
	t.Run("burst defaults to the rate", func(t *testing.T) {
		t.Parallel()
		l := NewAccountLimiter(2.5, 0)
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		defer cancel()
		for i := range 3 {
			if err := l.Wait(ctx, "a"); err != nil {
				t.Fatalf("request %d of a burst of 3: %v", i+1, err)
			}
		}
		if err := l.Wait(ctx, "a"); err == nil {
			t.Error("a fourth request passed at once")
		}
	})
	t.Run("no limit", func(t *testing.T) {
		t.Parallel()
		for _, rate := range []float64{0, -1} {
			l := NewAccountLimiter(rate, 0)
			for range 1000 {
				if err := l.Wait(t.Context(), "a"); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := NewAccountLimiter(1, 1).Wait(ctx, "a"); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait = %v, want Canceled", err)
		}
	})
	t.Run("tracks a bounded number of accounts", func(t *testing.T) {
		t.Parallel()
		l := NewAccountLimiter(1, 1)
		for i := range 3 * maxLimitedAccounts {
			if err := l.Wait(t.Context(), fmt.Sprint(i)); err != nil {
				t.Fatal(err)
			}
		}
		l.mu.Lock()
		n := len(l.accounts)
		l.mu.Unlock()
		if n > maxLimitedAccounts {
			t.Errorf("tracks %d accounts, want at most %d", n, maxLimitedAccounts)
		}
	})
}
