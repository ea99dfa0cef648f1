package service_test

import (
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
)

// recorder is an Observer that keeps totals.
type recorder struct {
	mu                     sync.Mutex
	started, finished      map[string]int
	numbers                map[string]int
	orders                 map[string]int
	inFlight, maxInFlight  int
	negativeInFlightEvents int
}

func newRecorder() *recorder {
	return &recorder{started: map[string]int{}, finished: map[string]int{}, numbers: map[string]int{}, orders: map[string]int{}}
}

func (r *recorder) JobStarted(action string) { r.mu.Lock(); r.started[action]++; r.mu.Unlock() }
func (r *recorder) JobFinished(action, state string) {
	r.mu.Lock()
	r.finished[action+"/"+state]++
	r.mu.Unlock()
}
func (r *recorder) NumbersSettled(action, outcome string, n int) {
	r.mu.Lock()
	r.numbers[outcome] += n
	r.mu.Unlock()
}
func (r *recorder) OrderSettled(action, status string) {
	r.mu.Lock()
	r.orders[status]++
	r.mu.Unlock()
}
func (r *recorder) OrdersInFlight(delta int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight += delta
	r.maxInFlight = max(r.maxInFlight, r.inFlight)
	if r.inFlight < 0 {
		r.negativeInFlightEvents++
	}
}

// TestObserverAndProcessLimit runs concurrent jobs against a slow simulator and checks the
// process-wide in-flight bound and the Observer's totals.
func TestObserverAndProcessLimit(t *testing.T) {
	t.Parallel()
	rec := newRecorder()
	cfg := bwsim.DefaultConfig()
	cfg.Latency = 5 * time.Millisecond
	h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 10, MaxInflightOrders: 3, MaxInflightPerJob: 2}, observer: rec})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent := append(numbers(9195550000+int64(i)*100, 40), "bad")
			r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 40))
			if r.err != nil {
				t.Error(r.err)
				return
			}
			checkInvariant(t, sent, r, false)
		}()
	}
	wg.Wait()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if rec.maxInFlight > 3 || rec.maxInFlight < 2 || rec.inFlight != 0 || rec.negativeInFlightEvents != 0 {
		t.Errorf("in flight: max %d, now %d", rec.maxInFlight, rec.inFlight)
	}
	if rec.started["assign"] != 4 || rec.finished["assign/partial"] != 4 {
		t.Errorf("jobs started %v finished %v", rec.started, rec.finished)
	}
	if rec.numbers["succeeded"] != 160 || rec.numbers["rejected"] != 4 || rec.orders["complete"] != 16 {
		t.Errorf("numbers %v orders %v", rec.numbers, rec.orders)
	}
}

// TestRateLimit: with a paced client (as tnassignd's --rate-limit builds it), a job's orders go
// out no faster than the account's token bucket allows, and every number still settles.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10}, limiter: bandwidth.NewAccountLimiter(20, 1)})
	sent := numbers(9195550000, 60)
	start := time.Now()
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 60))
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, sent, r, false)
	// At least six requests (the creations) at 20/s with a burst of 1: the last waits at least
	// 5 × 50 ms.
	if elapsed := time.Since(start); elapsed < 240*time.Millisecond {
		t.Errorf("6 orders took %v; the rate limit allows no less than 250ms", elapsed)
	}
}
