package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// options are tnbench's flags.
type options struct {
	daemonBin, bwsimBin string
	full                bool
	doc                 string
	command             string
	goBench             bool
	repo                string
	rate                float64
	ledger              string
	timeout             time.Duration
	only                string
	ceilingWorkers      int
	daemonExtra         []string // flags this tnassignd build needs (see daemonExtraFlags)
	// External servers: when bwsimURL is set, nothing is started.
	bwsimURL, grpcAddr, httpAddr string
	serverPID                    int
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run parses the flags, runs the benchmark and writes the report. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "tnbench: %v\n", err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	tmp, err := os.MkdirTemp("", "tnbench")
	if err != nil {
		logf("tnbench: %v", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	if !opts.external() {
		opts.daemonExtra = daemonExtraFlags(ctx, opts.daemonBin)
	}
	b := &bench{opts: opts, tmp: tmp, logf: logf}
	rep := &report{command: opts.command, full: opts.full, started: time.Now(), loadStart: loadAverage(),
		external: opts.bwsimURL != "", goBenchList: goBenches(opts.full)}
	if opts.external() {
		p := profiles(opts)[0]
		p.name, p.rate = "external upstream", opts.rate
		rep.profiles = []profile{p}
		rep.results = b.runProfile(ctx, p)
	} else {
		rep.profiles = profiles(opts)
		for _, p := range rep.profiles {
			rep.results = append(rep.results, b.runProfile(ctx, p)...)
		}
		mp, count := memoryProfile(opts)
		rep.memProfile = mp
		if opts.only == "" || strings.Contains(mp.name+"/memory", opts.only) {
			m := b.runMemory(ctx, mp, count)
			rep.memory = &m
		}
	}
	rep.ledger = b.ledgerLabel()
	zero, realistic := rep.profiles[0].name, ""
	if len(rep.profiles) > 1 {
		realistic = rep.profiles[1].name
	}
	rep.targets = evaluate(zero, realistic, rep.results, rep.memory, opts.full, b.ledger)
	if opts.goBench && ctx.Err() == nil {
		logf("Go benchmarks")
		rep.goBench = runGoBenches(ctx, opts.repo, rep.goBenchList, logf)
	}
	rep.loadEnd = loadAverage()
	fmt.Fprint(stdout, rep.terminal())
	if opts.doc != "" {
		if err := rep.writeDoc(opts.doc); err != nil {
			logf("tnbench: writing %s: %v", opts.doc, err)
			return 1
		}
		logf("wrote %s", opts.doc)
	}
	if ctx.Err() != nil {
		logf("tnbench: stopped early: %v", context.Cause(ctx))
		return 1
	}
	return 0
}

// external reports whether the run targets servers that are already running.
func (o options) external() bool { return o.bwsimURL != "" }

// parseOptions reads the command line.
func parseOptions(args []string, usage io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("tnbench", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&o.daemonBin, "tnassignd", "bin/tnassignd", "tnassignd binary to start")
	fs.StringVar(&o.bwsimBin, "bwsim", "bin/bwsim", "bwsim binary to start")
	fs.BoolVar(&o.full, "full", false, "the long run: more numbers per scenario, 5,000,000 in the memory scenario, longer Go benchmarks")
	fs.StringVar(&o.doc, "doc", "", "Markdown file to rewrite with the report (e.g. docs/BENCHMARKS.md); empty: print only")
	fs.StringVar(&o.command, "command", "", "the command to quote in the report (default: tnbench's own command line)")
	fs.BoolVar(&o.goBench, "go-bench", true, "also run the hot-path Go benchmarks (go test -bench) in --repo")
	fs.StringVar(&o.repo, "repo", ".", "the module's root, for the Go benchmarks")
	fs.Float64Var(&o.rate, "rate", 10, "the realistic profile's upstream rate limit in requests per second")
	fs.StringVar(&o.ledger, "ledger", "auto", "tnassignd's --ledger: auto (SQLite if this build has it, else memory://), sqlite (a fresh file per scenario), or a URL")
	fs.DurationVar(&o.timeout, "timeout", 0, "stop after this long (default 10m, 60m with --full)")
	fs.StringVar(&o.only, "only", "", "run only the scenarios whose \"profile/scenario\" name contains this text (for development)")
	fs.IntVar(&o.ceilingWorkers, "ceiling-workers", 0, "concurrent orders of the ceiling client (0: 4 at zero latency, 16 realistic)")
	fs.StringVar(&o.bwsimURL, "bwsim-url", "", "use this running bwsim (e.g. http://127.0.0.1:8089/api) instead of starting one; needs --grpc-addr and --http-addr")
	fs.StringVar(&o.grpcAddr, "grpc-addr", "", "running tnassignd's gRPC address (with --bwsim-url)")
	fs.StringVar(&o.httpAddr, "http-addr", "", "running tnassignd's HTTP address (with --bwsim-url)")
	fs.IntVar(&o.serverPID, "server-pid", 0, "running tnassignd's process id, to read its RSS and CPU time (with --bwsim-url)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.command == "" {
		o.command = strings.Join(append([]string{"tnbench"}, args...), " ")
	}
	if o.timeout == 0 {
		o.timeout = 10 * time.Minute
		if o.full {
			o.timeout = 60 * time.Minute
		}
	}
	if o.rate <= 0 {
		return o, errors.New("--rate must be positive")
	}
	if o.external() {
		if o.grpcAddr == "" || o.httpAddr == "" {
			return o, errors.New("--bwsim-url needs --grpc-addr and --http-addr")
		}
		u, err := url.Parse(o.bwsimURL)
		if err != nil {
			return o, fmt.Errorf("--bwsim-url: %w", err)
		}
		for _, addr := range []string{u.Host, o.grpcAddr, o.httpAddr} {
			if !loopback(addr) {
				return o, fmt.Errorf("%q is not a loopback address: tnbench talks to loopback only", addr)
			}
		}
	}
	return o, nil
}

// loopback reports whether host:port names a loopback address.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
