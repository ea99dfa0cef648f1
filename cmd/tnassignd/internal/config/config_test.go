package config

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
)

// env is a fake environment for Load.
type env map[string]string

func (e env) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

// oauthEnv has valid OAuth credentials, so that tests of other settings
// start.
func oauthEnv() env {
	return env{EnvClientID: "client-id", EnvClientSecret: "s3cret-value"}
}

func with(e env, kv ...string) env {
	out := env{}
	for k, v := range e {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Load([]string{"--accounts", "123,456"}, oauthEnv().lookup, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		GRPCAddr: DefaultGRPCAddr, HTTPAddr: DefaultHTTPAddr,
		BandwidthURL: DefaultBandwidthURL, BandwidthTokenURL: DefaultBandwidthTokenURL,
		Accounts: []string{"123", "456"}, Ledger: Ledger{Scheme: "sqlite", URL: "sqlite://./data/tnassign.db"}, Lease: DefaultLease,
		PollInterval: 2 * time.Second, BandwidthTimeout: 30 * time.Second, BatchLinger: time.Second, BatchSize: 5000,
		MaxInflightOrders: 64, MaxInflightPerJob: 4, RateLimit: 5, ShutdownGrace: 30 * time.Second,
		LogLevel: slog.LevelInfo,
		Security: server.Security{MaxBodyBytes: server.DefaultMaxBodyBytes,
			Limits:           guard.Limits{MaxNumbersPerJob: guard.DefaultMaxNumbersPerJob, MaxJobsPerCaller: guard.DefaultMaxJobsPerCaller, MaxWatchesPerCaller: guard.DefaultMaxWatchesPerCaller},
			MaxConnectionAge: server.DefaultMaxConnectionAge, MaxGatewayStreams: server.DefaultMaxGatewayStreams},
	}
	cfg.Credentials = Credentials{}
	if fmt.Sprint(cfg) != fmt.Sprint(want) {
		t.Errorf("got  %+v\nwant %+v", cfg, want)
	}
}

// TestEnvTwins: every flag can come from its TNASSIGN_* twin, and the
// command line wins over the environment.
func TestEnvTwins(t *testing.T) {
	t.Parallel()
	e := with(oauthEnv(),
		"TNASSIGN_ACCOUNTS", "111",
		"TNASSIGN_BATCH_LINGER", "250ms",
		"TNASSIGN_BATCH_SIZE", "1000",
		"TNASSIGN_GRPC_ADDR", "127.0.0.1:0",
		"TNASSIGN_HTTP_ADDR", "127.0.0.1:0",
		"TNASSIGN_RATE_LIMIT", "0",
		"TNASSIGN_LOG_LEVEL", "DEBUG",
		"TNASSIGN_SIMULATE", "false",
	)
	cfg, err := Load([]string{"--batch-size=2000", "--accounts", "222"}, e.lookup, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BatchLinger != 250*time.Millisecond || cfg.RateLimit != 0 || cfg.LogLevel != slog.LevelDebug || cfg.GRPCAddr != "127.0.0.1:0" {
		t.Errorf("environment not applied: %+v", cfg)
	}
	if cfg.BatchSize != 2000 || !slices.Equal(cfg.Accounts, []string{"222"}) {
		t.Errorf("flags did not override the environment: batch size %d, accounts %v", cfg.BatchSize, cfg.Accounts)
	}
}

func TestEnvName(t *testing.T) {
	t.Parallel()
	if got := EnvName("batch-linger"); got != "TNASSIGN_BATCH_LINGER" {
		t.Errorf("EnvName = %q", got)
	}
}

// TestInvalid: each bad value is refused with one line naming it.
func TestInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		env  env
		want string
	}{
		{"unknown flag", []string{"--nope"}, nil, "flag provided but not defined: -nope"},
		{"positional", []string{"extra"}, nil, `unexpected argument "extra"`},
		{"bad duration", []string{"--batch-linger", "soon"}, nil, `invalid value "soon" for flag -batch-linger`},
		{"bad env duration", nil, env{"TNASSIGN_BATCH_LINGER": "soon"}, `TNASSIGN_BATCH_LINGER="soon"`},
		{"bad env bool", nil, env{"TNASSIGN_SIMULATE": "maybe"}, `TNASSIGN_SIMULATE="maybe"`},
		{"zero linger", []string{"--batch-linger", "0s"}, nil, "--batch-linger must be positive"},
		{"zero poll", []string{"--poll-interval", "-1s"}, nil, "--poll-interval must be positive"},
		{"negative grace", []string{"--shutdown-grace", "-1s"}, nil, "--shutdown-grace must not be negative"},
		{"batch too big", []string{"--batch-size", "5001"}, nil, "--batch-size must be between 1 and 5000"},
		{"batch zero", []string{"--batch-size", "0"}, nil, "--batch-size must be between 1 and 5000"},
		{"inflight zero", []string{"--max-inflight-orders", "0"}, nil, "--max-inflight-orders must be between"},
		{"per job above total", []string{"--max-inflight-orders", "2", "--max-inflight-per-job", "3"}, nil, "--max-inflight-per-job 3 exceeds --max-inflight-orders 2"},
		{"negative rate", []string{"--rate-limit", "-1"}, nil, "--rate-limit must be a number ≥ 0"},
		{"NaN rate", []string{"--rate-limit", "NaN"}, nil, "--rate-limit must be a number ≥ 0"},
		{"bad addr", []string{"--grpc-addr", "9090"}, nil, `--grpc-addr "9090": want host:port`},
		{"bad port", []string{"--http-addr", "127.0.0.1:http"}, nil, "port must be a number"},
		{"same addrs", []string{"--http-addr", DefaultGRPCAddr}, nil, "they need different ports"},
		{"relative url", []string{"--bandwidth-url", "dashboard.bandwidth.com"}, nil, "--bandwidth-url"},
		{"url with user", []string{"--bandwidth-token-url", "https://u:p@example.test/token"}, nil, "credentials do not belong in the URL"},
		{"bad account", []string{"--accounts", "12a"}, nil, `--accounts: "12a" is not a Bandwidth account id`},
		{"no accounts", []string{"--accounts", " , "}, nil, "--accounts is required (or TNASSIGN_ACCOUNTS)"},
		{"sqlite without a path", []string{"--ledger", "sqlite://"}, nil, "name the database file"},
		{"postgres without a host", []string{"--ledger", "postgres:///tnassign"}, nil, "name the server"},
		{"short lease", []string{"--lease", "10ms"}, nil, "--lease must be at least"},
		{"replica id with a space", []string{"--replica-id", "a b"}, nil, "--replica-id"},
		{"unknown ledger", []string{"--ledger", "redis://x"}, nil, `unknown scheme "redis"`},
		{"bad log level", []string{"--log-level", "loud"}, nil, `--log-level "loud"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := with(oauthEnv(), "TNASSIGN_ACCOUNTS", "9900000")
			for k, v := range tc.env {
				e[k] = v
			}
			_, err := Load(tc.args, e.lookup, nil)
			if err == nil {
				t.Fatalf("Load accepted %v %v", tc.args, tc.env)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("error %q: want one line containing %q", msg, tc.want)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	_, err := Load([]string{"-h"}, env{}.lookup, &out)
	if !errors.Is(err, ErrHelp) {
		t.Fatalf("err = %v, want ErrHelp", err)
	}
	for _, want := range []string{"--batch-linger (TNASSIGN_BATCH_LINGER)", "(default 1s)", EnvClientSecret} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, out.String())
		}
	}
}

// TestSimulate: accounts default to the simulated one; credentials are
// not needed, and when present are ignored.
func TestSimulate(t *testing.T) {
	t.Parallel()
	cfg, err := Load([]string{"--simulate"}, env{}.lookup, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Accounts, []string{SimulatedAccount}) || !cfg.Credentials.Empty() || cfg.IgnoredCredentials {
		t.Errorf("got %+v", cfg)
	}
	cfg, err = Load(nil, with(oauthEnv(), "TNASSIGN_SIMULATE", "true", "TNASSIGN_ACCOUNTS", "1,2").lookup, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Accounts, []string{"1", "2"}) || !cfg.Credentials.Empty() || !cfg.IgnoredCredentials {
		t.Errorf("got %+v", cfg)
	}
}

func TestUnknownEnv(t *testing.T) {
	t.Parallel()
	got := UnknownEnv([]string{
		"PATH=/bin", "TNASSIGN_BATCH_LINGER=1s", "TNASSIGN_BATCHSIZE=10",
		EnvClientSecret + "_FILE=/x", "TNASSIGN_BANDWIDTH_TOKEN=abc",
	})
	if !slices.Equal(got, []string{"TNASSIGN_BATCHSIZE", "TNASSIGN_BANDWIDTH_TOKEN"}) {
		t.Errorf("UnknownEnv = %v", got)
	}
}
