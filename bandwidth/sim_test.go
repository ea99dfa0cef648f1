package bandwidth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// The TestSim tests run the Client against bwsim, a fresh simulator per case, and assert both on
// what the client returned and on what the simulator saw on the wire (Received and Stats). This
// file has the helpers and the paths without faults; sim_faults_test.go has the faults and refusals.

const simAccount = bwsim.DefaultAccountID

// simSetup changes one case's simulator and client from the defaults of startSim.
type simSetup struct {
	basic  bool   // HTTP Basic instead of OAuth2
	base   string // the base path instead of /api, such as /v1.0
	sim    func(*bwsim.Config)
	client func(*bandwidth.Config)
}

// startSim runs a simulator and returns it with a client of it. Retries, lookups and polls are
// paced in milliseconds so that a case takes well under a second unless it waits on purpose.
func startSim(t *testing.T, s simSetup) (*bwsim.Server, *bandwidth.Client) {
	t.Helper()
	simCfg := bwsim.DefaultConfig()
	if s.sim != nil {
		s.sim(&simCfg)
	}
	srv := bwsim.NewServer(simCfg)
	t.Cleanup(srv.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections) // runs before srv.Close
	hc := &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	auth := bandwidth.NewOAuth2(bandwidth.OAuth2Config{
		ClientID: "demo", ClientSecret: "demo", TokenURL: srv.TokenURL, HTTPClient: hc,
	})
	if s.basic {
		auth = bandwidth.BasicAuth("demo", "demo")
	}
	base := srv.URL
	if s.base != "" {
		base = strings.TrimSuffix(srv.URL, "/api") + s.base
	}
	cfg := bandwidth.Config{
		BaseURL:        base,
		Auth:           auth,
		HTTPClient:     hc,
		RequestTimeout: 5 * time.Second,
		Retry: bandwidth.RetryPolicy{
			MaxAttempts:        5,
			MaxElapsed:         10 * time.Second,
			BaseDelay:          time.Millisecond,
			MaxDelay:           10 * time.Millisecond,
			MaxRateLimitWait:   2 * time.Second,
			CreateLookupWindow: 30 * time.Millisecond,
		},
		Poll: bandwidth.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, NotFoundGrace: 100 * time.Millisecond},
	}
	if s.client != nil {
		s.client(&cfg)
	}
	c, err := bandwidth.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// assign returns an ASSIGN order.
func assign(customerOrderID string, tns ...string) bandwidth.Order {
	return bandwidth.Order{CustomerOrderID: customerOrderID, Action: bandwidth.ActionAssign, TelephoneNumbers: tns}
}

// onlyOrder returns the one order the simulator accepted, failing the test unless there is
// exactly one, and checks that it is o as sent.
func onlyOrder(t *testing.T, srv *bwsim.Server, o bandwidth.Order) bwsim.ReceivedOrder {
	t.Helper()
	got := srv.Received()
	if len(got) != 1 {
		t.Fatalf("simulator received %d orders, want exactly 1: %+v", len(got), got)
	}
	r := got[0]
	if r.AccountID != simAccount || r.CustomerOrderID != o.CustomerOrderID || r.Action != string(o.Action) ||
		!slices.Equal(r.TelephoneNumbers, o.TelephoneNumbers) {
		t.Errorf("received %+v, want %+v", r, o)
	}
	return r
}

// several stands for a count of at least one whose exact value depends on timing, such as the
// lookups made during Config.Retry.CreateLookupWindow.
const several = -1

// statCounts returns pointers to every count of s, in field order.
func statCounts(s *bwsim.Stats) []*int {
	return []*int{&s.Creates, &s.Gets, &s.Lists, &s.Tokens, &s.Rejected, &s.Unauthorized,
		&s.RateLimited, &s.ServerErrors, &s.Faults, &s.Resets}
}

// checkStats compares the simulator's counts with want, where a count of want set to several
// accepts any count of at least one.
func checkStats(t *testing.T, got, want bwsim.Stats) {
	t.Helper()
	cmp := got
	for i, w := range statCounts(&want) {
		if g := statCounts(&cmp)[i]; *w == several && *g >= 1 {
			*g = several
		}
	}
	if cmp != want {
		t.Errorf("simulator stats\n%+v\nwant\n%+v", got, want)
	}
}

// diffStats returns the counts of b minus those of a.
func diffStats(a, b bwsim.Stats) bwsim.Stats {
	for i, n := range statCounts(&b) {
		*n -= *statCounts(&a)[i]
	}
	return b
}

// checkAPIError checks that err is an *APIError with the HTTP status and Bandwidth code (when
// code is not 0).
func checkAPIError(t *testing.T, err error, status, code int) {
	t.Helper()
	var ae *bandwidth.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *APIError", err, err)
	}
	if ae.HTTPStatus != status || (code != 0 && ae.Code != code) {
		t.Errorf("APIError HTTP %d code %d, want HTTP %d code %d: %v", ae.HTTPStatus, ae.Code, status, code, err)
	}
	if want := status == http.StatusTooManyRequests || status >= 500; ae.Retryable != want {
		t.Errorf("APIError.Retryable = %v for HTTP %d", ae.Retryable, status)
	}
}

// checkIs checks err against sentinels it must match and sentinels it must not.
func checkIs(t *testing.T, err error, is, isNot []error) {
	t.Helper()
	for _, target := range is {
		if !errors.Is(err, target) {
			t.Errorf("error %v does not match %v", err, target)
		}
	}
	for _, target := range isNot {
		if errors.Is(err, target) {
			t.Errorf("error %v matches %v", err, target)
		}
	}
}

// TestSimHappyPath creates and awaits an order with each auth scheme and base URL style.
func TestSimHappyPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup simSetup
	}{
		{"oauth2 /api", simSetup{}},
		{"oauth2 /api/v1", simSetup{base: "/api/v1"}},
		{"basic /api", simSetup{basic: true}},
		{"basic /v1.0", simSetup{basic: true, base: "/v1.0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, tt.setup)
			o := assign("happy 1", "9195550001", "4158710002", "4352150003")
			created, err := c.CreateOrder(t.Context(), simAccount, o)
			if err != nil {
				t.Fatal(err)
			}
			got := onlyOrder(t, srv, o)
			if created.OrderID != got.OrderID || created.Status != bandwidth.StatusReceived ||
				created.AccountID != simAccount || created.CreatedByUser != "demo" || created.TotalQuantity != 3 {
				t.Errorf("created %+v, want RECEIVED order %s", created, got.OrderID)
			}
			done, err := c.AwaitOrder(t.Context(), simAccount, created.OrderID)
			if err != nil {
				t.Fatal(err)
			}
			if done.Status != bandwidth.StatusComplete || done.FailedQuantity != 0 || len(done.Errors) != 0 ||
				!slices.Equal(done.Order.TelephoneNumbers, o.TelephoneNumbers) {
				t.Errorf("awaited %+v, want COMPLETE", done)
			}
			for _, tn := range o.TelephoneNumbers {
				if !srv.Assigned(simAccount, tn) {
					t.Errorf("%s not assigned", tn)
				}
			}
			want := bwsim.Stats{Creates: 1, Gets: 2, Tokens: 1} // ProcessingPolls 1: PROCESSING, then final
			if tt.setup.basic {
				want.Tokens = 0
			}
			checkStats(t, srv.Stats(), want)
		})
	}
}

// TestSimRequestsPerOrder counts what one order costs against the account's rate limit: a create,
// and a GET only when the order is not final yet, spaced by Poll.Initial so that an order that
// settles within it costs a single GET. Every request waits for the limiter, token requests aside.
func TestSimRequestsPerOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		polls      int           // bwsim ProcessingPolls
		delay      time.Duration // bwsim ProcessingDelay
		initial    time.Duration // Poll.Initial
		wantStatus bandwidth.Status
		want       bwsim.Stats
	}{
		{"final on creation: no GET", 0, 0, time.Millisecond, bandwidth.StatusComplete, bwsim.Stats{Creates: 1, Tokens: 1}},
		{"final before the first poll: one GET", 0, 30 * time.Millisecond, 80 * time.Millisecond, bandwidth.StatusReceived, bwsim.Stats{Creates: 1, Gets: 1, Tokens: 1}},
		{"one PROCESSING poll: two GETs", 1, 0, time.Millisecond, bandwidth.StatusReceived, bwsim.Stats{Creates: 1, Gets: 2, Tokens: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lim := &countingLimiter{}
			srv, c := startSim(t, simSetup{
				sim: func(c *bwsim.Config) { c.ProcessingPolls, c.ProcessingDelay = tt.polls, tt.delay },
				client: func(c *bandwidth.Config) {
					c.Poll.Initial = tt.initial
					c.Limiter = lim
				},
			})
			created, err := c.CreateOrder(t.Context(), simAccount, assign("per order", "9195550001"))
			if err != nil {
				t.Fatal(err)
			}
			if created.Status != tt.wantStatus {
				t.Fatalf("created %s, want %s", created.Status, tt.wantStatus)
			}
			if !created.Status.Final() { // as the service does: await only what is not final
				if _, err := c.AwaitOrder(t.Context(), simAccount, created.OrderID); err != nil {
					t.Fatal(err)
				}
			}
			st := srv.Stats()
			checkStats(t, st, tt.want)
			if n := lim.count(simAccount); n != st.Creates+st.Gets+st.Lists {
				t.Errorf("limiter waited %d times for %d requests", n, st.Creates+st.Gets+st.Lists)
			}
		})
	}
}

// countingLimiter counts the requests of each account it paces.
type countingLimiter struct {
	mu    sync.Mutex
	waits map[string]int
}

func (l *countingLimiter) Wait(ctx context.Context, accountID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waits == nil {
		l.waits = map[string]int{}
	}
	l.waits[accountID]++
	return ctx.Err()
}

func (l *countingLimiter) count(accountID string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waits[accountID]
}

// TestSimOrderOutcomes checks per-number outcomes, which are the content of a PARTIAL or FAILED
// order and not an error of the call.
func TestSimOrderOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		order      bandwidth.Order
		sim        func(*bwsim.Config)
		wantStatus bandwidth.Status
		wantErrors []bandwidth.NumberError
		wantPolls  int // GETs AwaitOrder makes
	}{
		{
			name:       "the guide's sample order",
			order:      assign("12345", "9199918388", "4158714245", "4352154439", "4352154466"),
			wantStatus: bandwidth.StatusPartial,
			wantErrors: []bandwidth.NumberError{{Code: 5076, Description: "Number does not belong to this account.", TelephoneNumbers: []string{"9199918388"}}},
			wantPolls:  2,
		},
		{
			name:       "every number failing, grouped by code",
			order:      assign("all-fail", "1234567890", "9199918388", "2125550000", "0195550000"),
			wantStatus: bandwidth.StatusFailed,
			wantErrors: []bandwidth.NumberError{
				{Code: 5070, Description: "Telephone number is invalid.", TelephoneNumbers: []string{"1234567890", "0195550000"}},
				{Code: 5076, Description: "Number does not belong to this account.", TelephoneNumbers: []string{"9199918388", "2125550000"}},
			},
			wantPolls: 2,
		},
		{
			name:       "three polls of PROCESSING before the final status",
			order:      assign("async", "9195550010", "9195550011"),
			sim:        func(c *bwsim.Config) { c.ProcessingPolls = 3 },
			wantStatus: bandwidth.StatusComplete,
			wantPolls:  4,
		},
		{
			name:  "final only after a processing delay",
			order: assign("delayed", "9195550020", "9199918388"),
			sim: func(c *bwsim.Config) {
				c.ProcessingPolls = 0
				c.ProcessingDelay = 50 * time.Millisecond
			},
			wantStatus: bandwidth.StatusPartial,
			wantErrors: []bandwidth.NumberError{{Code: 5076, Description: "Number does not belong to this account.", TelephoneNumbers: []string{"9199918388"}}},
			wantPolls:  several,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, simSetup{sim: tt.sim})
			created, err := c.CreateOrder(t.Context(), simAccount, tt.order)
			if err != nil {
				t.Fatal(err)
			}
			if created.Status != bandwidth.StatusReceived || created.FailedQuantity != 0 || len(created.Errors) != 0 {
				t.Errorf("create answered %s with %d failed %v, want RECEIVED without outcome", created.Status, created.FailedQuantity, created.Errors)
			}
			done, err := c.AwaitOrder(t.Context(), simAccount, created.OrderID)
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for _, e := range tt.wantErrors {
				failed += len(e.TelephoneNumbers)
			}
			if done.Status != tt.wantStatus || done.TotalQuantity != len(tt.order.TelephoneNumbers) || done.FailedQuantity != failed {
				t.Errorf("awaited %s total %d failed %d, want %s %d %d",
					done.Status, done.TotalQuantity, done.FailedQuantity, tt.wantStatus, len(tt.order.TelephoneNumbers), failed)
			}
			if fmt.Sprint(done.Errors) != fmt.Sprint(tt.wantErrors) {
				t.Errorf("errors\n%v\nwant\n%v", done.Errors, tt.wantErrors)
			}
			if done.Order.CustomerOrderID != tt.order.CustomerOrderID || !slices.Equal(done.Order.TelephoneNumbers, tt.order.TelephoneNumbers) {
				t.Errorf("echoed order %+v, want %+v", done.Order, tt.order)
			}
			onlyOrder(t, srv, tt.order)
			checkStats(t, srv.Stats(), bwsim.Stats{Creates: 1, Gets: tt.wantPolls, Tokens: 1})
		})
	}
}

// TestSimListOrders checks each list filter against the orders the simulator holds.
func TestSimListOrders(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, simSetup{sim: func(c *bwsim.Config) { c.ProcessingPolls = 0 }})
	orders := []bandwidth.Order{
		assign("list-a", "9195550501", "9195550502"),                                                            // COMPLETE
		{CustomerOrderID: "list-b", Action: bandwidth.ActionUnassign, TelephoneNumbers: []string{"9195550501"}}, // COMPLETE
		assign("list-c", "9195550503", "9199918388"),                                                            // PARTIAL
		assign("list-d", "9199918388"),                                                                          // FAILED
	}
	ids := map[string]string{} // CustomerOrderId → OrderId
	for _, o := range orders {
		resp, err := c.CreateOrder(t.Context(), simAccount, o)
		if err != nil {
			t.Fatal(err)
		}
		ids[o.CustomerOrderID] = resp.OrderID
	}
	received := map[string]bwsim.ReceivedOrder{}
	for _, r := range srv.Received() {
		received[r.OrderID] = r
	}
	if len(received) != len(orders) {
		t.Fatalf("simulator holds %d orders, want %d", len(received), len(orders))
	}
	today := time.Now().UTC()
	tests := []struct {
		name   string
		filter bandwidth.ListFilter
		want   []string // CustomerOrderIds, newest first
	}{
		{"all", bandwidth.ListFilter{}, []string{"list-d", "list-c", "list-b", "list-a"}},
		{"customerOrderId", bandwidth.ListFilter{CustomerOrderID: "list-b"}, []string{"list-b"}},
		{"unknown customerOrderId", bandwidth.ListFilter{CustomerOrderID: "nope"}, nil},
		{"action ASSIGNED", bandwidth.ListFilter{Action: bandwidth.ActionAssign}, []string{"list-d", "list-c", "list-a"}},
		{"action UNASSIGNED", bandwidth.ListFilter{Action: bandwidth.ActionUnassign}, []string{"list-b"}},
		{"status", bandwidth.ListFilter{Statuses: []bandwidth.Status{bandwidth.StatusPartial}}, []string{"list-c"}},
		{"statuses", bandwidth.ListFilter{Statuses: []bandwidth.Status{bandwidth.StatusFailed, bandwidth.StatusComplete}}, []string{"list-d", "list-b", "list-a"}},
		{"tn", bandwidth.ListFilter{TelephoneNumber: "9195550501"}, []string{"list-b", "list-a"}},
		{"tn, action and status", bandwidth.ListFilter{TelephoneNumber: "9199918388", Action: bandwidth.ActionAssign, Statuses: []bandwidth.Status{bandwidth.StatusFailed}}, []string{"list-d"}},
		{"orderIdFragment", bandwidth.ListFilter{OrderIDFragment: ids["list-c"][:13]}, []string{"list-c"}},
		{"created today", bandwidth.ListFilter{CreatedFrom: today, CreatedTo: today}, []string{"list-d", "list-c", "list-b", "list-a"}},
		{"created before today", bandwidth.ListFilter{CreatedTo: today.AddDate(0, 0, -1)}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, err := c.ListOrders(t.Context(), simAccount, tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range l.Orders {
				got = append(got, s.CustomerOrderID)
				r, ok := received[s.OrderID]
				if !ok || s.OrderID != ids[s.CustomerOrderID] {
					t.Errorf("listed order %s (%s) is not the one the simulator holds", s.OrderID, s.CustomerOrderID)
					continue
				}
				if string(s.Action) != r.Action || s.TotalQuantity != len(r.TelephoneNumbers) || !s.Status.Final() || s.AccountID != simAccount {
					t.Errorf("summary %+v does not describe %+v", s, r)
				}
			}
			if !slices.Equal(got, tt.want) || l.TotalCount != len(tt.want) {
				t.Errorf("listed %q (TotalCount %d), want %q", got, l.TotalCount, tt.want)
			}
		})
	}
}

// TestSimConcurrentCreates sends 20 orders at once through a rate-limited simulator: every one is
// created exactly once, 429s are resent without lookups, and the callers share one token.
func TestSimConcurrentCreates(t *testing.T) {
	t.Parallel()
	srv, c := startSim(t, simSetup{
		sim: func(c *bwsim.Config) { c.RateLimit, c.RateBurst = 50, 5 },
		client: func(c *bandwidth.Config) {
			c.Retry.MaxAttempts = 30
			c.Retry.MaxRateLimitWait = 100 * time.Millisecond
		},
	})
	const n = 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created = map[string]string{} // OrderId → CustomerOrderId
		start   = make(chan struct{})
	)
	for i := range n {
		wg.Go(func() {
			o := assign(fmt.Sprintf("concurrent %02d", i), fmt.Sprintf("91955506%02d", i))
			<-start
			resp, err := c.CreateOrder(t.Context(), simAccount, o)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			created[resp.OrderID] = o.CustomerOrderID
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	received := srv.Received()
	coids := map[string]bool{}
	for _, r := range received {
		if coids[r.CustomerOrderID] {
			t.Errorf("order %q created twice", r.CustomerOrderID)
		}
		coids[r.CustomerOrderID] = true
		if created[r.OrderID] != r.CustomerOrderID {
			t.Errorf("order %s (%q) was not returned to its caller", r.OrderID, r.CustomerOrderID)
		}
	}
	if len(received) != n || len(created) != n {
		t.Errorf("simulator holds %d orders, callers got %d, want %d", len(received), len(created), n)
	}
	st := srv.Stats()
	if st.RateLimited == 0 {
		t.Error("the rate limit never engaged")
	}
	checkStats(t, st, bwsim.Stats{Creates: n + st.RateLimited, Tokens: 1, RateLimited: st.RateLimited})
}
