package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

// The end-to-end tests run the real binary: build it once, start it on free
// loopback ports (it is told 127.0.0.1:0 and logs the addresses it got),
// and talk to it over gRPC and HTTP as a user would.

// buildBinary compiles tnassignd into dir.
func buildBinary(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "tnassignd")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cleanEnv is the test's environment without any TNASSIGN_ variable, with
// an in-memory ledger (so that no test writes ./data), plus extra.
func cleanEnv(extra ...string) []string {
	env := []string{"TNASSIGN_LEDGER=memory://"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TNASSIGN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// runToExit runs the binary to its end and returns its exit code and
// stderr.
func runToExit(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("running tnassignd: %v", err)
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// daemon is a running tnassignd.
type daemon struct {
	cmd                *exec.Cmd
	stderr             *syncbuf.Buffer
	grpcAddr, httpAddr string
	exited             chan struct{}
	conn               *grpc.ClientConn
}

// startDaemon starts the binary on free ports and waits until its health
// check says SERVING. The process is killed when the test ends, if still
// running.
func startDaemon(t *testing.T, bin string, env []string, args ...string) *daemon {
	t.Helper()
	args = append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, args...)
	d := &daemon{cmd: exec.Command(bin, args...), stderr: &syncbuf.Buffer{}, exited: make(chan struct{})}
	d.cmd.Env = env
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = d.cmd.Wait(); close(d.exited) }()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("tnassignd stderr:\n%s", d.stderr.String())
		}
	})

	deadline := time.Now().Add(20 * time.Second)
	for d.grpcAddr == "" {
		select {
		case <-d.exited:
			t.Fatalf("tnassignd exited during start:\n%s", d.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("tnassignd did not log its addresses:\n%s", d.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
		for _, l := range logLines(d.stderr.String()) {
			if l["msg"] == "serving" {
				d.grpcAddr, _ = l["grpc_addr"].(string)
				d.httpAddr, _ = l["http_addr"].(string)
			}
		}
	}
	conn, err := grpc.NewClient("passthrough:///"+d.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	d.conn = conn
	hc := healthpb.NewHealthClient(conn)
	for {
		resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("health never SERVING (last: %v, %v)", resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// terminate sends SIGTERM and returns the exit code.
func (d *daemon) terminate(t *testing.T) int {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	return d.wait(t)
}

// wait waits for the process to exit and returns its exit code.
func (d *daemon) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-d.exited:
		return d.cmd.ProcessState.ExitCode()
	case <-time.After(60 * time.Second):
		t.Fatal("tnassignd did not exit within 60s")
		return -1
	}
}

// logLines parses the JSON log lines of stderr; other lines are skipped.
func logLines(stderr string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stderr))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// oneLine asserts that stderr is exactly one line containing want.
func oneLine(t *testing.T, stderr, want string) {
	t.Helper()
	if strings.Count(stderr, "\n") != 1 || !strings.HasSuffix(stderr, "\n") || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want one line containing %q", stderr, want)
	}
}

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
