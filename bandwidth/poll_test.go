package bandwidth

import (
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestAwaitOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		progress  []string
		missFor   int // GETs answered 404 before the order shows
		grace     time.Duration
		status    string // force every status
		want      Status
		wantGets  int
		wantErr   error
		numbers   []string
		wantFails int
	}{
		{name: "RECEIVED, PROCESSING, COMPLETE", progress: []string{"RECEIVED", "PROCESSING", "FINAL"}, want: StatusComplete, wantGets: 3, numbers: []string{"9195551234"}},
		{name: "PARTIAL carries per-number errors", progress: []string{"RECEIVED", "FINAL"}, want: StatusPartial, wantGets: 2, wantFails: 1},
		{name: "FAILED is final", progress: []string{"FINAL"}, want: StatusFailed, wantGets: 1, numbers: []string{"9995551234"}, wantFails: 1},
		{name: "404 within the grace", progress: []string{"PROCESSING", "FINAL"}, missFor: 3, want: StatusPartial, wantGets: 5, wantFails: 1},
		{name: "404 past the grace", progress: []string{"FINAL"}, missFor: 1 << 20, grace: 20 * time.Millisecond, wantErr: ErrNotFound},
		{name: "unknown status", status: "ON_HOLD", progress: []string{"FINAL"}, wantErr: ErrBadResponse, wantGets: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			c := newClient(t, f, func(c *Config) {
				if tt.grace > 0 {
					c.Poll.NotFoundGrace = tt.grace
				}
			})
			o := sampleOrder("await-1")
			if tt.numbers != nil {
				o.TelephoneNumbers = tt.numbers
			}
			created, err := c.CreateOrder(t.Context(), "9900000", o)
			if err != nil {
				t.Fatal(err)
			}
			f.mu.Lock()
			f.progress, f.missFor, f.status = tt.progress, tt.missFor, tt.status
			f.mu.Unlock()
			got, err := c.AwaitOrder(t.Context(), "9900000", created.OrderID)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("AwaitOrder error = %v, want %v", err, tt.wantErr)
				}
			} else if err != nil {
				t.Fatalf("AwaitOrder: %v", err)
			} else if got.Status != tt.want || len(got.Errors) != min(tt.wantFails, 1) || got.FailedQuantity != tt.wantFails {
				t.Errorf("AwaitOrder = %+v", got)
			}
			if _, gets, _, _ := f.counts(); tt.wantGets != 0 && gets != tt.wantGets {
				t.Errorf("%d GETs, want %d", gets, tt.wantGets)
			}
		})
	}
}

func TestAwaitOrderHonoursContext(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f, func(c *Config) { c.Poll = PollPolicy{Initial: time.Hour} })
	created, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("await-ctx"))
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.progress = []string{"PROCESSING"}
	f.mu.Unlock()
	ctx, cancel := contextTimeout(t, 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := c.AwaitOrder(ctx, "9900000", created.OrderID); !errors.Is(err, ctx.Err()) || ctx.Err() == nil {
		t.Fatalf("AwaitOrder error = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("AwaitOrder took %v after the context ended", time.Since(start))
	}
}

// TestAwaitOrderWaitsBeforeTheFirstPoll: the first GET comes after Poll.Initial, not at once, and a
// 404 grace shorter than that wait still covers the first GET.
func TestAwaitOrderWaitsBeforeTheFirstPoll(t *testing.T) {
	t.Parallel()
	// The grace is half the initial wait: shorter than it, yet long enough for the first GET's
	// round trip on a loaded machine.
	const initial = 300 * time.Millisecond
	f := newFake(t)
	c := newClient(t, f, func(c *Config) {
		c.Poll = PollPolicy{Initial: initial, Max: initial, NotFoundGrace: initial / 2}
	})
	created, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("await-wait"))
	if err != nil {
		t.Fatal(err)
	}
	var firstGet time.Time
	f.mu.Lock()
	f.missFor = 1 // the first GET answers 404
	f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		if r.Method == http.MethodGet && firstGet.IsZero() {
			firstGet = time.Now()
		}
		return false
	}
	f.mu.Unlock()
	start := time.Now()
	got, err := c.AwaitOrder(t.Context(), "9900000", created.OrderID)
	if err != nil {
		t.Fatalf("AwaitOrder: %v", err)
	}
	if !got.Status.Final() {
		t.Errorf("status %s", got.Status)
	}
	f.mu.Lock()
	wait := firstGet.Sub(start)
	f.mu.Unlock()
	if wait < initial*4/5 {
		t.Errorf("first GET %v after AwaitOrder began, want at least %v", wait, initial*4/5)
	}
	if _, gets, _, _ := f.counts(); gets != 2 {
		t.Errorf("%d GETs, want 2 (a 404, then the final order)", gets)
	}
}
