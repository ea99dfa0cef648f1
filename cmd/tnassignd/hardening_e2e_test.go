package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tnassign/tnassign/internal/daemontest"
)

// TestHardeningEndToEnd runs the real binary (the one daemontest.EnvDaemonBinary
// names, when set) against the findings of issue 20, one subtest each; every
// subtest fails on the code before the fix.
func TestHardeningEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := daemontest.Build(t, daemontest.DaemonPackage, t.TempDir())
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	t.Run("ledger secrets are redacted", func(t *testing.T) { t.Parallel(); testLedgerSecretsRedacted(t, bin) })
	t.Run("forwarding headers only from trusted proxies", func(t *testing.T) { t.Parallel(); testForwardingHeaders(t, bin) })
}

// testLedgerSecretsRedacted starts tnassignd with ledger values that hold a
// secret in each form pgx accepts; whatever fails, neither stderr nor the
// log may hold the secret.
func testLedgerSecretsRedacted(t *testing.T, bin string) {
	const secret = "ledger-pw-7d41c9e2"
	for _, tc := range []struct{ name, ledger string }{
		{"user info", "postgres://tnassign:" + secret + "@127.0.0.1:1/tnassign?connect_timeout=5"},
		{"password parameter", "postgres://tnassign@127.0.0.1:1/tnassign?connect_timeout=5&password=" + secret},
		{"sslpassword parameter", "postgres://tnassign@127.0.0.1:1/tnassign?connect_timeout=5&sslpassword=" + secret},
		{"keyword/value", "host=127.0.0.1 port=1 user=tnassign password=" + secret},
		{"unparsable", "postgres://tnassign:" + secret + "@127.0.0.1:port/tnassign"},
		{"quoted by the driver", "memory://tnassign:" + secret + "@x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, stderr := runToExit(t, bin, cleanEnv("TNASSIGN_LEDGER="+tc.ledger), "--simulate", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0")
			if code == 0 {
				t.Errorf("exit 0; want a failure")
			}
			if strings.Contains(stderr, secret) {
				t.Errorf("stderr holds the ledger password:\n%s", strings.ReplaceAll(stderr, secret, "<SECRET>"))
			}
			if !strings.Contains(stderr, "ledger") {
				t.Errorf("stderr does not name the ledger:\n%s", stderr)
			}
		})
	}
}

// testForwardingHeaders: a caller's X-Forwarded-For reaches the call log
// only when the daemon trusts the address it comes from.
func testForwardingHeaders(t *testing.T, bin string) {
	const spoofed = "203.0.113.77"
	for _, tc := range []struct {
		name   string
		args   []string
		logged bool
	}{
		{"no trusted proxy", nil, false},
		{"loopback trusted", []string{"--trusted-proxies", "127.0.0.0/8"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := daemontest.Start(t, bin, tc.args...)
			req, err := http.NewRequest(http.MethodGet, "http://"+d.HTTPAddr+"/v1/accounts/9900000/assignmentJobs", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-Forwarded-For", spoofed)
			req.Header.Set("X-Forwarded-Host", "evil.example")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d", resp.StatusCode)
			}
			d.WaitLog(t, "ListAssignmentJobs")
			if got := strings.Contains(d.Log(), spoofed); got != tc.logged {
				t.Errorf("the log names the caller's X-Forwarded-For: %v, want %v", got, tc.logged)
			}
		})
	}
}
