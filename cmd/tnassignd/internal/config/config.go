package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
)

// EnvPrefix starts the name of every environment variable tnassignd reads.
const EnvPrefix = "TNASSIGN_"

// SimulatedAccount is the account --simulate serves when --accounts is not
// given.
const SimulatedAccount = "9900000"

// Defaults of the flags that have one. They are exported so that tests and
// documentation can refer to them.
const (
	DefaultGRPCAddr          = "127.0.0.1:9090"
	DefaultHTTPAddr          = "127.0.0.1:8080"
	DefaultBandwidthURL      = "https://dashboard.bandwidth.com/api"
	DefaultBandwidthTokenURL = "https://api.bandwidth.com/api/v1/oauth2/token"
	DefaultLedger            = "sqlite://./data/tnassign.db"
	DefaultLease             = 30 * time.Second
	DefaultPollInterval      = 2 * time.Second
	DefaultBandwidthTimeout  = 30 * time.Second
	DefaultBatchLinger       = time.Second
	DefaultBatchSize         = 5000
	DefaultMaxInflightOrders = 64
	DefaultMaxInflightPerJob = 4
	DefaultRateLimit         = 5.0
	DefaultShutdownGrace     = 30 * time.Second
	DefaultLogLevel          = "info"
)

// MaxBatchSize is Bandwidth's limit on the numbers of one order.
const MaxBatchSize = 5000

// ErrHelp is returned by Load when -h or --help was asked for; the usage has
// been written by then.
var ErrHelp = flag.ErrHelp

// Config is tnassignd's validated configuration.
type Config struct {
	// GRPCAddr is the host:port the gRPC server listens on.
	GRPCAddr string
	// HTTPAddr is the host:port the JSON gateway, /healthz, /metrics and
	// /openapi.json listen on.
	HTTPAddr string
	// BandwidthURL is the base URL of Bandwidth's Numbers API.
	BandwidthURL string
	// BandwidthTokenURL is Bandwidth's OAuth2 token endpoint.
	BandwidthTokenURL string
	// Accounts is the allow-list of Bandwidth account ids callers may use.
	Accounts []string
	// Ledger says where jobs are recorded; see ParseLedger.
	Ledger Ledger
	// Simulate runs the Bandwidth simulator in process instead of calling
	// Bandwidth.
	Simulate bool
	// PollInterval is the first wait before polling a new order; later
	// waits grow exponentially.
	PollInterval time.Duration
	// BandwidthTimeout bounds one request to Bandwidth. It also bounds how
	// long a create whose replica died may still create its order: a replica
	// taking the job over looks the order up for this long (plus the lookup
	// window) before it sends the batch again.
	BandwidthTimeout time.Duration
	// BatchLinger is how long a partial batch waits for more numbers.
	BatchLinger time.Duration
	// BatchSize is the numbers per Bandwidth order (1..5000).
	BatchSize int
	// MaxInflightOrders bounds the orders in flight in the whole process.
	MaxInflightOrders int
	// MaxInflightPerJob bounds the orders in flight for one job.
	MaxInflightPerJob int
	// RateLimit is the requests per second to Bandwidth per account,
	// creates, polls and retries alike; 0 means unlimited.
	RateLimit float64
	// ShutdownGrace is how long a shutdown waits for in-flight orders.
	ShutdownGrace time.Duration
	// ReplicaID names this process as the owner of its jobs in the ledger;
	// empty means hostname, pid and a random suffix.
	ReplicaID string
	// Lease is how long this replica owns its running jobs without
	// renewing; a dead replica's jobs are taken over after about this long.
	Lease time.Duration
	// LogLevel is the minimum level logged.
	LogLevel slog.Level
	// Credentials authenticate tnassignd at Bandwidth; empty when
	// simulating.
	Credentials Credentials
	// IgnoredCredentials is true when credentials were set in the
	// environment but --simulate made them unnecessary.
	IgnoredCredentials bool
	// Security is TLS, caller authentication and the per-caller limits.
	Security server.Security
}

// raw holds the flag values before validation.
type raw struct {
	grpcAddr, httpAddr          string
	bandwidthURL, tokenURL      string
	accounts, ledger, logLevel  string
	replicaID                   string
	lease                       time.Duration
	simulate                    bool
	pollInterval, batchLinger   time.Duration
	bandwidthTimeout            time.Duration
	shutdownGrace               time.Duration
	batchSize                   int
	maxInflight, maxInflightJob int
	rateLimit                   float64
	security                    server.Security
}

// newFlagSet defines every flag on a fresh FlagSet writing into r.
func newFlagSet(r *raw) *flag.FlagSet {
	fs := flag.NewFlagSet("tnassignd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&r.grpcAddr, "grpc-addr", DefaultGRPCAddr, "`host:port` the gRPC server listens on")
	fs.StringVar(&r.httpAddr, "http-addr", DefaultHTTPAddr, "`host:port` of the JSON gateway, /healthz, /metrics and /openapi.json")
	fs.StringVar(&r.bandwidthURL, "bandwidth-url", DefaultBandwidthURL, "base `URL` of Bandwidth's Numbers API")
	fs.StringVar(&r.tokenURL, "bandwidth-token-url", DefaultBandwidthTokenURL, "Bandwidth's OAuth2 token `URL`")
	fs.StringVar(&r.accounts, "accounts", "", "comma-separated Bandwidth account `ids` callers may use (required unless --simulate)")
	fs.StringVar(&r.ledger, "ledger", DefaultLedger, "where jobs are recorded: sqlite://PATH (one process), postgres://USER@HOST/DB (replicas sharing one ledger), or memory:// (lost on exit)")
	fs.StringVar(&r.replicaID, "replica-id", "", "this process's name as owner of its jobs in the ledger; distinct per replica (default: hostname-pid-random)")
	fs.DurationVar(&r.lease, "lease", DefaultLease, "how long a replica owns its running jobs without renewing; a dead replica's jobs are taken over after about this long")
	fs.BoolVar(&r.simulate, "simulate", false, "serve from the built-in Bandwidth simulator; nothing real is touched")
	fs.DurationVar(&r.bandwidthTimeout, "bandwidth-timeout", DefaultBandwidthTimeout, "how long one request to Bandwidth may take; a replica taking over a job waits this long (plus 15s) for an interrupted create to show before resending it")
	fs.DurationVar(&r.pollInterval, "poll-interval", DefaultPollInterval, "first wait before polling an order; later waits back off up to 30s")
	fs.DurationVar(&r.batchLinger, "batch-linger", DefaultBatchLinger, "send a partial batch after this long without new numbers")
	fs.IntVar(&r.batchSize, "batch-size", DefaultBatchSize, "numbers per Bandwidth order (1..5000)")
	fs.IntVar(&r.maxInflight, "max-inflight-orders", DefaultMaxInflightOrders, "orders in flight in the whole process")
	fs.IntVar(&r.maxInflightJob, "max-inflight-per-job", DefaultMaxInflightPerJob, "orders in flight for one job")
	fs.Float64Var(&r.rateLimit, "rate-limit", DefaultRateLimit, "requests per second to Bandwidth per account, creates, polls and retries alike (0 = unlimited)")
	fs.DurationVar(&r.shutdownGrace, "shutdown-grace", DefaultShutdownGrace, "how long shutdown waits for in-flight orders to settle")
	fs.StringVar(&r.logLevel, "log-level", DefaultLogLevel, "minimum log `level`: debug, info, warn or error")
	addSecurityFlags(fs, &r.security)
	return fs
}

// EnvName is the environment twin of the flag called name:
// "batch-linger" → "TNASSIGN_BATCH_LINGER".
func EnvName(flagName string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Load parses args (without the program name) over the environment that
// lookupEnv reads, reads the secrets, and validates the result. On -h it
// writes the usage to help and returns ErrHelp. Any other error is one line
// that names the flag or variable at fault.
func Load(args []string, lookupEnv func(string) (string, bool), help io.Writer) (Config, error) {
	var r raw
	fs := newFlagSet(&r)
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		name := EnvName(f.Name)
		v, ok := lookupEnv(name)
		if !ok || envErr != nil {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = fmt.Errorf("%s=%q: %v", name, v, unwrapFlagError(err))
		}
	})
	if envErr != nil {
		return Config{}, envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(help, fs)
			return Config{}, ErrHelp
		}
		return Config{}, fmt.Errorf("%v (see tnassignd -h)", err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q: tnassignd takes flags only (see tnassignd -h)", fs.Arg(0))
	}
	cfg, err := r.validate()
	if err != nil {
		return Config{}, err
	}
	creds, err := LoadCredentials(lookupEnv)
	if err != nil {
		return Config{}, err
	}
	switch {
	case cfg.Simulate:
		cfg.IgnoredCredentials = !creds.Empty()
	case creds.Empty():
		return Config{}, errors.New(missingCredentials)
	default:
		cfg.Credentials = creds
	}
	return cfg, nil
}

// unwrapFlagError keeps the reason of a flag.Value's Set error.
func unwrapFlagError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// writeUsage prints every flag with its environment twin and default.
func writeUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprint(w, "Usage: tnassignd [flags]\n       tnassignd migrate [--ledger URL]\n\n"+
		"tnassignd serves the tnassign API over gRPC and HTTP/JSON and drives Bandwidth\n"+
		"numbersAssignment orders. Every flag can also be set by its environment twin;\n"+
		"the command line wins. \"tnassignd migrate\" applies the ledger's migrations\n"+
		"and exits (tnassignd also applies them at start).\n\nFlags:\n")
	fs.VisitAll(func(f *flag.Flag) {
		_, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s (%s)\n    \t%s", f.Name, EnvName(f.Name), usage)
		if f.DefValue != "" && f.DefValue != "false" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprint(w, "\nSecrets, from the environment only (each also as NAME_FILE, a file holding it):\n"+
		"  "+EnvClientID+", "+EnvClientSecret+"  OAuth2 client credentials (preferred)\n"+
		"  "+EnvUsername+", "+EnvPassword+"  legacy Basic auth\n")
}

// UnknownEnv returns the TNASSIGN_* variables in environ ("NAME=value"
// entries, as os.Environ gives them) that tnassignd does not read: most
// likely misspellings, which would otherwise be ignored without a word.
func UnknownEnv(environ []string) []string {
	known := map[string]bool{}
	newFlagSet(&raw{}).VisitAll(func(f *flag.Flag) { known[EnvName(f.Name)] = true })
	for _, s := range []string{EnvClientID, EnvClientSecret, EnvUsername, EnvPassword} {
		known[s], known[s+"_FILE"] = true, true
	}
	var unknown []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, EnvPrefix) && !known[name] {
			unknown = append(unknown, name)
		}
	}
	return unknown
}
