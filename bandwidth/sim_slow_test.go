package bandwidth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// syncLog is a Config.CreateLog safe to read while the simulator writes.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) lines() [][]byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.SplitAfter(bytes.TrimSuffix(l.buf.Bytes(), []byte("\n")), []byte("\n"))
}

// timeoutObserver announces each create request that ended without a status: a timeout.
type timeoutObserver struct{ timedOut chan struct{} }

func (o timeoutObserver) ObserveRequest(op string, status int, _ time.Duration) {
	if op == "create order" && status == 0 {
		o.timedOut <- struct{}{}
	}
}

func (timeoutObserver) ObserveRetry(string, string) {}

// TestSimSlowCreateAfterTimeout holds a create at the simulator until the client has timed out,
// then lets the simulator create the order: the client, looking the order up until the attempt's
// start + RequestTimeout + CreateLookupWindow, finds it instead of sending it again. The order
// exists once and is in the create log once; the attempt hook ran once, with the request timeout.
func TestSimSlowCreateAfterTimeout(t *testing.T) {
	t.Parallel()
	held := make(chan struct{}, 1)
	release := make(chan struct{})
	log := &syncLog{}
	obs := timeoutObserver{timedOut: make(chan struct{}, 4)}
	srv, c := startSim(t, simSetup{
		basic: true,
		sim: func(cfg *bwsim.Config) {
			cfg.CreateDelay = time.Hour
			cfg.CreateLog = log
			cfg.CreateWait = func(ctx context.Context, _ time.Duration) bool {
				held <- struct{}{}
				select {
				case <-release:
					return true
				case <-ctx.Done():
					return false
				}
			}
		},
		client: func(cfg *bandwidth.Config) {
			cfg.RequestTimeout = 500 * time.Millisecond
			cfg.Retry.CreateLookupWindow = time.Minute // a bound the lookups never reach
			cfg.Observer = obs
		},
	})
	var hooks []time.Duration
	var mu sync.Mutex
	hook := func(_ context.Context, bound time.Duration) error {
		mu.Lock()
		hooks = append(hooks, bound)
		mu.Unlock()
		return nil
	}
	o := assign("slow create", "9195550950", "4158710950")
	type outcome struct {
		resp *bandwidth.OrderResponse
		err  error
	}
	done := make(chan outcome, 1)
	go func() {
		resp, err := c.CreateOrder(t.Context(), simAccount, o, bandwidth.BeforeEachAttempt(hook))
		done <- outcome{resp, err}
	}()
	<-held         // the simulator is holding the create: the order does not exist
	<-obs.timedOut // the client gave up on the request
	if n := srv.PendingCreates(); n != 1 {
		t.Errorf("%d pending creates, want 1", n)
	}
	close(release) // the simulator finishes its work for a client that has gone
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	rec := onlyOrder(t, srv, o)
	if got.resp.OrderID != rec.OrderID {
		t.Errorf("CreateOrder returned order %s, the simulator created %s", got.resp.OrderID, rec.OrderID)
	}
	if st := srv.Stats(); st.Creates != 1 {
		t.Errorf("%d creates reached the simulator, want 1 (never resent)", st.Creates)
	}
	lines := log.lines()
	var line bwsim.ReceivedOrder
	if len(lines) != 1 || json.Unmarshal(lines[0], &line) != nil || line.OrderID != rec.OrderID || line.CustomerOrderID != o.CustomerOrderID {
		t.Errorf("create log %q, want one line for order %s", lines, rec.OrderID)
	}
	if n := srv.CreatesByCustomerOrderID(simAccount, o.CustomerOrderID); n != 1 {
		t.Errorf("%d orders with the CustomerOrderId, want 1", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hooks) != 1 || hooks[0] != c.RequestTimeout() {
		t.Errorf("hook bounds %v, want one call with %v", hooks, c.RequestTimeout())
	}
}
