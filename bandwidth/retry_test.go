package bandwidth

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimitDelay(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_750_000_000, 0)
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRateLimitWait: time.Minute}
	sec := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name     string
		reset    string
		retry    string
		min, max time.Duration
		ok       bool
	}{
		{"epoch seconds", sec(10 * time.Second), "", 10 * time.Second, 12500 * time.Millisecond, true},
		{"epoch milliseconds", strconv.FormatInt(now.Add(5*time.Second).UnixMilli(), 10), "", 5 * time.Second, 6250 * time.Millisecond, true},
		{"far future is capped", sec(48 * time.Hour), "", time.Minute, time.Minute + time.Second, true},
		{"absurd value is capped", "1e300", "", time.Minute, time.Minute + time.Second, true},
		{"past means soon", sec(-time.Hour), "", 50 * time.Millisecond, 100 * time.Millisecond, true},
		{"fractional seconds", strconv.FormatFloat(float64(now.Unix())+2.5, 'f', 3, 64), "", 2500 * time.Millisecond, 3200 * time.Millisecond, true},
		{"garbage falls back", "soon", "", 0, 0, false},
		{"zero falls back", "0", "", 0, 0, false},
		{"negative falls back", "-5", "", 0, 0, false},
		{"NaN falls back", "NaN", "", 0, 0, false},
		{"Retry-After", "", "3", 3 * time.Second, 3750 * time.Millisecond, true},
		{"huge Retry-After is capped", "", "99999999999", time.Minute, time.Minute + time.Second, true},
		{"nothing", "", "", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			if tt.reset != "" {
				h.Set("X-RateLimit-Reset", tt.reset)
			}
			if tt.retry != "" {
				h.Set("Retry-After", tt.retry)
			}
			d, ok := rateLimitDelay(h, now, p)
			if ok != tt.ok || d < tt.min || d > tt.max {
				t.Errorf("rateLimitDelay = %v, %v; want %v in [%v, %v]", d, ok, tt.ok, tt.min, tt.max)
			}
		})
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	base, maxd := 100*time.Millisecond, 2*time.Second
	for n := 1; n <= 40; n++ {
		nominal := min(base<<min(n-1, 30), maxd)
		for range 50 {
			if d := backoff(base, maxd, n); d < nominal/2 || d > nominal {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", n, d, nominal/2, nominal)
			}
		}
	}
}
