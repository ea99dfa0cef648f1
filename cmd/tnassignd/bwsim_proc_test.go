package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/internal/daemontest"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

// simProcess is a standalone bwsim: Bandwidth's state outlives the tnassignd processes of a test.
type simProcess struct {
	url    string
	bw     *bandwidth.Client
	stderr *syncbuf.Buffer
}

// startSim builds and runs cmd/bwsim on a free port with args, until the test ends.
func startSim(t *testing.T, dir string, args ...string) *simProcess {
	t.Helper()
	bin := daemontest.Build(t, "github.com/tnassign/tnassign/cmd/bwsim", dir)
	cmd := exec.Command(bin, append([]string{"--addr", "127.0.0.1:0", "--log-requests=false", "--max-stored-orders", "0"}, args...)...)
	cmd.Env = cleanEnv()
	stderr := &syncbuf.Buffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		sc := bufio.NewScanner(strings.NewReader(stderr.String()))
		for sc.Scan() {
			var line struct{ Msg, URL string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "bwsim listening" {
				bw, err := bandwidth.New(bandwidth.Config{BaseURL: line.URL, Auth: bandwidth.BasicAuth("demo", "demo")})
				if err != nil {
					t.Fatal(err)
				}
				return &simProcess{url: line.URL, bw: bw, stderr: stderr}
			}
		}
		select {
		case <-exited:
			t.Fatalf("bwsim exited:\n%s", stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("bwsim did not start:\n%s", stderr.String())
		}
	}
}

// waitLog waits until the simulator logged a line with msg that mentions substr.
func (s *simProcess) waitLog(t *testing.T, msg, substr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, line := range strings.Split(s.stderr.String(), "\n") {
			if strings.Contains(line, `"msg":"`+msg+`"`) && strings.Contains(line, substr) {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("bwsim did not log %q with %q within 30s:\n%s", msg, substr, s.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// daemonOptions are the flags and environment of a tnassignd that talks to the standalone
// simulator with Basic auth, on the ledger given.
func (s *simProcess) daemonOptions(ledgerURL string, extra ...string) daemontest.Options {
	return daemontest.Options{
		Args: append([]string{"--bandwidth-url", s.url, "--accounts", "9900000", "--ledger", ledgerURL,
			"--poll-interval", "50ms", "--rate-limit", "0", "--log-level", "debug"}, extra...),
		// A create interrupted by a kill may still produce its order until its request timeout
		// (plus the lookup window) has passed: the replica taking the job over waits that long
		// before it sends the batch again. 5 s keeps takeovers within the tests' waits. (Set in
		// the environment, which an older tnassignd ignores: see EnvDaemonBinary.)
		Env: []string{"TNASSIGN_BANDWIDTH_USERNAME=demo", "TNASSIGN_BANDWIDTH_PASSWORD=demo", "TNASSIGN_BANDWIDTH_TIMEOUT=5s"},
	}
}

// orders returns the numbers of every order the simulator holds whose CustomerOrderId starts
// with prefix, by order id.
func (s *simProcess) orders(t *testing.T, prefix string) map[string][]string {
	t.Helper()
	ctx := context.Background()
	l, err := s.bw.ListOrders(ctx, "9900000", bandwidth.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, o := range l.Orders {
		if !strings.HasPrefix(o.CustomerOrderID, prefix) {
			continue
		}
		full, err := s.bw.GetOrder(ctx, "9900000", o.OrderID)
		if err != nil {
			t.Fatal(err)
		}
		out[o.OrderID] = full.Order.TelephoneNumbers
	}
	return out
}

// submittedOnce fails if a number is in two orders, and returns the set of numbers submitted.
func submittedOnce(t *testing.T, orders map[string][]string) map[string]string {
	t.Helper()
	seen := map[string]string{}
	for id, nums := range orders {
		for _, n := range nums {
			if prev, dup := seen[n]; dup {
				t.Errorf("%s was submitted twice: orders %s and %s", n, prev, id)
			}
			seen[n] = id
		}
	}
	return seen
}

// ledgerPath is a SQLite ledger URL in dir.
func ledgerPath(dir string) string { return "sqlite://" + filepath.Join(dir, "ledger.db") }
