package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// proc is a child process (bwsim or one tnassignd incarnation) whose output goes to a file.
type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	exited  chan struct{} // closed once the process has been waited for
}

// children tracks every process tnchaos started, so that none outlives it.
type children struct {
	mu    sync.Mutex
	procs []*proc
}

// start runs bin with args and env (added to the environment without TNASSIGN_* and BWSIM_*
// variables, so that the caller's settings cannot leak in), its output appended to logPath.
func (c *children) start(name, bin string, args, env []string, logPath string) (*proc, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	p := &proc{name: name, cmd: exec.Command(bin, args...), logPath: logPath, exited: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TNASSIGN_") && !strings.HasPrefix(kv, "BWSIM_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, env...)
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = childAttr()
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.exited)
	}()
	c.mu.Lock()
	c.procs = append(c.procs, p)
	c.mu.Unlock()
	return p, nil
}

// stopAll stops every child still running (SIGTERM, then SIGKILL after grace).
func (c *children) stopAll(grace time.Duration) {
	c.mu.Lock()
	procs := append([]*proc(nil), c.procs...)
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() { p.stop(grace) })
	}
	wg.Wait()
}

// running reports whether the process has not exited yet.
func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// signal sends sig to the process's group.
func (p *proc) signal(sig syscall.Signal) {
	if p.running() {
		_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// stop asks the process to end (SIGTERM) and kills it if it has not within grace.
func (p *proc) stop(grace time.Duration) {
	if !p.running() {
		return
	}
	p.signal(syscall.SIGTERM)
	if !p.wait(grace) {
		p.signal(syscall.SIGKILL)
		<-p.exited
	}
}

// wait waits up to d for the process to exit and reports whether it did.
func (p *proc) wait(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.exited:
		return true
	case <-t.C:
		return false
	}
}

// awaitLogLine waits until the process's log holds the JSON line whose msg is msg, and returns
// it decoded; it fails when the process exits first or timeout passes.
func (p *proc) awaitLogLine(ctx context.Context, msg string, timeout time.Duration) (map[string]any, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		if line := findLogLine(p.logPath, msg); line != nil {
			return line, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited while starting:\n%s", p.name, tailFile(p.logPath, 2000))
		case <-ctx.Done():
			return nil, fmt.Errorf("%s did not log %q in time:\n%s", p.name, msg, tailFile(p.logPath, 2000))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// findLogLine returns the first JSON line of the file whose msg is msg, or nil.
func findLogLine(path, msg string) map[string]any {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		var line map[string]any
		if json.Unmarshal(sc.Bytes(), &line) == nil && line["msg"] == msg {
			return line
		}
	}
	return nil
}

// tailFile returns up to n bytes of the end of a file.
func tailFile(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// freePort returns a TCP port on the loopback interface that is free now.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// missingFlags runs "bin -h" and returns which of the flags its usage does not mention: the
// build predates them.
func missingFlags(ctx context.Context, bin string, flags []string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-h").CombinedOutput()
	if err != nil && len(out) == 0 {
		return nil, fmt.Errorf("%s -h: %w", bin, err)
	}
	var missing []string
	for _, f := range flags {
		if !regexp.MustCompile(`(^|\s)--?` + regexp.QuoteMeta(f) + `([\s=]|$)`).Match(out) {
			missing = append(missing, f)
		}
	}
	return missing, nil
}

// preflight checks that the binaries know the newer flags tnchaos passes, before anything
// starts. It returns the flags each lacks: an error unless --allow-missing-flags, which runs
// without them.
func preflight(ctx context.Context, o options, logf logFunc) (bwsimMissing, daemonMissing []string, err error) {
	for _, b := range []struct {
		bin     string
		flags   []string
		missing *[]string
	}{
		{o.bwsimBin, newerBwsimFlags, &bwsimMissing},
		{o.tnassigndBin, newerReplicaFlags, &daemonMissing},
	} {
		m, err := missingFlags(ctx, b.bin, b.flags)
		if err != nil {
			return nil, nil, err
		}
		if len(m) > 0 {
			if !o.allowMissing {
				return nil, nil, &errMissingFlags{bin: b.bin, flags: m}
			}
			logf("WARNING: %s lacks --%s: running without them", b.bin, strings.Join(m, ", --"))
		}
		*b.missing = m
	}
	return bwsimMissing, daemonMissing, nil
}

// errMissingFlags says which flags a binary lacks.
type errMissingFlags struct {
	bin   string
	flags []string
}

func (e *errMissingFlags) Error() string {
	return fmt.Sprintf("%s does not know %s (an older build? --allow-missing-flags runs without them)",
		e.bin, "--"+strings.Join(e.flags, ", --"))
}

// dropFlags removes the named flags, each followed by its value unless written --name=value,
// from args.
func dropFlags(args []string, names []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		name, _, withValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if slices.Contains(names, name) {
			if !withValue {
				i++ // its value
			}
			continue
		}
		out = append(out, args[i])
	}
	return out
}
