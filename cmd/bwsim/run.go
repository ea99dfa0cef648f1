package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// run is bwsim's main: it parses the options, listens and serves until ctx ends. It returns the exit
// status: 0 after a graceful stop, 2 for bad flags, 1 when it cannot serve.
func run(ctx context.Context, args []string, lookupEnv func(string) (string, bool), stderr io.Writer) int {
	opts, err := parseOptions(args, lookupEnv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "bwsim: %v (see bwsim -h)\n", err)
		return 2
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	var createLog io.Writer
	if opts.createLog != "" {
		f, err := os.OpenFile(opts.createLog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			logger.Error("cannot open the create log", "path", opts.createLog, "error", err)
			return 1
		}
		// Serve returns only after every handler has, so nothing writes to f once it is closed.
		defer f.Close()
		createLog = f
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", opts.addr)
	if err != nil {
		logger.Error("cannot listen", "addr", opts.addr, "error", err)
		return 1
	}
	if err := serve(ctx, ln, opts, createLog, logger); err != nil {
		logger.Error("stopped", "error", err)
		return 1
	}
	return 0
}

// serve runs the simulator on ln until ctx ends, recording created orders in createLog if it is
// not nil.
func serve(ctx context.Context, ln net.Listener, opts options, createLog io.Writer, logger *slog.Logger) error {
	cfg := opts.config()
	cfg.CreateLog = createLog
	if opts.logRequests {
		cfg.Logger = logger
	}
	root := "http://" + ln.Addr().String()
	logger.Info("bwsim listening",
		"addr", ln.Addr().String(),
		"url", root+"/api",
		"token_url", root+bwsim.TokenPath,
		"account", opts.account,
		"owned_prefixes", splitList(opts.ownedPrefixes),
		"basic_auth", opts.username != "",
		"oauth", opts.clientID != "",
		"processing_polls", opts.processingPolls,
		"processing_delay", opts.processingDelay.String(),
		"latency", opts.latency.String(),
		"rate_limit", opts.rateLimit,
		"error_rate", opts.errorRate,
		"create_delay", opts.createDelay.String(),
		"create_delay_max", opts.createDelayMax.String(),
		"slow_create_rate", opts.slowCreateRate,
		"create_log", opts.createLog)
	err := bwsim.New(cfg).Serve(ctx, ln)
	if err == nil {
		logger.Info("bwsim stopped")
	}
	return err
}
