package daemontest

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tnassign/tnassign/internal/grpchealth"
	"github.com/tnassign/tnassign/internal/syncbuf"
)

// DaemonPackage is the import path of tnassignd.
const DaemonPackage = "github.com/tnassign/tnassign/cmd/tnassignd"

// EnvDaemonBinary names an environment variable that, when set, replaces
// the tnassignd that Build would compile with an existing binary: the
// end-to-end tests then run against another build, for example the
// previous release, to show which of them it fails.
const EnvDaemonBinary = "TNASSIGN_TEST_DAEMON_BINARY"

// Build compiles the main package pkg (an import path of this module) into
// dir and returns the binary's path (for DaemonPackage, the binary named by
// EnvDaemonBinary instead, when set).
func Build(t testing.TB, pkg, dir string) string {
	t.Helper()
	if bin := os.Getenv(EnvDaemonBinary); bin != "" && pkg == DaemonPackage {
		t.Logf("testing tnassignd %s (%s)", bin, EnvDaemonBinary)
		return bin
	}
	bin := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", bin, pkg)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// Daemon is a running tnassignd.
type Daemon struct {
	// GRPCAddr and HTTPAddr are the host:port addresses it listens on.
	GRPCAddr, HTTPAddr string

	cmd    *exec.Cmd
	stderr *syncbuf.Buffer
	exited chan struct{}
}

// Start runs bin (a tnassignd binary) with --simulate, an in-memory ledger,
// the extra args (which may override both), and free loopback ports, and
// returns once its gRPC health check is SERVING. The process is killed when
// the test ends; its log is shown if the test failed.
func Start(t testing.TB, bin string, args ...string) *Daemon {
	t.Helper()
	return StartWith(t, bin, Options{Args: append([]string{"--simulate", "--ledger", "memory://"}, args...)})
}

// Options configure StartWith.
type Options struct {
	// Args are tnassignd's flags; free loopback ports are added before them.
	Args []string
	// Env adds NAME=value entries to the environment. TNASSIGN_* variables of
	// the test's own environment are never passed on.
	Env []string
}

// StartWith runs bin with o's flags and environment and free loopback ports
// (no --simulate unless o.Args has it), and returns once its gRPC health
// check is SERVING. The process is killed when the test ends; its log is
// shown if the test failed.
func StartWith(t testing.TB, bin string, o Options) *Daemon {
	t.Helper()
	args := append([]string{"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0"}, o.Args...)
	d := &Daemon{cmd: exec.Command(bin, args...), stderr: &syncbuf.Buffer{}, exited: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TNASSIGN_") {
			d.cmd.Env = append(d.cmd.Env, kv)
		}
	}
	d.cmd.Env = append(d.cmd.Env, o.Env...)
	d.cmd.Stderr = d.stderr
	if err := d.cmd.Start(); err != nil {
		t.Fatalf("start tnassignd: %v", err)
	}
	go func() {
		_ = d.cmd.Wait()
		close(d.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = d.cmd.Process.Kill()
			<-d.exited
		}
		if t.Failed() {
			t.Logf("tnassignd log:\n%s", d.stderr.String())
		}
	})

	deadline := time.Now().Add(30 * time.Second)
	for d.GRPCAddr == "" || d.HTTPAddr == "" {
		select {
		case <-d.exited:
			t.Fatalf("tnassignd exited while starting:\n%s", d.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("tnassignd did not log its addresses within 30s:\n%s", d.stderr.String())
		}
		d.GRPCAddr, d.HTTPAddr = servingAddrs(d.stderr.String())
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := grpchealth.Await(ctx, d.GRPCAddr, d.exited, 20*time.Millisecond); err != nil {
		t.Fatalf("tnassignd not SERVING within 30s (%v):\n%s", err, d.stderr.String())
	}
	return d
}

// Kill kills the daemon at once (SIGKILL: no shutdown, nothing flushed) and
// waits for it to exit.
func (d *Daemon) Kill(t testing.TB) {
	t.Helper()
	select {
	case <-d.exited:
		return
	default:
	}
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatalf("kill tnassignd: %v", err)
	}
	<-d.exited
}

// PID returns the daemon's process id, for looking at it in /proc.
func (d *Daemon) PID() int { return d.cmd.Process.Pid }

// Log returns what the daemon has logged so far.
func (d *Daemon) Log() string { return d.stderr.String() }

// servingAddrs finds the addresses in the daemon's "serving" log line.
func servingAddrs(log string) (grpcAddr, httpAddr string) {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg      string `json:"msg"`
			GRPCAddr string `json:"grpc_addr"`
			HTTPAddr string `json:"http_addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
			return line.GRPCAddr, line.HTTPAddr
		}
	}
	return "", ""
}

// Terminate sends SIGTERM, as a deploy or an operator would, and returns the
// exit code once the daemon has exited (failing the test after 60 s).
func (d *Daemon) Terminate(t testing.TB) int {
	t.Helper()
	select {
	case <-d.exited:
		return d.cmd.ProcessState.ExitCode()
	default:
	}
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM tnassignd: %v", err)
	}
	select {
	case <-d.exited:
		return d.cmd.ProcessState.ExitCode()
	case <-time.After(60 * time.Second):
		t.Fatalf("tnassignd did not exit within 60s of SIGTERM:\n%s", d.stderr.String())
		return -1
	}
}

// WaitLog waits until the daemon's log holds substr (failing the test after
// 30 s, or when the daemon exits without having logged it).
func (d *Daemon) WaitLog(t testing.TB, substr string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.stderr.String(), substr) {
		select {
		case <-d.exited:
			if strings.Contains(d.stderr.String(), substr) {
				return
			}
			t.Fatalf("tnassignd exited without logging %q:\n%s", substr, d.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("tnassignd did not log %q within 30s:\n%s", substr, d.stderr.String())
		}
	}
}
