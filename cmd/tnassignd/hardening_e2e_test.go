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
