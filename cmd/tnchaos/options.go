package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// options are tnchaos's flags.
type options struct {
	tnassigndBin, bwsimBin string
	duration               time.Duration
	callers                int
	replicas               int
	killEvery              time.Duration
	seed                   int64
	runDir                 string
	report                 string
	postgresDSN            string
	postgresBin            string
	keep                   bool
	drainTimeout           time.Duration
	settleTimeout          time.Duration
	allowMissing           bool
	gatewayShare           float64
	pace                   time.Duration
	unassignShare          float64
	minUnit, maxUnit       int
	prefixes               []string
	lease                  time.Duration
	errorRate              float64
	slowCreateRate         float64
	createDelay            time.Duration
	createDelayMax         time.Duration
	replicaFlags           []string
}

// defaultPrefixes own 6,000,000 valid numbers: enough for 20 minutes at the load six callers
// put through three replicas (about 4,000 numbers/s).
const defaultPrefixes = "9195,4158,4352,9196,4159,4353"

// listFlag collects a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, " ") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseOptions reads the command line.
func parseOptions(args []string, usage io.Writer) (options, error) {
	var o options
	var prefixes string
	var extra listFlag
	fs := flag.NewFlagSet("tnchaos", flag.ContinueOnError)
	fs.SetOutput(usage)
	fs.StringVar(&o.tnassigndBin, "tnassignd", "bin/tnassignd", "tnassignd binary to run as the replicas")
	fs.StringVar(&o.bwsimBin, "bwsim", "bin/bwsim", "bwsim binary to run as Bandwidth")
	fs.DurationVar(&o.duration, "duration", 2*time.Minute, "how long callers submit new jobs and replicas are killed (the drain and checks come after)")
	fs.IntVar(&o.callers, "callers", 6, "concurrent callers")
	fs.IntVar(&o.replicas, "replicas", 3, "tnassignd replicas sharing the ledger (at least 2)")
	fs.DurationVar(&o.killEvery, "kill-every", 4*time.Second, "mean time between kills (each wait is this ±50%)")
	fs.Int64Var(&o.seed, "seed", 0, "seed for unit sizes, choices and kill times (0: from the clock; printed)")
	fs.StringVar(&o.runDir, "run-dir", "", "directory for the logs, create log and report (default: a new one under $TMPDIR)")
	fs.StringVar(&o.report, "report", "", "also write the Markdown table to this file")
	fs.StringVar(&o.postgresDSN, "postgres-dsn", "", "use this PostgreSQL server (postgres://user@host:port/db URL) instead of a throwaway cluster; a fresh database is created in it")
	fs.StringVar(&o.postgresBin, "postgres-bin", "", "PostgreSQL's bin directory for the throwaway cluster (default: the newest /usr/lib/postgresql/*/bin)")
	fs.BoolVar(&o.keep, "keep", false, "keep the PostgreSQL cluster or database after the run, for post-mortems")
	fs.DurationVar(&o.drainTimeout, "drain-timeout", 3*time.Minute, "how long units in flight may take to finish after --duration")
	fs.DurationVar(&o.settleTimeout, "settle-timeout", 2*time.Minute, "how long to wait, after the drain, for no job to be RUNNING")
	fs.BoolVar(&o.allowMissing, "allow-missing-flags", false, "run binaries that lack newer flags without them (checks that need them are reported as not done)")
	fs.Float64Var(&o.gatewayShare, "gateway-share", 0.4, "share of calls made through the HTTP/NDJSON gateway instead of gRPC")
	fs.DurationVar(&o.pace, "pace", 600*time.Millisecond, "half the calls trickle, waiting up to this long before each message (0: none do), so that kills land mid-upload")
	fs.Float64Var(&o.unassignShare, "unassign-share", 0.5, "share of job units that UNASSIGN rather than ASSIGN")
	fs.IntVar(&o.minUnit, "min-unit", 500, "fewest numbers in a job unit")
	fs.IntVar(&o.maxUnit, "max-unit", 12000, "most numbers in a job unit")
	fs.StringVar(&prefixes, "owned-prefixes", defaultPrefixes, "number prefixes bwsim's account owns and callers draw from; each number is used once per run")
	fs.DurationVar(&o.lease, "lease", 3*time.Second, "the replicas' --lease")
	fs.Float64Var(&o.errorRate, "error-rate", 0.03, "share of Bandwidth requests bwsim answers 503")
	fs.Float64Var(&o.slowCreateRate, "slow-create-rate", 0.1, "share of creates bwsim answers only after --create-delay..--create-delay-max")
	fs.DurationVar(&o.createDelay, "create-delay", 6*time.Second, "least delay of a slow create")
	fs.DurationVar(&o.createDelayMax, "create-delay-max", 8*time.Second, "most delay of a slow create")
	fs.Var(&extra, "replica-flag", "extra flag for every replica, e.g. --replica-flag=--poll-interval=500ms (repeatable)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for p := range strings.SplitSeq(prefixes, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.prefixes = append(o.prefixes, p)
		}
	}
	o.replicaFlags = extra
	return o, o.validate()
}

// validate checks values a flag type cannot.
func (o options) validate() error {
	switch {
	case o.duration <= 0:
		return errors.New("--duration must be positive")
	case o.callers < 1:
		return errors.New("--callers must be at least 1")
	case o.replicas < 2:
		return errors.New("--replicas must be at least 2: one always stays up")
	case o.killEvery <= 0:
		return errors.New("--kill-every must be positive")
	case o.minUnit < 1 || o.maxUnit < o.minUnit:
		return errors.New("--min-unit must be at least 1 and at most --max-unit")
	case o.gatewayShare < 0 || o.gatewayShare > 1, o.unassignShare < 0 || o.unassignShare > 1:
		return errors.New("--gateway-share and --unassign-share are between 0 and 1")
	case o.createDelayMax < o.createDelay:
		return errors.New("--create-delay-max must not be below --create-delay")
	case o.pace < 0:
		return errors.New("--pace must not be negative")
	case o.drainTimeout <= 0 || o.settleTimeout <= 0:
		return errors.New("--drain-timeout and --settle-timeout must be positive")
	}
	_, err := newInventory(o.prefixes)
	return err
}
