package bwsim_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// lineLog is a Config.CreateLog that keeps every Write and announces each on a channel.
type lineLog struct {
	mu     sync.Mutex
	writes [][]byte
	wrote  chan struct{} // one value per Write; buffered generously
}

func newLineLog() *lineLog { return &lineLog{wrote: make(chan struct{}, 1024)} }

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.writes = append(l.writes, bytes.Clone(p))
	l.mu.Unlock()
	l.wrote <- struct{}{}
	return len(p), nil
}

// records decodes the log, failing the test unless every Write was exactly one JSON line.
func (l *lineLog) records(t *testing.T) []bwsim.ReceivedOrder {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []bwsim.ReceivedOrder
	for _, w := range l.writes {
		if bytes.IndexByte(w, '\n') != len(w)-1 {
			t.Fatalf("a Write is not exactly one line: %q", w)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(w, &raw); err != nil {
			t.Fatalf("not JSON: %v: %q", err, w)
		}
		for _, k := range []string{"at", "account_id", "order_id", "customer_order_id", "action", "telephone_numbers"} {
			if _, ok := raw[k]; !ok || len(raw) != 6 {
				t.Fatalf("line has keys %v, want exactly at, account_id, order_id, customer_order_id, action, telephone_numbers", keys(raw))
			}
		}
		var r bwsim.ReceivedOrder
		if err := json.Unmarshal(w, &r); err != nil {
			t.Fatal(err)
		}
		var at string
		_ = json.Unmarshal(raw["at"], &at)
		if _, err := time.Parse(time.RFC3339Nano, at); err != nil {
			t.Errorf("at %q is not RFC 3339: %v", at, err)
		}
		out = append(out, r)
	}
	return out
}

func keys(m map[string]json.RawMessage) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestCreateLogConcurrent checks concurrent creates write whole lines, one per order.
func TestCreateLogConcurrent(t *testing.T) {
	t.Parallel()
	log := newLineLog()
	srv := start(t, func(c *bwsim.Config) { c.CreateLog = log })
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("concurrent", "ASSIGN", numbers(i*10, 10)...)})
			if res.status != http.StatusCreated {
				t.Errorf("status %d", res.status)
			}
		})
	}
	wg.Wait()
	recs := log.records(t)
	if len(recs) != 20 || srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "concurrent") != 20 {
		t.Errorf("%d log lines, %d creates by id; want 20", len(recs), srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "concurrent"))
	}
	if n := srv.CreatesByCustomerOrderID("other", "concurrent") + srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "nope"); n != 0 {
		t.Errorf("%d creates for another account or id", n)
	}
}

// TestErrorRateCreatesNothing checks a random 503 answers a create before an order exists.
func TestErrorRateCreatesNothing(t *testing.T) {
	t.Parallel()
	log := newLineLog()
	srv := start(t, func(c *bwsim.Config) { c.ErrorRate, c.CreateLog = 1, log })
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("e503", "ASSIGN", "9195550006")})
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("status %d", res.status)
	}
	if len(srv.Received()) != 0 || srv.CreatesByCustomerOrderID(bwsim.DefaultAccountID, "e503") != 0 || len(log.records(t)) != 0 {
		t.Error("a create answered 503 created an order")
	}
}
