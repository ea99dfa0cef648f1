package bwsim_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	"github.com/tnassign/tnassign/internal/syncbuf"
)

// gate is a Config.CreateWait that holds every slow create until the test releases it.
type gate struct {
	held    chan time.Duration // receives each held create's delay
	release chan bool          // true: create the order; false: abandon it
}

func newGate() *gate { return &gate{held: make(chan time.Duration, 64), release: make(chan bool)} }

func (g *gate) wait(ctx context.Context, d time.Duration) bool {
	g.held <- d
	select {
	case ok := <-g.release:
		return ok
	case <-ctx.Done():
		return false
	}
}

// postAsync sends a create with ctx and delivers its outcome on the returned channel.
func postAsync(ctx context.Context, srv *bwsim.Server, body string) <-chan result {
	out := make(chan result, 1)
	go func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/accounts/9900000/numbersAssignment", strings.NewReader(body))
		req.SetBasicAuth("demo", "demo")
		req.Header.Set("Content-Type", "application/xml")
		resp, err := srv.Client().Do(req)
		if err != nil {
			out <- result{err: err}
			return
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		out <- result{status: resp.StatusCode, body: b, err: err}
	}()
	return out
}

// TestSlowCreateCompletesAfterClientLeft holds a slow create until its client has given up, then
// lets it finish: the order exists, once, and is in the create log once.
func TestSlowCreateCompletesAfterClientLeft(t *testing.T) {
	t.Parallel()
	g, log := newGate(), newLineLog()
	srv := start(t, func(c *bwsim.Config) {
		c.CreateDelay = time.Hour
		c.CreateWait = g.wait
		c.CreateLog = log
	})
	ctx, cancel := context.WithCancel(t.Context())
	answer := postAsync(ctx, srv, orderXML("slow-1", "ASSIGN", "9195550001", "4158710001"))
	if d := <-g.held; d != time.Hour {
		t.Errorf("delay %v, want exactly CreateDelay", d)
	}
	if n, got := srv.PendingCreates(), srv.Received(); n != 1 || len(got) != 0 {
		t.Fatalf("during the delay: %d pending, %d orders; want 1 pending, no order yet", n, len(got))
	}
	cancel()
	if res := <-answer; !errors.Is(res.err, context.Canceled) {
		t.Fatalf("client: %+v, want it to give up", res)
	}
	g.release <- true
	<-log.wrote
	srv.Close() // waits for the handler: nothing more can be written
	recs := log.records(t)
	if len(recs) != 1 || srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "slow-1") != 1 || srv.PendingCreates() != 0 {
		t.Fatalf("log %+v, %d creates by id, %d pending; want one order", recs, srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "slow-1"), srv.PendingCreates())
	}
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("received %+v", got)
	}
	r := recs[0]
	r.At, got[0].At = r.At.UTC(), got[0].At.UTC()
	if r.OrderID != got[0].OrderID || r.AccountID != bwsim.DefaultAccountID || r.CustomerOrderID != "slow-1" || r.Action != "ASSIGN" ||
		!slices.Equal(r.TelephoneNumbers, []string{"9195550001", "4158710001"}) || !r.At.Equal(got[0].At) {
		t.Errorf("log line %+v, want %+v", r, got[0])
	}
}

// TestSlowCreateAnswersWhenClientWaits checks a slow create whose client waits gets its 201, and
// that orders created at once and slowly both reach the log, one line per Write.
func TestSlowCreateAnswersWhenClientWaits(t *testing.T) {
	t.Parallel()
	g, log := newGate(), newLineLog()
	srv := start(t, func(c *bwsim.Config) {
		c.CreateDelay = time.Millisecond
		c.CreateWait = g.wait
		c.CreateLog = log
	})
	answer := postAsync(t.Context(), srv, orderXML("slow-2", "UNASSIGN", "9195550002"))
	<-g.held
	g.release <- true
	res := <-answer
	if res.err != nil || res.status != http.StatusCreated {
		t.Fatalf("status %d, err %v", res.status, res.err)
	}
	if doc := decode[orderDoc](t, res.body); doc.Order == nil || doc.Order.Action != "UNASSIGN" {
		t.Errorf("answer %s", res.body)
	}
	srv.Close()
	if recs := log.records(t); len(recs) != 1 || recs[0].CustomerOrderID != "slow-2" {
		t.Errorf("log %+v", recs)
	}
}

// TestSlowCreateCancelledByClose checks Close ends a pending slow create without an order.
func TestSlowCreateCancelledByClose(t *testing.T) {
	t.Parallel()
	g, log := newGate(), newLineLog()
	srv := start(t, func(c *bwsim.Config) {
		c.CreateDelay = time.Hour
		c.CreateWait = g.wait
		c.CreateLog = log
	})
	answer := postAsync(t.Context(), srv, orderXML("slow-3", "ASSIGN", "9195550003"))
	<-g.held
	srv.Close()
	if res := <-answer; res.err == nil {
		t.Errorf("answered %d after Close", res.status)
	}
	if n := len(srv.Received()); n != 0 || len(log.records(t)) != 0 || srv.PendingCreates() != 0 {
		t.Errorf("%d orders, %d log lines, %d pending after Close; want none", n, len(log.records(t)), srv.PendingCreates())
	}
}

// TestSlowCreateWithoutCreateWait checks the default wait: a short real delay, then the order.
func TestSlowCreateWithoutCreateWait(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.CreateDelay = time.Millisecond })
	create(t, srv, orderXML("slow-4", "ASSIGN", "9195550004"))
	if n := srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "slow-4"); n != 1 {
		t.Errorf("%d creates, want 1", n)
	}
}

// TestSlowCreateSelection checks which creates are slow and for how long.
func TestSlowCreateSelection(t *testing.T) {
	t.Parallel()
	const creates = 200
	tests := []struct {
		name          string
		delay, maxD   time.Duration
		rate          float64
		wantMin       int // slow creates, at least
		wantMax       int // and at most
		dMin, dMax    time.Duration
		refusedIsFast bool
	}{
		{name: "no delay: none", wantMin: 0, wantMax: 0},
		{name: "delay, rate 0: all", delay: time.Second, wantMin: creates, wantMax: creates, dMin: time.Second, dMax: time.Second},
		{name: "delay, rate 1: all", delay: time.Second, rate: 1, wantMin: creates, wantMax: creates, dMin: time.Second, dMax: time.Second},
		{name: "range", delay: time.Second, maxD: 2 * time.Second, wantMin: creates, wantMax: creates, dMin: time.Second, dMax: 2 * time.Second},
		{name: "max only", maxD: time.Second, wantMin: creates, wantMax: creates, dMin: 0, dMax: time.Second},
		{name: "max below delay: exactly delay", delay: time.Second, maxD: time.Millisecond, wantMin: creates, wantMax: creates, dMin: time.Second, dMax: time.Second},
		// The chance that 200 draws at 0.5 are all alike is 2^-199.
		{name: "rate 0.5: some", delay: time.Second, rate: 0.5, wantMin: 1, wantMax: creates - 1, dMin: time.Second, dMax: time.Second},
		{name: "refused creates are never slow", delay: time.Second, refusedIsFast: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var delays []time.Duration
			srv := start(t, func(c *bwsim.Config) {
				c.CreateDelay, c.CreateDelayMax, c.SlowCreateRate = tt.delay, tt.maxD, tt.rate
				c.CreateWait = func(_ context.Context, d time.Duration) bool {
					mu.Lock()
					delays = append(delays, d)
					mu.Unlock()
					return true
				}
			})
			if tt.refusedIsFast {
				res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("x", "MOVE", "9195550000")})
				mu.Lock()
				defer mu.Unlock()
				if res.status != http.StatusBadRequest || len(delays) != 0 {
					t.Errorf("refused create: status %d, %d delays", res.status, len(delays))
				}
				return
			}
			for range creates {
				create(t, srv, orderXML("sel", "ASSIGN", "9195550005"))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(delays) < tt.wantMin || len(delays) > tt.wantMax {
				t.Errorf("%d slow creates, want %d to %d", len(delays), tt.wantMin, tt.wantMax)
			}
			for _, d := range delays {
				if d < tt.dMin || d > tt.dMax {
					t.Fatalf("delay %v outside [%v, %v]", d, tt.dMin, tt.dMax)
				}
			}
		})
	}
}

// TestSlowCreateLogsStart checks a slow create says, with its CustomerOrderId, that it started
// before its order exists, so that people and tests can act while it is under way.
func TestSlowCreateLogsStart(t *testing.T) {
	t.Parallel()
	g := newGate()
	logs := &syncbuf.Buffer{}
	srv := start(t, func(c *bwsim.Config) {
		c.CreateDelay, c.CreateWait = time.Hour, g.wait
		c.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	})
	answer := postAsync(t.Context(), srv, orderXML("logged-slow", "ASSIGN", "9195550009"))
	<-g.held
	found := false
	for line := range strings.SplitSeq(logs.String(), "\n") {
		var e struct {
			Msg             string        `json:"msg"`
			CustomerOrderID string        `json:"customer_order_id"`
			Delay           time.Duration `json:"delay"`
		}
		if json.Unmarshal([]byte(line), &e) == nil && e.Msg == "slow create started" {
			found = e.CustomerOrderID == "logged-slow" && e.Delay == time.Hour
		}
	}
	if !found || len(srv.Received()) != 0 {
		t.Errorf("while held: %d orders, logs:\n%s", len(srv.Received()), logs.String())
	}
	g.release <- true
	if res := <-answer; res.status != http.StatusCreated {
		t.Errorf("status %d, err %v", res.status, res.err)
	}
}

// TestServeFinishesSlowCreate checks Serve's graceful shutdown lets a pending slow create finish.
func TestServeFinishesSlowCreate(t *testing.T) {
	t.Parallel()
	g := newGate()
	cfg := bwsim.DefaultConfig()
	cfg.CreateDelay, cfg.CreateWait = time.Hour, g.wait
	sim := bwsim.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- sim.Serve(ctx, ln) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	answer := make(chan int, 1)
	go func() {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "http://"+ln.Addr().String()+ordersPath,
			strings.NewReader(orderXML("serve-slow", "ASSIGN", "9195550007")))
		req.SetBasicAuth("demo", "demo")
		resp, err := client.Do(req)
		if err != nil {
			answer <- 0
			return
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		answer <- resp.StatusCode
	}()
	<-g.held
	cancel()
	g.release <- true
	if code := <-answer; code != http.StatusCreated {
		t.Errorf("slow create during shutdown: %d, want 201", code)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if n := sim.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "serve-slow"); n != 1 {
		t.Errorf("%d orders, want 1", n)
	}
}
