package server

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
)

// TestGatewayForwardingHeaders: X-Forwarded-For and X-Forwarded-Host reach
// the service (and the call log) only from a trusted proxy; from anyone
// else the service sees the connection's address and the Host header.
func TestGatewayForwardingHeaders(t *testing.T) {
	t.Parallel()
	loopback := TrustedProxies{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		name      string
		trusted   TrustedProxies
		wantFor   string
		wantHost  string // "" for the Host header
		wantInLog bool
		wantPeer  string // the caller's address for the per-caller limits
	}{
		{"no trusted proxy", nil, "127.0.0.1", "", false, "127.0.0.1"},
		{"another network trusted", TrustedProxies{netip.MustParsePrefix("10.0.0.0/8")}, "127.0.0.1", "", false, "127.0.0.1"},
		{"from a trusted proxy", loopback, "203.0.113.7, 127.0.0.1", "evil.example", true, "203.0.113.7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc := newRecordingService()
			r := startWith(t, svc, Options{Security: Security{TrustedProxies: tc.trusted}})
			status, _, body := do(t, http.DefaultClient, http.MethodGet, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs", http.Header{
				"X-Forwarded-For":  {"203.0.113.7"},
				"X-Forwarded-Host": {"evil.example"},
			}, nil)
			if status != http.StatusOK {
				t.Fatalf("status %d: %s", status, body)
			}
			mds, _ := svc.calls()
			if len(mds) != 1 {
				t.Fatalf("%d calls", len(mds))
			}
			wantHost := tc.wantHost
			if wantHost == "" {
				wantHost = r.httpAddr
			}
			if got := strings.Join(mds[0].Get("x-forwarded-for"), ","); got != tc.wantFor {
				t.Errorf("x-forwarded-for %q, want %q", got, tc.wantFor)
			}
			if got := strings.Join(mds[0].Get("x-forwarded-host"), ","); got != wantHost {
				t.Errorf("x-forwarded-host %q, want %q", got, wantHost)
			}
			if got := strings.Join(mds[0].Get(guard.GatewayPeerMetadata), ","); got != tc.wantPeer {
				t.Errorf("caller address %q, want %q", got, tc.wantPeer)
			}
			if got := strings.Contains(r.logs.String(), "203.0.113.7"); got != tc.wantInLog {
				t.Errorf("the call log names 203.0.113.7: %v, want %v", got, tc.wantInLog)
			}
		})
	}
}

func TestForwardedClient(t *testing.T) {
	t.Parallel()
	trusted := TrustedProxies{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.1/32")}
	tests := []struct {
		name   string
		values []string
		want   string // "" when none
	}{
		{"none", nil, ""},
		{"one hop", []string{"203.0.113.7"}, "203.0.113.7"},
		{"spoofed left of the client", []string{"198.51.100.1, 203.0.113.7, 10.1.1.1"}, "203.0.113.7"},
		{"several headers", []string{"198.51.100.1", "203.0.113.7", "192.0.2.1"}, "203.0.113.7"},
		{"only proxies", []string{"10.1.1.1, 10.2.2.2"}, "10.1.1.1"},
		{"garbage at the right", []string{"203.0.113.7, junk"}, ""},
		{"garbage left of the client", []string{"junk, 203.0.113.7"}, "203.0.113.7"},
		{"mapped", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
	}
	for _, tc := range tests {
		got, ok := forwardedClient(tc.values, trusted)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("%s: forwardedClient = %q, want %q", tc.name, got, tc.want)
		}
	}
}
