package bwsim_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

func TestFaultRateLimit(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 12, 0, 0, 500_000_000, time.UTC))
	srv := start(t, func(c *bwsim.Config) { c.Now = clk.Now })
	srv.Inject(bwsim.Fault{Kind: bwsim.FaultRateLimit, Op: bwsim.OpCreate, Times: 1, ResetAfter: 3 * time.Second})
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "ASSIGN", "9195550000")})
	if res.status != http.StatusTooManyRequests || len(res.body) != 0 {
		t.Fatalf("status %d body %q", res.status, res.body)
	}
	// 12:00:00.5 + 3s = 12:00:03.5, rounded up to the next second.
	if got, want := res.header.Get("X-RateLimit-Reset"), strconv.FormatInt(clk.Now().Unix()+4, 10); got != want {
		t.Errorf("X-RateLimit-Reset = %s, want %s", got, want)
	}
	if res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "ASSIGN", "9195550000")}); res.status != http.StatusCreated {
		t.Errorf("after the fault: %d", res.status)
	}
	if st := srv.Stats(); st.RateLimited != 1 || st.Faults != 1 || st.Creates != 2 || len(srv.Received()) != 1 {
		t.Errorf("stats %+v, received %d", st, len(srv.Received()))
	}
}

func TestFaultServerError(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	srv.Inject(
		bwsim.Fault{Kind: bwsim.FaultServerError, Op: bwsim.OpList, Times: 1},
		bwsim.Fault{Kind: bwsim.FaultServerError, Op: bwsim.OpList, Times: 1, Status: 500},
	)
	for _, want := range []int{503, 500, 200} {
		res := do(t, srv, call{method: http.MethodGet, path: ordersPath})
		if res.status != want {
			t.Fatalf("status %d, want %d", res.status, want)
		}
		if want != 200 {
			if doc := decode[listDoc](t, res.body); doc.Status == nil || *doc.Status.ErrorCode != 1000 {
				t.Errorf("5xx body: %s", res.body)
			}
		}
	}
	if st := srv.Stats(); st.ServerErrors != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestFaultResets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind    bwsim.FaultKind
		created bool
	}{
		{bwsim.FaultResetBeforeCreate, false},
		{bwsim.FaultResetAfterCreate, true},
	}
	for _, tt := range tests {
		t.Run(tt.kind.String(), func(t *testing.T) {
			t.Parallel()
			srv := start(t, nil)
			srv.Inject(bwsim.Fault{Kind: tt.kind, Op: bwsim.OpCreate, Times: 1})
			res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("lost-1", "ASSIGN", "9195550000")})
			if res.err == nil {
				t.Fatalf("no transport error; status %d", res.status)
			}
			if got := len(srv.Received()) == 1; got != tt.created {
				t.Errorf("order created = %v, want %v", got, tt.created)
			}
			l := decode[listDoc](t, do(t, srv, call{method: http.MethodGet, path: ordersPath + "?customerOrderId=lost-1"}).body)
			if (l.TotalCount == 1) != tt.created {
				t.Errorf("lookup by customerOrderId: %d orders", l.TotalCount)
			}
			if st := srv.Stats(); st.Resets != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestFaultTruncatedBody(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	srv.Inject(bwsim.Fault{Kind: bwsim.FaultTruncatedBody, Op: bwsim.OpCreate, Times: 1})
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "ASSIGN", numbers(0, 100)...)})
	if res.status != http.StatusCreated || !errors.Is(res.err, io.ErrUnexpectedEOF) {
		t.Fatalf("status %d err %v", res.status, res.err)
	}
	if !strings.HasPrefix(string(res.body), "<?xml") || strings.Contains(string(res.body), "</TelephoneNumbersAssignmentOrderResponse>") {
		t.Errorf("body is not a truncated document: %d bytes", len(res.body))
	}
	if len(srv.Received()) != 1 {
		t.Error("the order was not created")
	}
}

func TestFaultOversizedBody(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	id := create(t, srv, orderXML("", "ASSIGN", "9195550000")).OrderID
	srv.Inject(
		bwsim.Fault{Kind: bwsim.FaultOversizedBody, Op: bwsim.OpGet, Times: 1, Size: 1 << 20},
		bwsim.Fault{Kind: bwsim.FaultOversizedBody, Op: bwsim.OpGet, Times: 1},
	)
	// A small padding: the whole document is still well-formed XML.
	res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "/" + id})
	if res.err != nil || res.status != 200 || len(res.body) < 1<<20 {
		t.Fatalf("status %d, %d bytes, err %v", res.status, len(res.body), res.err)
	}
	if doc := decode[orderDoc](t, res.body); doc.OrderID != id {
		t.Errorf("padded document: OrderId %q", doc.OrderID)
	}
	// The default padding: a capped reader gives up; the server stops streaming when it does.
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+"/accounts/9900000/numbersAssignment/"+id, nil)
	req.SetBasicAuth("demo", "demo")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.ContentLength != -1 {
		t.Errorf("Content-Length %d announced", resp.ContentLength)
	}
	n, _ := io.Copy(io.Discard, io.LimitReader(resp.Body, 8<<20))
	resp.Body.Close()
	if n != 8<<20 {
		t.Errorf("read %d bytes", n)
	}
}

func TestFaultLatencyAndUnauthorized(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	srv.Inject(
		bwsim.Fault{Kind: bwsim.FaultLatency, Op: bwsim.OpList, Times: 1, Delay: 150 * time.Millisecond},
		bwsim.Fault{Kind: bwsim.FaultUnauthorized, Times: 1},
	)
	begin := time.Now()
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 200 || time.Since(begin) < 150*time.Millisecond {
		t.Errorf("latency fault: %d after %v", res.status, time.Since(begin))
	}
	res := do(t, srv, call{method: http.MethodGet, path: ordersPath})
	if res.status != 401 || res.header.Get("WWW-Authenticate") == "" {
		t.Errorf("unauthorized fault: %d %v", res.status, res.header)
	}
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 200 {
		t.Errorf("after faults: %d", res.status)
	}
}

// TestFaultQueue checks op targeting, order of consumption, unlimited faults and ClearFaults.
func TestFaultQueue(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	srv.Inject(
		bwsim.Fault{Kind: bwsim.FaultServerError, Op: bwsim.OpToken, Times: 2, Status: 502},
		bwsim.Fault{Kind: bwsim.FaultServerError, Op: bwsim.OpList}, // until cleared
	)
	for range 3 {
		if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 503 {
			t.Errorf("list: %d, want 503", res.status)
		}
	}
	if status, _, _ := fetchToken(t, srv, "demo", "demo", clientCredentials); status != 502 {
		t.Errorf("token: %d", status)
	}
	if res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "ASSIGN", "9195550000")}); res.status != 201 {
		t.Errorf("create not targeted: %d", res.status)
	}
	srv.ClearFaults()
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 200 {
		t.Errorf("after ClearFaults: %d", res.status)
	}
	if status, _, _ := fetchToken(t, srv, "demo", "demo", clientCredentials); status != 200 {
		t.Errorf("token after ClearFaults: %d", status)
	}
}

func TestInjectPanicsOnUnknownOp(t *testing.T) {
	t.Parallel()
	sim := bwsim.New(bwsim.DefaultConfig())
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	sim.Inject(bwsim.Fault{Kind: bwsim.FaultLatency, Op: "creates"})
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.RateLimit = 2
		c.RateBurst = 2
		c.Now = clk.Now
	})
	statuses := make([]int, 4)
	var reset string
	for i := range statuses {
		res := do(t, srv, call{method: http.MethodGet, path: ordersPath})
		statuses[i] = res.status
		if res.status == 429 {
			if len(res.body) != 0 {
				t.Errorf("429 body %q", res.body)
			}
			reset = res.header.Get("X-RateLimit-Reset")
		}
	}
	if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 429 || statuses[3] != 429 {
		t.Errorf("statuses %v", statuses)
	}
	// One token every 500ms: allowed again at 12:00:00.5, announced as 12:00:01.
	if want := strconv.FormatInt(clk.Now().Unix()+1, 10); reset != want {
		t.Errorf("X-RateLimit-Reset %s, want %s", reset, want)
	}
	clk.Add(time.Second)
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 200 {
		t.Errorf("after waiting: %d", res.status)
	}
	if status, _, _ := fetchToken(t, srv, "demo", "demo", clientCredentials); status != 200 {
		t.Errorf("token endpoint is rate limited: %d", status)
	}
}

func TestErrorRate(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.ErrorRate = 1 })
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath}); res.status != 503 {
		t.Errorf("status %d", res.status)
	}
}

// TestLatencyHonoursContext checks that a client giving up ends the request early.
func TestLatencyHonoursContext(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.Latency = time.Hour })
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/accounts/9900000/numbersAssignment", nil)
	req.SetBasicAuth("demo", "demo")
	if _, err := srv.Client().Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
	// Close (in cleanup) must not wait an hour; goleak checks nothing is left behind.
}
