package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/config"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
	"github.com/tnassign/tnassign/service"
)

// Exit statuses.
const (
	exitOK     = 0
	exitFailed = 1
	exitConfig = 2
)

// run is tnassignd: configure, listen, serve until ctx ends. stopSignals
// is called once the first signal arrived so that a second one kills the
// process at once. Errors before logging starts are one line on stderr.
func run(ctx context.Context, stopSignals func(), args []string, env environment, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "migrate" {
		if err := migrate(ctx, args[1:], env.lookup); err != nil {
			fmt.Fprintf(stderr, "tnassignd migrate: %v\n", err)
			return exitConfig
		}
		fmt.Fprintln(stdout, "tnassignd migrate: the ledger is up to date")
		return exitOK
	}
	cfg, err := config.Load(args, env.lookup, stdout)
	if errors.Is(err, config.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "tnassignd: %v\n", err)
		return exitConfig
	}
	sec, err := loadSecurity(cfg.Security)
	if err != nil {
		fmt.Fprintf(stderr, "tnassignd: %v\n", err)
		return exitConfig
	}
	grpcLis, err := listen("--grpc-addr", cfg.GRPCAddr)
	if err != nil {
		fmt.Fprintf(stderr, "tnassignd: %v\n", err)
		return exitFailed
	}
	httpLis, err := listen("--http-addr", cfg.HTTPAddr)
	if err != nil {
		grpcLis.Close()
		fmt.Fprintf(stderr, "tnassignd: %v\n", err)
		return exitFailed
	}

	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	metrics := server.NewMetrics()
	up, closeUpstream, err := newUpstream(cfg, metrics, log)
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		log.Error("cannot start", "error", err.Error())
		return exitFailed
	}
	defer closeUpstream()

	store, err := openLedger(ctx, cfg.Ledger)
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		log.Error("cannot start: the ledger cannot be opened", "error", err.Error())
		return exitFailed
	}
	defer func() {
		if err := store.Close(); err != nil {
			log.Warn("closing the ledger failed", "error", err.Error())
		}
	}()
	svc, err := service.New(serviceConfig(cfg), up, store, metrics, log)
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		log.Error("cannot start", "error", err.Error())
		return exitFailed
	}
	cfg.ReplicaID = svc.ReplicaID() // the effective id: generated when none was configured
	logStart(log, cfg)
	sec.logStart(log, cfg.GRPCAddr, cfg.HTTPAddr)
	for _, name := range config.UnknownEnv(env.list) {
		log.Warn("ignoring an unknown TNASSIGN_ variable; misspelt?", "name", name)
	}

	// Serve stops when the first signal arrives; from then on the default
	// signal handling is back, so a second signal kills the process.
	serveCtx, stopServing := context.WithCancel(context.Background())
	defer stopServing()
	waitReload := sec.reloadOnHangup(serveCtx, log)
	defer func() { stopServing(); waitReload() }()
	go func() {
		select {
		case <-ctx.Done():
			stopSignals()
			log.Info("signal received: finishing in-flight work; signal again to stop at once")
			stopServing()
		case <-serveCtx.Done():
		}
	}()
	opts := server.Options{
		Service:       svc,
		Logger:        log,
		Metrics:       metrics,
		ShutdownGrace: cfg.ShutdownGrace,
		Security:      cfg.Security,
		TLS:           sec.tls,
		Tokens:        sec.tokens,
	}
	err = server.Serve(serveCtx, grpcLis, httpLis, opts)
	if err != nil {
		log.Error("stopped on error", "error", err.Error())
		return exitFailed
	}
	return exitOK
}

// environment is the process environment: lookup reads one variable,
// list holds all as "NAME=value".
type environment struct {
	lookup func(string) (string, bool)
	list   []string
}

// listen opens a TCP listener, explaining a failure in one line.
func listen(flagName, addr string) (net.Listener, error) {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		reason := err
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Err != nil {
			reason = opErr.Err
		}
		return nil, fmt.Errorf("cannot listen on %s (%s): %v", addr, flagName, reason)
	}
	return lis, nil
}

// serviceConfig maps the flags onto the pipeline's configuration.
func serviceConfig(cfg config.Config) service.Config {
	return service.Config{
		Accounts:          cfg.Accounts,
		BatchSize:         cfg.BatchSize,
		BatchLinger:       cfg.BatchLinger,
		MaxInflightPerJob: cfg.MaxInflightPerJob,
		MaxInflightOrders: cfg.MaxInflightOrders,
		ReplicaID:         cfg.ReplicaID,
		Lease:             cfg.Lease,
	}
}

// logStart logs the effective configuration; it holds no secret.
func logStart(log *slog.Logger, cfg config.Config) {
	log.Info("starting tnassignd",
		"grpc_addr", cfg.GRPCAddr,
		"http_addr", cfg.HTTPAddr,
		"accounts", cfg.Accounts,
		"ledger", cfg.Ledger.Redacted(),
		"replica_id", cfg.ReplicaID,
		"lease", cfg.Lease.String(),
		"simulate", cfg.Simulate,
		"batch_size", cfg.BatchSize,
		"batch_linger", cfg.BatchLinger.String(),
		"poll_interval", cfg.PollInterval.String(),
		"bandwidth_timeout", cfg.BandwidthTimeout.String(),
		"max_inflight_orders", cfg.MaxInflightOrders,
		"max_inflight_per_job", cfg.MaxInflightPerJob,
		"rate_limit", cfg.RateLimit,
		"shutdown_grace", cfg.ShutdownGrace.String(),
	)
	if cfg.Ledger.Scheme == "memory" {
		log.Warn("the ledger is in memory: jobs and their outcomes are lost when tnassignd stops")
	}
}
