package main

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tnassign/tnassign/internal/daemontest"
)

// mixedCSV has extra columns, a row without a number, a duplicate written
// another way, an invalid number, a number the simulated account does not
// own, and a quoted cell with the delimiter in it.
const mixedCSV = `id,phone,note
1,9195550101,first
2,,no number
3,(919) 555-0101,same again
4,12345,invalid
5,2125550101,not owned
6,4158710101,"a, b"
`

// checkMixedResults checks the results of mixedCSV: one row per input row,
// in order, the input's columns first.
func checkMixedResults(t *testing.T, path string) {
	t.Helper()
	recs := readResults(t, path)
	want := [][]string{
		{"id", "phone", "note", "number", "outcome", "code"},
		{"1", "9195550101", "first", "9195550101", "succeeded", ""},
		{"2", "", "no number", "", "skipped", ""},
		{"3", "(919) 555-0101", "same again", "9195550101", "rejected", "DUPLICATE"},
		{"4", "12345", "invalid", "", "rejected", "INVALID_FORMAT"},
		{"5", "2125550101", "not owned", "2125550101", "failed", "5076"},
		{"6", "4158710101", "a, b", "4158710101", "succeeded", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d results rows, want %d: %q", len(recs), len(want), recs)
	}
	for i, w := range want {
		if got := recs[i][:6]; strings.Join(got, "|") != strings.Join(w, "|") {
			t.Errorf("results row %d = %q, want %q", i, got, w)
		}
		if hasOrder := recs[i][7] != ""; i > 0 && hasOrder != (w[4] == "succeeded" || w[4] == "failed") {
			t.Errorf("results row %d has order id %q", i, recs[i][7])
		}
	}
	if d := recs[3][6]; !strings.HasSuffix(d, "(same number as line 2)") {
		t.Errorf("the duplicate's description %q does not name line 2", d)
	}
	if d := recs[2][6]; d != "no number in column phone" {
		t.Errorf("the skipped row's description is %q", d)
	}
}

// tokensFile writes a tokens file granting token assign and read on
// account 9900000, and returns its path.
func tokensFile(t *testing.T, token string) string {
	t.Helper()
	digest := sha256.Sum256([]byte(token))
	path := filepath.Join(t.TempDir(), "tokens.json")
	body := fmt.Sprintf(`{"tokens":[{"name":"billing","sha256":%q,"accounts":["9900000"],"actions":["assign","read"]}]}`,
		hex.EncodeToString(digest[:]))
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// newToken returns a fresh random token.
func newToken(t *testing.T) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "tok-" + hex.EncodeToString(b)
}

// cliRun is one run of the CLI in a connection test.
type cliRun struct {
	name     string
	args     []string // after "assign --account 9900000 --file IN --out OUT --server ADDR"
	env      []string
	job      bool   // run "job list --account 9900000 --server ADDR" instead of assign
	wantCode int    // the exit status
	want     string // a substring of stderr (of stdout for a job command that succeeds)
	results  bool   // check the results file
}

// runAll runs each case of runs against addr and returns everything the CLI
// printed or wrote.
func runAll(t *testing.T, cli, addr string, runs []cliRun) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "numbers.csv")
	if err := os.WriteFile(in, []byte(mixedCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for i, r := range runs {
		out := filepath.Join(t.TempDir(), fmt.Sprintf("results-%d.csv", i))
		args := append([]string{"assign", "--account", "9900000", "--file", in, "--out", out, "--server", addr}, r.args...)
		if r.job {
			args = append([]string{"job", "list", "--account", "9900000", "--server", addr}, r.args...)
		}
		code, stdout, stderr := runCLIEnv(t, cli, r.env, args...)
		all.WriteString(stdout + stderr)
		if b, err := os.ReadFile(out); err == nil {
			all.Write(b)
		}
		text := stderr
		if r.job && r.wantCode == 0 {
			text = stdout
		}
		if code != r.wantCode || !strings.Contains(text, r.want) {
			t.Errorf("%s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s", r.name, code, r.wantCode, r.want, stdout, stderr)
			continue
		}
		if strings.Count("\n"+stderr, "\ntnassign ") > 1 && r.wantCode == 2 {
			t.Errorf("%s: the error is printed more than once:\n%s", r.name, stderr)
		}
		if r.results {
			checkMixedResults(t, out)
		}
	}
	return all.String()
}

// TestConnections runs tnassign against a real tnassignd serving TLS (with
// caller tokens), mutual TLS, and caller tokens over loopback plaintext:
// each succeeds with the right flags and fails in plain words without them,
// and no run ever prints the token.
func TestConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tnassignd and tnassign")
	}
	dir := t.TempDir()
	cli := daemontest.Build(t, "github.com/tnassign/tnassign/cmd/tnassign", dir)
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	certs := newCerts(t)
	fast := []string{"--poll-interval", "50ms", "--batch-linger", "100ms", "--rate-limit", "0"}

	t.Run("tls with a token", func(t *testing.T) {
		t.Parallel()
		token := newToken(t)
		addr := startTLSDaemon(t, bin, certs, false, append(fast, "--auth-tokens-file", tokensFile(t, token))...)
		withToken := []string{"TNASSIGN_TOKEN=" + token}
		printed := runAll(t, cli, addr, []cliRun{
			{name: "tls, token from the environment", args: []string{"--tls-ca", certs.CA}, env: withToken,
				wantCode: 1, want: "3 of 5 numbers did not succeed", results: true},
			{name: "job list over tls", job: true, args: []string{"--tls-ca", certs.CA}, env: withToken, want: "JOB ID"},
			{name: "no token", args: []string{"--tls-ca", certs.CA}, wantCode: 2, want: "no caller token"},
			{name: "system roots", args: []string{"--plaintext=false"}, env: withToken, wantCode: 2,
				want: "shows a certificate no trusted CA issued; give the CA certificate that issued it with --tls-ca FILE"},
			{name: "another CA", args: []string{"--tls-ca", certs.OtherCA}, env: withToken, wantCode: 2,
				want: "shows a certificate no trusted CA issued"},
			{name: "plaintext to a tls server", env: withToken, wantCode: 2,
				want: "closed the connection without answering: it probably requires TLS, which tnassign does not use by default for a loopback --server; give --tls-ca FILE"},
			{name: "explicit plaintext to a tls server", args: []string{"--plaintext"}, env: withToken, wantCode: 2,
				want: "closed the connection without answering: it probably requires TLS; connect without --plaintext"},
		})
		if strings.Contains(printed, token) {
			t.Errorf("the CLI printed the token:\n%s", printed)
		}
	})

	t.Run("mutual tls", func(t *testing.T) {
		t.Parallel()
		addr := startTLSDaemon(t, bin, certs, true, fast...)
		runAll(t, cli, addr, []cliRun{
			{name: "client certificate", args: []string{"--tls-ca", certs.CA, "--tls-cert", certs.ClientCert, "--tls-key", certs.ClientKey},
				wantCode: 1, want: "3 of 5 numbers did not succeed", results: true},
			{name: "job list", job: true, args: []string{"--tls-ca", certs.CA, "--tls-cert", certs.ClientCert, "--tls-key", certs.ClientKey},
				want: "JOB ID"},
			{name: "no client certificate", args: []string{"--tls-ca", certs.CA}, wantCode: 2,
				want: "requires a client certificate (mutual TLS); give yours with --tls-cert FILE --tls-key FILE"},
			{name: "a certificate of another CA", args: []string{"--tls-ca", certs.CA, "--tls-cert", certs.StrangerCert, "--tls-key", certs.StrangerKey},
				wantCode: 2, want: "the client certificate in --tls-cert"},
		})
	})

	t.Run("tokens", func(t *testing.T) {
		t.Parallel()
		token := newToken(t)
		d := daemontest.Start(t, bin, append(fast, "--auth-tokens-file", tokensFile(t, token))...)
		tokenFile := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		wrongFile := filepath.Join(t.TempDir(), "wrong")
		if err := os.WriteFile(wrongFile, []byte(token+"x"), 0o600); err != nil {
			t.Fatal(err)
		}
		withToken := []string{"TNASSIGN_TOKEN=" + token}
		printed := runAll(t, cli, d.GRPCAddr, []cliRun{
			{name: "token from a file", args: []string{"--token-file", tokenFile}, wantCode: 1, want: "3 of 5 numbers did not succeed", results: true},
			{name: "token from the environment, job list", job: true, env: withToken, want: "JOB ID"},
			{name: "no token", wantCode: 2, want: "no caller token"},
			{name: "no token, job list", job: true, wantCode: 2, want: "no caller token"},
			{name: "unknown token", args: []string{"--token-file", wrongFile}, env: withToken, wantCode: 2, want: "unknown caller token"},
			{name: "another account", args: []string{"--account", "9900001"}, env: withToken, wantCode: 2, want: "9900001"},
			{name: "token in clear beyond loopback", args: []string{"--server", "tnassign.invalid:9090", "--plaintext"}, env: withToken,
				wantCode: 2, want: "refusing to send the bearer token to tnassign.invalid:9090 without TLS"},
		})
		if strings.Contains(printed, token) {
			t.Errorf("the CLI printed the token:\n%s", printed)
		}
	})
}
