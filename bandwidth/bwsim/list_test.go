package bwsim_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// listFixture creates orders over several days:
//
//	a: 2026-03-01 ASSIGN   9195550001,2125550000  PARTIAL  cid "alpha"
//	b: 2026-03-02 ASSIGN   9195550002             COMPLETE cid "beta"
//	c: 2026-03-03 UNASSIGN 9195550001             COMPLETE (no cid)
//	d: 2026-03-04 ASSIGN   2125550001             FAILED   cid "alpha"
//
// and one order of another account. It returns the server and the ids by letter.
func listFixture(t *testing.T) (*bwsim.Server, map[string]string, *clock) {
	t.Helper()
	clk := newClock(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.ProcessingPolls = 0
		c.Now = clk.Now
		c.Accounts = append(c.Accounts, bwsim.Account{ID: "7", OwnedPrefixes: []string{"919555"}})
	})
	ids := map[string]string{}
	for _, o := range []struct {
		key, cid, action string
		tns              []string
	}{
		{"a", "alpha", "ASSIGN", []string{"9195550001", "2125550000"}},
		{"b", "beta", "ASSIGN", []string{"9195550002"}},
		{"c", "", "UNASSIGN", []string{"9195550001"}},
		{"d", "alpha", "ASSIGN", []string{"2125550001"}},
	} {
		ids[o.key] = create(t, srv, orderXML(o.cid, o.action, o.tns...)).OrderID
		clk.Add(24 * time.Hour)
	}
	res := do(t, srv, call{method: http.MethodPost, path: "/api/accounts/7/numbersAssignment", body: orderXML("alpha", "ASSIGN", "9195550001")})
	if res.status != http.StatusCreated {
		t.Fatal(res.status)
	}
	return srv, ids, clk
}

func TestListFilters(t *testing.T) {
	t.Parallel()
	srv, ids, _ := listFixture(t)
	tests := []struct {
		query string
		want  string // letters, newest first
	}{
		{"", "dcba"},
		{"customerOrderId=alpha", "da"},
		{"customerOrderId=gamma", ""},
		{"tn=9195550001", "ca"},
		{"tn=2125550000", "a"},
		{"status=COMPLETE", "cb"},
		{"status=complete&status=Failed", "dcb"},
		{"status=partial,failed", "da"},
		{"action=ASSIGNED", "dba"},
		{"action=unassigned", "c"},
		{"orderIdFragment=" + ids["b"][:8], "b"},
		{"orderIdFragment=" + ids["c"], "c"},
		{"createdDateFrom=2026-03-02", "dcb"},
		{"createdDateTo=2026-03-02", "ba"},
		{"createdDateFrom=2026-03-02&createdDateTo=2026-03-03", "cb"},
		{"modifiedDateFrom=2026-03-04&modifiedDateTo=2026-03-04", "d"},
		{"customerOrderId=alpha&status=FAILED", "d"},
		{"unknownParam=1&page=2", "dcba"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "?" + tt.query})
			if res.status != http.StatusOK {
				t.Fatalf("status %d\n%s", res.status, res.body)
			}
			l := decode[listDoc](t, res.body)
			var got string
			for _, o := range l.Orders {
				for k, id := range ids {
					if id == o.OrderID {
						got += k
					}
				}
			}
			if got != tt.want || l.TotalCount != len(tt.want) {
				t.Errorf("got %q (TotalCount %d), want %q", got, l.TotalCount, tt.want)
			}
		})
	}
}

func TestListShape(t *testing.T) {
	t.Parallel()
	srv, ids, _ := listFixture(t)
	res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "?orderIdFragment=" + ids["a"]})
	want := []string{"accountId", "CustomerOrderId", "TotalQuantity", "FailedQuantity", "userId", "OrderDate", "OrderType", "OrderStatus", "Action", "OrderId"}
	if got := childNames(t, res.body, "TelephoneNumbersAssignmentOrders", "TelephoneNumbersAssignmentOrderSummary"); !slices.Equal(got, want) {
		t.Errorf("summary children = %v, want %v", got, want)
	}
	if got := childNames(t, res.body, "TelephoneNumbersAssignmentOrders"); !slices.Equal(got, []string{"TotalCount", "TelephoneNumbersAssignmentOrderSummary"}) {
		t.Errorf("root children = %v", got)
	}
	l := decode[listDoc](t, res.body)
	o := l.Orders[0]
	if o.AccountID != "9900000" || o.CustomerOrderID != "alpha" || o.TotalQuantity != 2 || o.FailedQuantity != 1 ||
		o.UserID != "demo" || o.OrderDate != "2026-03-01T10:00:00.000Z" || o.OrderType != "NUMBERS_ASSIGNMENT_ORDER" ||
		o.OrderStatus != "PARTIAL" || o.Action != "ASSIGN" {
		t.Errorf("summary = %+v", o)
	}
	res = do(t, srv, call{method: http.MethodGet, path: ordersPath + "?orderIdFragment=" + ids["c"]})
	want = []string{"accountId", "TotalQuantity", "userId", "OrderDate", "OrderType", "OrderStatus", "Action", "OrderId"}
	if got := childNames(t, res.body, "TelephoneNumbersAssignmentOrders", "TelephoneNumbersAssignmentOrderSummary"); !slices.Equal(got, want) {
		t.Errorf("summary without customer id or failures = %v, want %v", got, want)
	}
}

func TestListBadParameters(t *testing.T) {
	t.Parallel()
	srv, _, _ := listFixture(t)
	tests := []struct {
		query string
		code  int
	}{
		{"status=DONE", 15518},
		{"status=COMPLETE&status=x", 15518},
		{"action=ASSIGN", 1019},
		{"createdDateFrom=2026-3-1", 1019},
		{"createdDateTo=03/01/2026", 1019},
		{"modifiedDateFrom=yesterday", 1019},
		{"modifiedDateTo=2026-02-30", 1019},
		{"tn=%zz", 1019},
	}
	for _, tt := range tests {
		res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "?" + tt.query})
		l := decode[listDoc](t, res.body)
		if res.status != http.StatusBadRequest || l.Status == nil || l.Status.ErrorCode == nil || *l.Status.ErrorCode != tt.code {
			t.Errorf("%s: %d\n%s", tt.query, res.status, res.body)
		}
	}
}

// TestListCap checks the MaxOrders cap, newest first, with TotalCount counting every match.
func TestListCap(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.ProcessingPolls = 0 })
	const n = 1005
	for i := range n {
		create(t, srv, orderXML(fmt.Sprintf("o%d", i), "ASSIGN", "9195550000"))
	}
	l := decode[listDoc](t, do(t, srv, call{method: http.MethodGet, path: ordersPath}).body)
	if l.TotalCount != n || len(l.Orders) != bwsim.DefaultMaxOrders {
		t.Fatalf("TotalCount %d, %d orders", l.TotalCount, len(l.Orders))
	}
	if l.Orders[0].CustomerOrderID != fmt.Sprintf("o%d", n-1) || l.Orders[999].CustomerOrderID != "o5" {
		t.Errorf("not newest first: first %s, last %s", l.Orders[0].CustomerOrderID, l.Orders[999].CustomerOrderID)
	}
}

// TestListDefaultWindow checks that without a date range or specific filter only the last two
// years are listed.
func TestListDefaultWindow(t *testing.T) {
	t.Parallel()
	srv, ids, clk := listFixture(t)
	clk.Add(2*365*24*time.Hour - 60*time.Hour) // a and b are now older than two years
	l := decode[listDoc](t, do(t, srv, call{method: http.MethodGet, path: ordersPath}).body)
	if l.TotalCount != 2 || l.Orders[0].OrderID != ids["d"] || l.Orders[1].OrderID != ids["c"] {
		t.Errorf("default window: %+v", l)
	}
	for _, q := range []string{"customerOrderId=alpha", "tn=9195550001", "createdDateFrom=2020-01-01", "orderIdFragment=" + ids["a"]} {
		l := decode[listDoc](t, do(t, srv, call{method: http.MethodGet, path: ordersPath + "?" + q}).body)
		found := false
		for _, o := range l.Orders {
			found = found || o.OrderID == ids["a"]
		}
		if !found {
			t.Errorf("%s: old order a missing", q)
		}
	}
}
