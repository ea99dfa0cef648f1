package bandwidth_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// TestSimWrongBaseURL points the client at the simulator under a path prefix it does not serve:
// every call fails at once with ErrMisconfigured naming the URL, nothing is retried or looked up,
// and no order is created.
func TestSimWrongBaseURL(t *testing.T) {
	t.Parallel()
	calls := []struct {
		name   string
		method string
		call   func(ctx context.Context, c *bandwidth.Client) error
		want   bwsim.Stats
	}{
		{"create", "POST", func(ctx context.Context, c *bandwidth.Client) error {
			_, err := c.CreateOrder(ctx, simAccount, assign("wrong-base", "9195550900"))
			return err
		}, bwsim.Stats{Rejected: 1}},
		{"list", "GET", func(ctx context.Context, c *bandwidth.Client) error {
			_, err := c.ListOrders(ctx, simAccount, bandwidth.ListFilter{})
			return err
		}, bwsim.Stats{Rejected: 1}},
		{"get", "GET", func(ctx context.Context, c *bandwidth.Client) error {
			_, err := c.GetOrder(ctx, simAccount, "00000000-0000-4000-8000-000000000000")
			return err
		}, bwsim.Stats{Rejected: 1}},
		{"await", "GET", func(ctx context.Context, c *bandwidth.Client) error {
			_, err := c.AwaitOrder(ctx, simAccount, "00000000-0000-4000-8000-000000000000")
			return err
		}, bwsim.Stats{Rejected: 1}},
	}
	for _, base := range []string{"/", "/api/v3", "/dashboard/api"} {
		for _, tt := range calls {
			t.Run(base+" "+tt.name, func(t *testing.T) {
				t.Parallel()
				srv, c := startSim(t, simSetup{basic: true, base: base})
				err := tt.call(t.Context(), c)
				if !errors.Is(err, bandwidth.ErrMisconfigured) {
					t.Fatalf("error = %v, want ErrMisconfigured", err)
				}
				if errors.Is(err, bandwidth.ErrNotFound) || errors.Is(err, bandwidth.ErrOutcomeUnknown) {
					t.Errorf("error %v also matches ErrNotFound or ErrOutcomeUnknown", err)
				}
				url := strings.TrimSuffix(strings.TrimSuffix(srv.URL, "/api")+base, "/") + "/accounts/" + simAccount + "/numbersAssignment"
				if msg := err.Error(); !strings.Contains(msg, tt.method+" "+url) || !strings.Contains(msg, "/api") || strings.Contains(msg, "demo") {
					t.Errorf("message %q does not name %s %s and what to check, or shows credentials", msg, tt.method, url)
				}
				checkStats(t, srv.Stats(), tt.want)
				if n := len(srv.Received()); n != 0 {
					t.Errorf("%d orders created", n)
				}
			})
		}
	}
}
