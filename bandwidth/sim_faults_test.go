package bandwidth_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// Faults and refusals against bwsim: per fault kind, what the client returns and what the
// simulator saw. The helpers are in sim_test.go.
// TestSimCreateFaults shows, per fault kind, that CreateOrder leaves exactly one order at the
// simulator and returns it, resending only when the simulator has none.
func TestSimCreateFaults(t *testing.T) {
	t.Parallel()
	create := func(f bwsim.Fault) bwsim.Fault { f.Op, f.Times = bwsim.OpCreate, 1; return f }
	tests := []struct {
		name   string
		setup  simSetup
		faults []bwsim.Fault
		want   bwsim.Stats
		check  func(t *testing.T, start time.Time, got bwsim.ReceivedOrder)
	}{
		{
			name:   "429 waits for X-RateLimit-Reset and resends without a lookup",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultRateLimit, ResetAfter: 100 * time.Millisecond})},
			want:   bwsim.Stats{Creates: 2, Tokens: 1, RateLimited: 1, Faults: 1},
			check: func(t *testing.T, start time.Time, got bwsim.ReceivedOrder) {
				// The reset is announced in whole epoch seconds, rounded up.
				reset := start.Add(100 * time.Millisecond)
				if sec := reset.Unix(); reset.After(time.Unix(sec, 0)) {
					reset = time.Unix(sec+1, 0)
				}
				if got.At.Before(reset) {
					t.Errorf("resent at %s, before X-RateLimit-Reset %s", got.At, reset)
				}
			},
		},
		{
			name:   "5xx: not found by CustomerOrderId, resent once",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultServerError, Status: http.StatusBadGateway})},
			want:   bwsim.Stats{Creates: 2, Lists: several, Tokens: 1, ServerErrors: 1, Faults: 1},
		},
		{
			name:   "reset before create: not found by CustomerOrderId, resent once",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultResetBeforeCreate})},
			want:   bwsim.Stats{Creates: 2, Lists: several, Tokens: 1, Faults: 1, Resets: 1},
		},
		{
			name:   "reset after create: found by CustomerOrderId, not resent",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultResetAfterCreate})},
			want:   bwsim.Stats{Creates: 1, Lists: 1, Gets: 1, Tokens: 1, Faults: 1, Resets: 1},
		},
		{
			name:   "truncated 201: found by CustomerOrderId, not resent",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultTruncatedBody})},
			want:   bwsim.Stats{Creates: 1, Lists: 1, Gets: 1, Tokens: 1, Faults: 1},
		},
		{
			name:   "oversized 201: found by CustomerOrderId, not resent",
			setup:  simSetup{client: func(c *bandwidth.Config) { c.MaxResponseBytes = 64 << 10 }},
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultOversizedBody, Size: 1 << 20})},
			want:   bwsim.Stats{Creates: 1, Lists: 1, Gets: 1, Tokens: 1, Faults: 1},
		},
		{
			// The simulator has not read the body when the client gives up, so net/http does not
			// cancel the handler: the order is created after the delay, and found by a lookup window
			// that outlasts it.
			name: "latency beyond the request timeout: found by CustomerOrderId, not resent",
			setup: simSetup{client: func(c *bandwidth.Config) {
				c.RequestTimeout = 100 * time.Millisecond
				c.Retry.CreateLookupWindow = 2 * time.Second
			}},
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultLatency, Delay: 300 * time.Millisecond})},
			want:   bwsim.Stats{Creates: 1, Lists: several, Gets: 1, Tokens: 1, Faults: 1},
		},
		{
			name:   "401 once: one token refresh and replay",
			faults: []bwsim.Fault{create(bwsim.Fault{Kind: bwsim.FaultUnauthorized})},
			want:   bwsim.Stats{Creates: 2, Tokens: 2, Rejected: 1, Unauthorized: 1, Faults: 1},
		},
		{
			name:   "token endpoint 503 once: nothing sent, retried",
			faults: []bwsim.Fault{{Kind: bwsim.FaultServerError, Op: bwsim.OpToken, Times: 1}},
			want:   bwsim.Stats{Creates: 1, Tokens: 2, ServerErrors: 1, Faults: 1},
		},
		{
			name:   "token endpoint dropping the connection once: nothing sent, retried",
			faults: []bwsim.Fault{{Kind: bwsim.FaultResetBeforeCreate, Op: bwsim.OpToken, Times: 1}},
			want:   bwsim.Stats{Creates: 1, Tokens: 2, Faults: 1, Resets: 1},
		},
		{
			name:   "truncated token response once: nothing sent, retried",
			faults: []bwsim.Fault{{Kind: bwsim.FaultTruncatedBody, Op: bwsim.OpToken, Times: 1}},
			want:   bwsim.Stats{Creates: 1, Tokens: 2, Faults: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, tt.setup)
			srv.Inject(tt.faults...)
			o := assign("fault case", "9195550100", "4158710100")
			start := time.Now()
			got, err := c.CreateOrder(t.Context(), simAccount, o)
			if err != nil {
				t.Fatal(err)
			}
			rec := onlyOrder(t, srv, o)
			if got.OrderID != rec.OrderID || got.Order.CustomerOrderID != o.CustomerOrderID || got.TotalQuantity != 2 {
				t.Errorf("CreateOrder returned %+v, want order %s", got, rec.OrderID)
			}
			if tt.check != nil {
				tt.check(t, start, rec)
			}
			checkStats(t, srv.Stats(), tt.want)
		})
	}
}

// TestSimCreateGivesUp checks the errors of creates that cannot succeed, and that none of them
// leaves an order behind unless it says the outcome is unknown.
func TestSimCreateGivesUp(t *testing.T) {
	t.Parallel()
	always := func(kind bwsim.FaultKind, op string) bwsim.Fault { return bwsim.Fault{Kind: kind, Op: op} }
	tests := []struct {
		name       string
		setup      simSetup
		faults     []bwsim.Fault
		wantStatus int // of the *APIError; 0 when the error is not one
		is, isNot  []error
		wantOrders int
		want       bwsim.Stats
	}{
		{
			// Throttling does not spend MaxAttempts (5): it goes on until MaxElapsed.
			name: "429 until MaxElapsed runs out (far reset clamped)",
			setup: simSetup{client: func(c *bandwidth.Config) {
				c.Retry.MaxRateLimitWait = 10 * time.Millisecond
				c.Retry.MaxElapsed = 100 * time.Millisecond
			}},
			faults:     []bwsim.Fault{{Kind: bwsim.FaultRateLimit, Op: bwsim.OpCreate, ResetAfter: time.Hour}},
			wantStatus: http.StatusTooManyRequests,
			is:         []error{bandwidth.ErrRateLimited},
			isNot:      []error{bandwidth.ErrOutcomeUnknown},
			want:       bwsim.Stats{Creates: several, Tokens: 1, RateLimited: several, Faults: several},
		},
		{
			name:       "5xx until attempts run out, never found",
			faults:     []bwsim.Fault{always(bwsim.FaultServerError, bwsim.OpCreate)},
			wantStatus: http.StatusServiceUnavailable,
			is:         []error{bandwidth.ErrUnavailable},
			isNot:      []error{bandwidth.ErrOutcomeUnknown},
			want:       bwsim.Stats{Creates: 5, Lists: several, Tokens: 1, ServerErrors: 5, Faults: 5},
		},
		{
			name:       "response lost and lookups failing: outcome unknown, not resent",
			faults:     []bwsim.Fault{{Kind: bwsim.FaultResetAfterCreate, Op: bwsim.OpCreate, Times: 1}, always(bwsim.FaultServerError, bwsim.OpList)},
			is:         []error{bandwidth.ErrOutcomeUnknown},
			wantOrders: 1,
			want:       bwsim.Stats{Creates: 1, Lists: 5, Tokens: 1, ServerErrors: 5, Faults: 6, Resets: 1},
		},
		{
			name:       "401 persisting after the refresh (OAuth2)",
			faults:     []bwsim.Fault{always(bwsim.FaultUnauthorized, bwsim.OpCreate)},
			wantStatus: http.StatusUnauthorized,
			is:         []error{bandwidth.ErrUnauthorized},
			isNot:      []error{bandwidth.ErrForbidden, bandwidth.ErrOutcomeUnknown},
			want:       bwsim.Stats{Creates: 2, Tokens: 2, Rejected: 2, Unauthorized: 2, Faults: 2},
		},
		{
			name:       "401 with Basic is not replayed",
			setup:      simSetup{basic: true},
			faults:     []bwsim.Fault{always(bwsim.FaultUnauthorized, bwsim.OpCreate)},
			wantStatus: http.StatusUnauthorized,
			is:         []error{bandwidth.ErrUnauthorized},
			want:       bwsim.Stats{Creates: 1, Rejected: 1, Unauthorized: 1, Faults: 1},
		},
		{
			name:       "wrong Basic password",
			setup:      simSetup{client: func(c *bandwidth.Config) { c.Auth = bandwidth.BasicAuth("demo", "wrong") }},
			wantStatus: http.StatusUnauthorized,
			is:         []error{bandwidth.ErrUnauthorized},
			want:       bwsim.Stats{Creates: 1, Rejected: 1, Unauthorized: 1},
		},
		{
			name:   "token endpoint unreachable: nothing sent",
			faults: []bwsim.Fault{always(bwsim.FaultResetBeforeCreate, bwsim.OpToken)},
			is:     []error{bandwidth.ErrUnavailable},
			isNot:  []error{bandwidth.ErrOutcomeUnknown, bandwidth.ErrUnauthorized},
			want:   bwsim.Stats{Tokens: 5, Faults: 5, Resets: 5},
		},
		{
			name:   "token endpoint refusing the client: nothing sent",
			faults: []bwsim.Fault{always(bwsim.FaultUnauthorized, bwsim.OpToken)},
			is:     []error{bandwidth.ErrUnauthorized},
			isNot:  []error{bandwidth.ErrOutcomeUnknown},
			want:   bwsim.Stats{Tokens: 1, Rejected: 1, Unauthorized: 1, Faults: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, tt.setup)
			srv.Inject(tt.faults...)
			got, err := c.CreateOrder(t.Context(), simAccount, assign("give up", "9195550200"))
			if err == nil {
				t.Fatalf("CreateOrder succeeded: %+v", got)
			}
			if tt.wantStatus != 0 {
				checkAPIError(t, err, tt.wantStatus, 0)
			}
			checkIs(t, err, tt.is, tt.isNot)
			if strings.Contains(err.Error(), "demo") {
				t.Errorf("error shows credentials: %v", err)
			}
			if n := len(srv.Received()); n != tt.wantOrders {
				t.Errorf("simulator has %d orders, want %d", n, tt.wantOrders)
			}
			checkStats(t, srv.Stats(), tt.want)
		})
	}
}

// TestSimReadFaults shows, per fault kind, what GetOrder and ListOrders do: retry what may succeed,
// refuse an oversized body without reading it all, never panic.
func TestSimReadFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   bwsim.Fault // applied once, unless forever
		forever bool
		sends   int         // requests the read makes
		want    bwsim.Stats // besides the reads themselves
		is      []error     // nil: the read succeeds
		status  int         // of the *APIError, when is is set
	}{
		{name: "429", fault: bwsim.Fault{Kind: bwsim.FaultRateLimit}, sends: 2, want: bwsim.Stats{RateLimited: 1}},
		{name: "503", fault: bwsim.Fault{Kind: bwsim.FaultServerError}, sends: 2, want: bwsim.Stats{ServerErrors: 1}},
		{name: "reset before answering", fault: bwsim.Fault{Kind: bwsim.FaultResetBeforeCreate}, sends: 2, want: bwsim.Stats{Resets: 1}},
		{name: "reset after handling", fault: bwsim.Fault{Kind: bwsim.FaultResetAfterCreate}, sends: 2, want: bwsim.Stats{Resets: 1}},
		{name: "truncated body", fault: bwsim.Fault{Kind: bwsim.FaultTruncatedBody}, sends: 2},
		{name: "latency beyond the request timeout", fault: bwsim.Fault{Kind: bwsim.FaultLatency, Delay: 5 * time.Second}, sends: 2},
		{name: "401 once", fault: bwsim.Fault{Kind: bwsim.FaultUnauthorized}, sends: 2, want: bwsim.Stats{Tokens: 1, Rejected: 1, Unauthorized: 1}},
		{
			name: "oversized body", fault: bwsim.Fault{Kind: bwsim.FaultOversizedBody, Size: 1 << 20}, sends: 1,
			is: []error{bandwidth.ErrResponseTooLarge, bandwidth.ErrBadResponse},
		},
		{
			name: "503 forever", fault: bwsim.Fault{Kind: bwsim.FaultServerError}, forever: true, sends: 5,
			want: bwsim.Stats{ServerErrors: 5}, is: []error{bandwidth.ErrUnavailable}, status: 503,
		},
	}
	for _, op := range []string{bwsim.OpGet, bwsim.OpList} {
		for _, tt := range tests {
			t.Run(op+" "+tt.name, func(t *testing.T) {
				t.Parallel()
				srv, c := startSim(t, simSetup{client: func(c *bandwidth.Config) {
					c.RequestTimeout = 250 * time.Millisecond
					c.MaxResponseBytes = 64 << 10
					c.Retry.MaxRateLimitWait = 10 * time.Millisecond
				}})
				ctx := t.Context()
				o := assign("reads", "9195550300")
				created, err := c.CreateOrder(ctx, simAccount, o)
				if err != nil {
					t.Fatal(err)
				}
				f := tt.fault
				f.Op, f.Times = op, 1
				if tt.forever {
					f.Times = 0
				}
				before := srv.Stats()
				srv.Inject(f)
				var gotID string
				if op == bwsim.OpGet {
					var got *bandwidth.OrderResponse
					if got, err = c.GetOrder(ctx, simAccount, created.OrderID); err == nil {
						gotID = got.OrderID
					}
				} else {
					var got *bandwidth.OrderList
					if got, err = c.ListOrders(ctx, simAccount, bandwidth.ListFilter{CustomerOrderID: o.CustomerOrderID}); err == nil {
						if len(got.Orders) != 1 || got.TotalCount != 1 {
							t.Fatalf("listed %+v, want the one order", got)
						}
						gotID = got.Orders[0].OrderID
					}
				}
				switch {
				case tt.is == nil && err != nil:
					t.Fatal(err)
				case tt.is == nil && gotID != created.OrderID:
					t.Errorf("read order %q, want %q", gotID, created.OrderID)
				case tt.is != nil:
					if err == nil {
						t.Fatal("read succeeded")
					}
					checkIs(t, err, tt.is, nil)
					if tt.status != 0 {
						checkAPIError(t, err, tt.status, 0)
					}
				}
				want := tt.want
				want.Faults = 1
				if tt.forever {
					want.Faults = tt.sends
				}
				if op == bwsim.OpGet {
					want.Gets = tt.sends
				} else {
					want.Lists = tt.sends
				}
				checkStats(t, diffStats(before, srv.Stats()), want)
				if n := len(srv.Received()); n != 1 {
					t.Errorf("simulator has %d orders, want 1", n)
				}
			})
		}
	}
}

// TestSimTokens checks that tokens are refreshed, ahead of expiry or after a 401, without a 401
// ever reaching the caller.
func TestSimTokens(t *testing.T) {
	t.Parallel()
	// list lists orders, which must succeed.
	list := func(t *testing.T, c *bandwidth.Client) {
		t.Helper()
		if _, err := c.ListOrders(t.Context(), simAccount, bandwidth.ListFilter{}); err != nil {
			t.Fatal(err)
		}
	}
	// listFor lists orders every 20 ms for d.
	listFor := func(t *testing.T, c *bandwidth.Client, d time.Duration) {
		t.Helper()
		for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
			list(t, c)
		}
	}
	tests := []struct {
		name string
		ttl  time.Duration
		run  func(t *testing.T, srv *bwsim.Server, c *bandwidth.Client)
		// check looks at the stats of the calls.
		check func(t *testing.T, st bwsim.Stats)
	}{
		{
			name: "revoked token: one refresh and replay",
			run: func(t *testing.T, srv *bwsim.Server, c *bandwidth.Client) {
				list(t, c)
				srv.ExpireTokens()
				list(t, c)
			},
			check: func(t *testing.T, st bwsim.Stats) {
				checkStats(t, st, bwsim.Stats{Lists: 3, Tokens: 2, Rejected: 1, Unauthorized: 1})
			},
		},
		{
			// expires_in is exact, so the client refreshes at half-life and no request is refused.
			name: "1 s tokens refreshed ahead of expiry",
			ttl:  time.Second,
			// Two and a half lifetimes: at least one refresh must have happened, however slow
			// the machine, and none of them after a refusal.
			run: func(t *testing.T, _ *bwsim.Server, c *bandwidth.Client) { listFor(t, c, 2500*time.Millisecond) },
			check: func(t *testing.T, st bwsim.Stats) {
				if st.Tokens < 2 || st.Unauthorized != 0 {
					t.Errorf("%d tokens and %d 401s, want at least 2 and none", st.Tokens, st.Unauthorized)
				}
			},
		},
		{
			// expires_in is whole seconds, rounded up: the simulator refuses the token before the
			// client expects, and the refresh on 401 covers it.
			name: "100 ms tokens replaced on 401",
			ttl:  100 * time.Millisecond,
			run:  func(t *testing.T, _ *bwsim.Server, c *bandwidth.Client) { listFor(t, c, 400*time.Millisecond) },
			check: func(t *testing.T, st bwsim.Stats) {
				if st.Tokens < 2 || st.Unauthorized < 1 || st.Unauthorized >= st.Lists {
					t.Errorf("%d tokens, %d 401s in %d lists: want refreshes after 401s", st.Tokens, st.Unauthorized, st.Lists)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, simSetup{sim: func(c *bwsim.Config) {
				if tt.ttl > 0 {
					c.TokenTTL = tt.ttl
				}
			}})
			tt.run(t, srv, c)
			tt.check(t, srv.Stats())
		})
	}
}

// TestSimRequestErrors checks request-level refusals: typed errors with the HTTP status and
// Bandwidth code, matching the sentinels, never retried, nothing created.
func TestSimRequestErrors(t *testing.T) {
	t.Parallel()
	const disabled, unknown = "9900001", "1234567"
	sim := func(c *bwsim.Config) {
		c.Accounts = append(c.Accounts, bwsim.Account{ID: disabled, OwnedPrefixes: bwsim.DefaultOwnedPrefixes(), AssignmentDisabled: true})
	}
	o := assign("refused", "9195550400")
	tests := []struct {
		name         string
		call         func(ctx context.Context, c *bandwidth.Client, existing string) error
		status, code int
		is, isNot    []error
		want         bwsim.Stats // after creating one order on the default account
	}{
		{
			name: "create on an account without the feature",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.CreateOrder(ctx, disabled, o)
				return err
			},
			status: 400, code: 12752,
			isNot: []error{bandwidth.ErrUnauthorized, bandwidth.ErrNotFound, bandwidth.ErrUnavailable, bandwidth.ErrOutcomeUnknown},
			want:  bwsim.Stats{Creates: 1, Rejected: 1},
		},
		{
			name: "create on another account",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.CreateOrder(ctx, unknown, o)
				return err
			},
			status: 403, code: 5051,
			is:   []error{bandwidth.ErrForbidden, bandwidth.ErrUnauthorized},
			want: bwsim.Stats{Creates: 1, Rejected: 1},
		},
		{
			name: "list another account",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.ListOrders(ctx, unknown, bandwidth.ListFilter{})
				return err
			},
			status: 403, code: 5051,
			is:   []error{bandwidth.ErrForbidden},
			want: bwsim.Stats{Lists: 1, Rejected: 1},
		},
		{
			name: "get an unknown order",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.GetOrder(ctx, simAccount, "00000000-0000-4000-8000-000000000000")
				return err
			},
			status: 404,
			is:     []error{bandwidth.ErrNotFound},
			isNot:  []error{bandwidth.ErrUnauthorized},
			want:   bwsim.Stats{Gets: 1, Rejected: 1},
		},
		{
			name: "get an order through another account",
			call: func(ctx context.Context, c *bandwidth.Client, existing string) error {
				_, err := c.GetOrder(ctx, disabled, existing)
				return err
			},
			status: 404,
			is:     []error{bandwidth.ErrNotFound},
			want:   bwsim.Stats{Gets: 1, Rejected: 1},
		},
		{
			name: "await an unknown order gives up after the grace",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.AwaitOrder(ctx, simAccount, "00000000-0000-4000-8000-000000000000")
				return err
			},
			status: 404,
			is:     []error{bandwidth.ErrNotFound},
			want:   bwsim.Stats{Gets: several, Rejected: several}, // one 404 per poll
		},
		{
			name: "invalid action is never sent",
			call: func(ctx context.Context, c *bandwidth.Client, _ string) error {
				_, err := c.CreateOrder(ctx, simAccount, bandwidth.Order{CustomerOrderID: "x", Action: "MOVE", TelephoneNumbers: []string{"9195550400"}})
				return err
			},
			is: []error{bandwidth.ErrInvalidOrder},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := startSim(t, simSetup{basic: true, sim: sim})
			existing, err := c.CreateOrder(t.Context(), simAccount, assign("existing", "9195550401"))
			if err != nil {
				t.Fatal(err)
			}
			before := srv.Stats()
			err = tt.call(t.Context(), c, existing.OrderID)
			if err == nil {
				t.Fatal("call succeeded")
			}
			if tt.status != 0 {
				checkAPIError(t, err, tt.status, tt.code)
			} else if errors.As(err, new(*bandwidth.APIError)) {
				t.Errorf("error %v is an *APIError", err)
			}
			checkIs(t, err, tt.is, tt.isNot)
			checkStats(t, diffStats(before, srv.Stats()), tt.want)
			if n := len(srv.Received()); n != 1 {
				t.Errorf("simulator has %d orders, want only the existing one", n)
			}
		})
	}
}
