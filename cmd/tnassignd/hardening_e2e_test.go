package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
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
	t.Run("a huge NDJSON line is refused while read", func(t *testing.T) { t.Parallel(); testHugeLine(t, bin) })
	t.Run("idle watches leave room for unary calls", func(t *testing.T) { t.Parallel(); testIdleWatchesLeaveRoom(t, bin) })
	t.Run("watches per caller are capped", func(t *testing.T) { t.Parallel(); testWatchesPerCaller(t, bin) })
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

// hugeLine is an NDJSON body of one request line of about size bytes: a
// job of as many numbers as fit. It is generated as it is read.
type hugeLine struct {
	size, sent int
	tail       []byte
}

func (h *hugeLine) Read(p []byte) (int, error) {
	const head, number = `{"accountId":"9900000","telephoneNumbers":["9195550000"`, `,"9195550001"`
	n := 0
	for n < len(p) {
		if len(h.tail) == 0 {
			switch {
			case h.sent == 0:
				h.tail = []byte(head)
			case h.sent+len(number)+3 < h.size:
				h.tail = []byte(number)
			case h.sent < h.size:
				h.tail = []byte("]}\n")
				h.size = h.sent // the last piece
			default:
				return n, io.EOF
			}
			h.sent += len(h.tail)
		}
		c := copy(p[n:], h.tail)
		h.tail = h.tail[c:]
		n += c
	}
	return n, nil
}

// testHugeLine: uploads of one line far over the 4 MiB message limit are
// refused while the line is read, with the one-line error of a cut upload,
// and the daemon's memory stays bounded however many run at once.
func testHugeLine(t *testing.T, bin string) {
	const uploads, size = 4, 60 << 20
	d := daemontest.Start(t, bin)
	var wg sync.WaitGroup
	lasts := make([]string, uploads)
	errs := make([]error, uploads)
	// Even uploads start with the huge line, odd ones with a good line
	// first: the job then ends ABORTED (INPUT_CUT_SHORT) after `finished`.
	first := `{"accountId":"9900000","telephoneNumbers":["9195550001"]}` + "\n"
	for i := range uploads {
		body := io.Reader(&hugeLine{size: size})
		if i%2 == 1 {
			body = io.MultiReader(strings.NewReader(first), &hugeLine{size: size})
		}
		wg.Go(func() { lasts[i], errs[i] = postLastLine(d.HTTPAddr, body) })
	}
	wg.Wait()
	for i := range uploads {
		if errs[i] != nil {
			t.Errorf("upload %d: %v", i, errs[i])
			continue
		}
		want := fmt.Sprintf("request message %d is longer than 4194304 bytes", 1+i%2)
		if !strings.HasPrefix(lasts[i], `{"error":{"code":3,`) || !strings.Contains(lasts[i], want) || (i%2 == 1 && !strings.Contains(lasts[i], "INPUT_CUT_SHORT")) {
			t.Errorf("upload %d: last line %s; want an INVALID_ARGUMENT line saying %q", i, lasts[i], want)
		}
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.PID()))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	// Memory, not time: the peak is the same however loaded the machine.
	var peakKiB int
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" {
			peakKiB, _ = strconv.Atoi(f[1])
		}
	}
	t.Logf("peak RSS after %d concurrent %d MiB single-line uploads: %d KiB", uploads, size>>20, peakKiB)
	if peakKiB == 0 || peakKiB > 150<<10 {
		t.Errorf("peak RSS %d KiB, want under 150 MiB", peakKiB)
	}
}

// postLastLine posts body to the assign route and returns the last line of
// the answer.
func postLastLine(httpAddr string, body io.Reader) (string, error) {
	resp, err := http.Post("http://"+httpAddr+"/v1/numbers:assign", "application/x-ndjson", body)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", fmt.Errorf("status %d, reading the answer: %w", resp.StatusCode, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1], nil
}
