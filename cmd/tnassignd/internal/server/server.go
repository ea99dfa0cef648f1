package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Service is what the server serves: the AssignmentService, plus the
// readiness and shutdown hooks of its pipeline. *service.Service satisfies
// it.
type Service interface {
	tnassignv1.AssignmentServiceServer
	// Ready reports whether the service can take jobs.
	Ready(ctx context.Context) error
	// Shutdown stops taking jobs and waits, until ctx ends, for in-flight
	// orders to settle and be recorded.
	Shutdown(ctx context.Context) error
}

// Defaults of Options.
const (
	DefaultDrainTimeout  = 5 * time.Second
	DefaultReadyInterval = 5 * time.Second
)

// Options configure Serve.
type Options struct {
	// Service is served on both doors. Required.
	Service Service
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Metrics collects the gRPC metrics and serves /metrics; nil makes a
	// fresh set.
	Metrics *Metrics
	// ShutdownGrace bounds Service.Shutdown: how long in-flight orders may
	// take to settle once shutdown begins. 0 gives them no time (their state
	// is recorded at once).
	ShutdownGrace time.Duration
	// DrainTimeout bounds, after Service.Shutdown, how long the listeners'
	// connections may take to close before they are cut.
	DrainTimeout time.Duration
	// ReadyInterval is how often Service.Ready is asked.
	ReadyInterval time.Duration

	// Security is the security configuration: connection age, body cap
	// and the guard's limits. Its zero value serves without TLS,
	// authentication or limits, with the default body cap and connection
	// age.
	Security Security
	// TLS, when set, serves both listeners over TLS 1.3 (mutual TLS if it
	// has client CAs) and the gateway dials gRPC with matching credentials:
	// Security.TLSFiles loaded by LoadTLS.
	TLS *TLS
	// Tokens are the bearer tokens every call must present: the tokens file
	// of Security opened by guard.OpenTokenStore. nil turns authentication
	// off (every caller may do everything).
	Tokens *guard.TokenStore
}

// Serve serves gRPC on grpcLis and HTTP on httpLis until ctx ends, then
// shuts down gracefully: health turns NOT_SERVING, both listeners stop
// accepting, Service.Shutdown lets in-flight orders settle within
// ShutdownGrace, and the connections drain within DrainTimeout before they
// are cut. Serve closes both listeners. It returns nil after a shutdown
// caused by ctx, or the error that stopped a server.
func Serve(ctx context.Context, grpcLis, httpLis net.Listener, opts Options) error {
	if opts.Service == nil {
		return errors.New("server: Options.Service is required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	metrics := opts.Metrics
	if metrics == nil {
		metrics = NewMetrics()
	}
	drain := opts.DrainTimeout
	if drain <= 0 {
		drain = DefaultDrainTimeout
	}
	interval := opts.ReadyInterval
	if interval <= 0 {
		interval = DefaultReadyInterval
	}

	ready := newReadiness(opts.Service.Ready, interval, log)
	sec := securityOf(opts)
	httpLis = sec.httpListener(httpLis)
	gs := newGRPCServer(opts.Service, interceptors{log: log, metrics: metrics, guard: sec.guard}, ready.health, sec.serverOptions()...)
	conns, err := dialGatewayConns(grpcLis.Addr(), sec.dialCredentials(), sec.MaxGatewayStreams, ready.health, metrics, log)
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		return err
	}
	defer conns.Close()
	ready.gatewayStreams = conns.usage
	gw, err := newGateway(context.WithoutCancel(ctx), conns, log, sec.guard.GatewayKey())
	if err != nil {
		grpcLis.Close()
		httpLis.Close()
		return err
	}
	hs := newHTTPServer(newHTTPHandler(sec.gateway(gw), ready, sec.metrics(metrics.Handler())), log)

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Go(func() {
		if err := gs.Serve(grpcLis); err != nil {
			errc <- fmt.Errorf("gRPC server: %w", err)
		}
	})
	wg.Go(func() {
		if err := hs.Serve(httpLis); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HTTP server: %w", err)
		}
	})
	readyCtx, stopReady := context.WithCancel(ctx)
	wg.Go(func() { ready.run(readyCtx) })
	log.Info("serving", "grpc_addr", grpcLis.Addr().String(), "http_addr", httpLis.Addr().String())

	var serveErr error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", opts.ShutdownGrace.String())
	case serveErr = <-errc:
		log.Error("server failed; shutting down", "error", serveErr)
	}
	stopReady()
	ready.shutdown()
	shutdown(opts.Service, gs, hs, opts.ShutdownGrace, drain, log)
	wg.Wait()
	log.Info("stopped")
	return serveErr
}

// gracefulStopper is the part of *grpc.Server shutdown uses.
type gracefulStopper interface {
	GracefulStop()
	Stop()
}

// shutdown stops accepting on both doors, lets the service settle its
// in-flight work within grace, then gives the connections drain to close
// before cutting them.
func shutdown(svc Service, gs gracefulStopper, hs *http.Server, grace, drain time.Duration, log *slog.Logger) {
	graceCtx, cancelGrace := context.WithTimeout(context.Background(), grace)
	defer cancelGrace()
	drainCtx, cancelDrain := context.WithTimeout(context.Background(), grace+drain)
	defer cancelDrain()

	// Both stop accepting at once and then wait for their calls to end,
	// which the service's shutdown brings about.
	grpcDone := make(chan struct{})
	go func() { gs.GracefulStop(); close(grpcDone) }()
	httpDone := make(chan error, 1)
	go func() { httpDone <- hs.Shutdown(drainCtx) }()

	start := time.Now()
	if err := svc.Shutdown(graceCtx); err != nil {
		log.Warn("grace period over before in-flight orders settled; their state is recorded", "error", err.Error())
	} else {
		log.Info("in-flight work settled", "took", time.Since(start).String())
	}

	cut := time.NewTimer(drain)
	defer cut.Stop()
	select {
	case <-grpcDone:
	case <-cut.C:
		log.Warn("gRPC connections still open after the drain timeout; closing them")
		gs.Stop()
		<-grpcDone
	}
	if err := <-httpDone; err != nil {
		log.Warn("HTTP connections still open after the drain timeout; closing them", "error", err.Error())
		hs.Close()
	}
}
