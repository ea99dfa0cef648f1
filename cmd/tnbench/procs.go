package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/tnassign/tnassign/internal/grpchealth"
)

// startTimeout bounds how long a subprocess may take to start serving.
const startTimeout = 30 * time.Second

// process is a subprocess (bwsim or tnassignd) whose log is kept for its address and for errors.
type process struct {
	name   string
	cmd    *exec.Cmd
	log    *logBuffer
	exited chan struct{}
}

// startProcess runs bin with args and env (added to a copy of the environment without
// TNASSIGN_* and BWSIM_* variables, so the caller's settings cannot leak in).
func startProcess(name, bin string, args, env []string) (*process, error) {
	p := &process{name: name, cmd: exec.Command(bin, args...), log: &logBuffer{}, exited: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TNASSIGN_") && !strings.HasPrefix(kv, "BWSIM_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stderr = p.log
	p.cmd.Stdout = p.log
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	return p, nil
}

// pid is the process id, for /proc.
func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks the process to end (SIGTERM), and kills it if it has not within a few seconds.
func (p *process) stop() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
}

// awaitLog waits until the JSON log line with message msg appears and returns it decoded.
func (p *process) awaitLog(ctx context.Context, msg string) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	for {
		sc := bufio.NewScanner(bytes.NewReader(p.log.Bytes()))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
				return line, nil
			}
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited while starting:\n%s", p.name, p.log.Tail(2000))
		case <-ctx.Done():
			return nil, fmt.Errorf("%s did not log %q in time:\n%s", p.name, msg, p.log.Tail(2000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// startBwsim starts the simulator on a free loopback port and returns it with its API base URL.
func startBwsim(ctx context.Context, bin string, args []string) (*process, string, error) {
	args = append([]string{"--addr", "127.0.0.1:0", "--log-requests=false"}, args...)
	p, err := startProcess("bwsim", bin, args, nil)
	if err != nil {
		return nil, "", err
	}
	line, err := p.awaitLog(ctx, "bwsim listening")
	if err != nil {
		p.stop()
		return nil, "", err
	}
	url, _ := line["url"].(string)
	if url == "" {
		p.stop()
		return nil, "", errors.New("bwsim did not log its url")
	}
	return p, url, nil
}

// daemon is a running tnassignd and its addresses.
type daemon struct {
	*process
	grpcAddr, httpAddr string
}

// startDaemon starts tnassignd against bwsimURL with Basic demo/demo credentials, free loopback
// ports and the extra args, and returns once its gRPC health check answers SERVING.
func startDaemon(ctx context.Context, bin, bwsimURL string, args []string) (*daemon, error) {
	args = append([]string{
		"--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
		"--bandwidth-url", bwsimURL, "--accounts", accountID,
	}, args...)
	env := []string{"TNASSIGN_BANDWIDTH_USERNAME=demo", "TNASSIGN_BANDWIDTH_PASSWORD=demo"}
	p, err := startProcess("tnassignd", bin, args, env)
	if err != nil {
		return nil, err
	}
	d := &daemon{process: p}
	line, err := p.awaitLog(ctx, "serving")
	if err != nil {
		p.stop()
		return nil, err
	}
	d.grpcAddr, _ = line["grpc_addr"].(string)
	d.httpAddr, _ = line["http_addr"].(string)
	if err := awaitServing(ctx, d.grpcAddr); err != nil {
		p.stop()
		return nil, fmt.Errorf("tnassignd: %w\n%s", err, p.log.Tail(2000))
	}
	return d, nil
}

// daemonExtraFlags returns the flags the benchmark needs from this tnassignd build beyond the
// profiles' own: --max-numbers-per-job 0 where the build has that limit (its default, 1,000,000,
// is below the benchmark's longest streams).
func daemonExtraFlags(ctx context.Context, bin string) []string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, _ := exec.CommandContext(ctx, bin, "-h").CombinedOutput()
	if bytes.Contains(out, []byte("--max-numbers-per-job")) {
		return []string{"--max-numbers-per-job", "0"}
	}
	return nil
}

// awaitServing waits until a tnassignd serves at addr, for at most startTimeout.
func awaitServing(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	return grpchealth.Await(ctx, addr, nil, 20*time.Millisecond)
}

// logBuffer collects a process's output; safe for concurrent use. It keeps at most 4 MiB, the
// beginning (where the startup lines are) and a rolling tail.
type logBuffer struct {
	mu   sync.Mutex
	head bytes.Buffer
	tail []byte
}

const logHeadBytes, logTailBytes = 1 << 20, 3 << 20

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := logHeadBytes - b.head.Len(); room > 0 {
		b.head.Write(p[:min(room, len(p))])
		if len(p) <= room {
			return len(p), nil
		}
		b.tail = append(b.tail, p[room:]...)
	} else {
		b.tail = append(b.tail, p...)
	}
	if len(b.tail) > logTailBytes {
		b.tail = append(b.tail[:0], b.tail[len(b.tail)-logTailBytes/2:]...)
	}
	return len(p), nil
}

// Bytes returns a copy of the head of the log.
func (b *logBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.head.Bytes())
}

// Tail returns up to n bytes of the end of the log.
func (b *logBuffer) Tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	all := append(bytes.Clone(b.head.Bytes()), b.tail...)
	if len(all) > n {
		all = all[len(all)-n:]
	}
	return string(all)
}
