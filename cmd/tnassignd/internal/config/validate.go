package config

import (
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Ledger is a parsed --ledger value.
type Ledger struct {
	// Scheme is the ledger kind: "memory", "sqlite" or "postgres".
	Scheme string
	// URL is the value as given.
	URL string
}

// ParseLedger checks a --ledger value: memory:// keeps jobs in process
// memory (lost on restart); sqlite://PATH is a SQLite file (its directory
// is created), for one process; postgres://… (or postgresql://…) is a
// PostgreSQL database that several replicas share.
func ParseLedger(s string) (Ledger, error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return Ledger{}, fmt.Errorf("--ledger %q: want a URL such as sqlite://./data/tnassign.db", redactURL(s))
	}
	switch u.Scheme {
	case "memory":
		return Ledger{Scheme: "memory", URL: s}, nil
	case "sqlite":
		if strings.TrimPrefix(strings.SplitN(s, "?", 2)[0], "sqlite://") == "" {
			return Ledger{}, fmt.Errorf("--ledger %q: name the database file, e.g. sqlite://./data/tnassign.db", redactURL(s))
		}
		return Ledger{Scheme: "sqlite", URL: s}, nil
	case "postgres", "postgresql":
		if u.Host == "" && u.Query().Get("host") == "" {
			return Ledger{}, fmt.Errorf("--ledger %q: name the server, e.g. postgres://tnassign@db.example.com/tnassign", redactURL(s))
		}
		return Ledger{Scheme: "postgres", URL: s}, nil
	default:
		return Ledger{}, fmt.Errorf("--ledger %q: unknown scheme %q; use sqlite://, postgres:// or memory://", redactURL(s), u.Scheme)
	}
}

// Redacted is the ledger URL without its secrets, for logs and errors (see
// redactURL).
func (l Ledger) Redacted() string { return redactURL(l.URL) }

// Scrub returns msg, an error message that may quote the ledger URL or one
// of its secrets, with them redacted.
func (l Ledger) Scrub(msg string) string { return scrub(msg, l.URL) }

// validate checks every raw value and builds a Config without credentials.
func (r *raw) validate() (Config, error) {
	cfg := Config{
		GRPCAddr:          r.grpcAddr,
		HTTPAddr:          r.httpAddr,
		BandwidthURL:      r.bandwidthURL,
		BandwidthTokenURL: r.tokenURL,
		Simulate:          r.simulate,
		PollInterval:      r.pollInterval,
		BandwidthTimeout:  r.bandwidthTimeout,
		BatchLinger:       r.batchLinger,
		BatchSize:         r.batchSize,
		MaxInflightOrders: r.maxInflight,
		MaxInflightPerJob: r.maxInflightJob,
		RateLimit:         r.rateLimit,
		ShutdownGrace:     r.shutdownGrace,
		ReplicaID:         r.replicaID,
		Lease:             r.lease,
	}
	checks := []func() error{
		func() error { return checkAddr("--grpc-addr", r.grpcAddr) },
		func() error { return checkAddr("--http-addr", r.httpAddr) },
		func() error { return checkDistinctAddrs(r.grpcAddr, r.httpAddr) },
		func() error { return checkURL("--bandwidth-url", r.bandwidthURL) },
		func() error { return checkURL("--bandwidth-token-url", r.tokenURL) },
		func() (err error) { cfg.Accounts, err = parseAccounts(r.accounts, r.simulate); return err },
		func() (err error) { cfg.Ledger, err = ParseLedger(r.ledger); return err },
		func() error { return checkPositive("--poll-interval", r.pollInterval) },
		func() error { return checkPositive("--bandwidth-timeout", r.bandwidthTimeout) },
		func() error { return checkPositive("--batch-linger", r.batchLinger) },
		func() error { return checkNonNegative("--shutdown-grace", r.shutdownGrace) },
		func() error { return checkLease(r.lease) },
		func() error { return checkReplicaID(r.replicaID) },
		func() error { return checkRange("--batch-size", r.batchSize, 1, MaxBatchSize) },
		func() error { return checkRange("--max-inflight-orders", r.maxInflight, 1, 100000) },
		func() error { return checkRange("--max-inflight-per-job", r.maxInflightJob, 1, r.maxInflight) },
		func() error { return checkRate(r.rateLimit) },
		func() (err error) { cfg.LogLevel, err = parseLevel(r.logLevel); return err },
		func() error { cfg.Security = r.security; return validateSecurity(r.security, r.grpcAddr, r.httpAddr) },
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return Config{}, err
		}
	}
	return cfg, nil
}

// checkAddr accepts host:port with a numeric port (0 picks a free one).
func checkAddr(name, v string) error {
	_, port, err := net.SplitHostPort(v)
	if err != nil {
		return fmt.Errorf("%s %q: want host:port, e.g. 127.0.0.1:9090", name, v)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s %q: port must be a number from 0 to 65535", name, v)
	}
	return nil
}

// checkDistinctAddrs refuses the same fixed port for both listeners.
func checkDistinctAddrs(grpcAddr, httpAddr string) error {
	if grpcAddr == httpAddr && !strings.HasSuffix(grpcAddr, ":0") {
		return fmt.Errorf("--grpc-addr and --http-addr are both %q: they need different ports", grpcAddr)
	}
	return nil
}

// checkURL accepts an absolute http or https URL.
func checkURL(name, v string) error {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		shown := redactURL(v)
		if err == nil && u.User == nil && u.Opaque == "" && u.RawQuery == "" && u.Fragment == "" {
			shown = v // without user info, opaque part, query or fragment it holds no secret
		}
		return fmt.Errorf("%s %q: want an absolute http(s) URL", name, shown)
	}
	if u.User != nil {
		return fmt.Errorf("%s: credentials do not belong in the URL; set them in the environment (see tnassignd -h)", name)
	}
	return nil
}

// parseAccounts splits the comma list; account ids are digits.
func parseAccounts(v string, simulate bool) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	for _, f := range strings.Split(v, ",") {
		id := strings.TrimSpace(f)
		if id == "" {
			continue
		}
		if len(id) > 20 || strings.Trim(id, "0123456789") != "" {
			return nil, fmt.Errorf("--accounts: %q is not a Bandwidth account id (digits only)", id)
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		if !simulate {
			return nil, fmt.Errorf("--accounts is required (or %s): the Bandwidth account ids callers may use", EnvName("accounts"))
		}
		ids = []string{SimulatedAccount}
	}
	return ids, nil
}

// durationLike is satisfied by time.Duration.
type durationLike interface{ ~int64 }

func checkPositive[D durationLike](name string, d D) error {
	if d <= 0 {
		return fmt.Errorf("%s must be positive, got %v", name, d)
	}
	return nil
}

func checkNonNegative[D durationLike](name string, d D) error {
	if d < 0 {
		return fmt.Errorf("%s must not be negative, got %v", name, d)
	}
	return nil
}

func checkRange(name string, v, lo, hi int) error {
	if v < lo || v > hi {
		if name == "--max-inflight-per-job" && v > hi && hi >= lo {
			return fmt.Errorf("%s %d exceeds --max-inflight-orders %d", name, v, hi)
		}
		return fmt.Errorf("%s must be between %d and %d, got %d", name, lo, hi, v)
	}
	return nil
}

// MinLease is the shortest --lease: renewals run every third of it.
const MinLease = 300 * time.Millisecond

func checkLease(d time.Duration) error {
	if d < MinLease {
		return fmt.Errorf("--lease must be at least %v, got %v", MinLease, d)
	}
	return nil
}

// checkReplicaID accepts up to 128 printable ASCII characters.
func checkReplicaID(id string) error {
	if len(id) > 128 || strings.IndexFunc(id, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		return fmt.Errorf("--replica-id %q: use up to 128 printable characters without spaces", id)
	}
	return nil
}

func checkRate(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("--rate-limit must be a number ≥ 0 (0 = unlimited), got %v", v)
	}
	return nil
}

// parseLevel accepts debug, info, warn and error, any case.
func parseLevel(v string) (slog.Level, error) {
	var l slog.Level
	switch strings.ToLower(v) {
	case "debug", "info", "warn", "error":
		if err := l.UnmarshalText([]byte(v)); err == nil {
			return l, nil
		}
	}
	return 0, fmt.Errorf("--log-level %q: want debug, info, warn or error", v)
}
