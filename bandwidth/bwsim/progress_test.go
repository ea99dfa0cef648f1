package bwsim_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// TestProgressByPolls checks RECEIVED → PROCESSING → final over polls, with the outcome revealed only
// when final.
func TestProgressByPolls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		polls int
		want  []string // create, then each GET
	}{
		{0, []string{"PARTIAL", "PARTIAL"}},
		{1, []string{"RECEIVED", "PROCESSING", "PARTIAL", "PARTIAL"}},
		{3, []string{"RECEIVED", "PROCESSING", "PROCESSING", "PROCESSING", "PARTIAL"}},
	}
	for _, tt := range tests {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			srv := start(t, func(c *bwsim.Config) { c.ProcessingPolls = tt.polls })
			doc := create(t, srv, orderXML("", "ASSIGN", "9195550000", "2125550000"))
			for i, want := range tt.want {
				if i > 0 {
					doc = get(t, srv, doc.OrderID)
				}
				if doc.ProcessingStatus != want {
					t.Fatalf("step %d: %s, want %s", i, doc.ProcessingStatus, want)
				}
				final := want == "PARTIAL"
				if final != (doc.FailedQuantity != nil) || final != (len(doc.Errors) == 1) {
					t.Errorf("step %d (%s): FailedQuantity %v, Errors %v", i, want, doc.FailedQuantity, doc.Errors)
				}
			}
		})
	}
}

// TestProgressByDelay checks that an order is final only after ProcessingDelay, and that listing it
// is not a poll.
func TestProgressByDelay(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.ProcessingPolls = 0
		c.ProcessingDelay = 10 * time.Second
		c.Now = clk.Now
	})
	doc := create(t, srv, orderXML("delay", "ASSIGN", "9195550000"))
	if doc.ProcessingStatus != "RECEIVED" {
		t.Fatalf("create: %s", doc.ProcessingStatus)
	}
	listStatus := func() string {
		res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "?customerOrderId=delay"})
		l := decode[listDoc](t, res.body)
		if len(l.Orders) != 1 {
			t.Fatalf("list: %s", res.body)
		}
		return l.Orders[0].OrderStatus
	}
	if s := listStatus(); s != "RECEIVED" {
		t.Errorf("list before any GET: %s", s)
	}
	clk.Add(9 * time.Second)
	if s := get(t, srv, doc.OrderID).ProcessingStatus; s != "PROCESSING" {
		t.Errorf("GET at 9s: %s", s)
	}
	if s := listStatus(); s != "PROCESSING" {
		t.Errorf("list at 9s: %s", s)
	}
	clk.Add(time.Second)
	if s := listStatus(); s != "COMPLETE" {
		t.Errorf("list at 10s: %s", s)
	}
	if s := get(t, srv, doc.OrderID).ProcessingStatus; s != "COMPLETE" {
		t.Errorf("GET at 10s: %s", s)
	}
}

// TestProgressPollsAndDelay checks both conditions must hold.
func TestProgressPollsAndDelay(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.ProcessingPolls = 1
		c.ProcessingDelay = time.Minute
		c.Now = clk.Now
	})
	id := create(t, srv, orderXML("", "ASSIGN", "9195550000")).OrderID
	for i := range 3 {
		if s := get(t, srv, id).ProcessingStatus; s != "PROCESSING" {
			t.Fatalf("GET %d before the delay: %s", i, s)
		}
	}
	clk.Add(time.Minute)
	if s := get(t, srv, id).ProcessingStatus; s != "COMPLETE" {
		t.Errorf("after polls and delay: %s", s)
	}
}

// TestGetNotFound checks unknown ids, malformed ids and other accounts' orders.
func TestGetNotFound(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) {
		c.Accounts = append(c.Accounts, bwsim.Account{ID: "7", OwnedPrefixes: []string{"919555"}})
	})
	id := create(t, srv, orderXML("", "ASSIGN", "9195550000")).OrderID
	for _, path := range []string{
		ordersPath + "/65e03a35-6b97-48a5-8126-f47bad02df2a",
		ordersPath + "/not-a-uuid",
		ordersPath + "/{" + id + "}",
		"/api/accounts/7/numbersAssignment/" + id,
	} {
		res := do(t, srv, call{method: http.MethodGet, path: path})
		doc := decode[orderDoc](t, res.body)
		if res.status != http.StatusNotFound || doc.Status == nil || doc.Status.ErrorCode != nil ||
			doc.Status.Description != "The resource does not exist" {
			t.Errorf("GET %s: %d\n%s", path, res.status, res.body)
		}
	}
	if res := do(t, srv, call{method: http.MethodGet, path: "/v1.0/accounts/9900000/numbersAssignment/" + id}); res.status != http.StatusOK {
		t.Errorf("GET own order: %d", res.status)
	}
}

// TestMaxStoredOrders checks the oldest orders are forgotten beyond the bound.
func TestMaxStoredOrders(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.MaxStoredOrders = 2 })
	var ids []string
	for range 3 {
		ids = append(ids, create(t, srv, orderXML("", "ASSIGN", "9195550000")).OrderID)
	}
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "/" + ids[0]}); res.status != http.StatusNotFound {
		t.Errorf("oldest order: %d, want 404", res.status)
	}
	get(t, srv, ids[1])
	if got := srv.Received(); len(got) != 2 || got[0].OrderID != ids[1] {
		t.Errorf("Received() = %+v", got)
	}
}
