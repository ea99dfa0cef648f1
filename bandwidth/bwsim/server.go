package bwsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// ShutdownTimeout bounds how long Serve waits for in-flight requests after its context ends.
const ShutdownTimeout = 5 * time.Second

// Server is a Simulator listening on a loopback port, like httptest.Server. Create it with
// NewServer and Close it when done.
type Server struct {
	*Simulator
	// URL is the Dashboard base URL, http://127.0.0.1:port/api: the endpoints are under
	// URL + "/accounts/{id}/numbersAssignment".
	URL string
	// TokenURL is the OAuth 2.0 token endpoint's URL.
	TokenURL string

	srv       *http.Server
	cancel    context.CancelFunc
	served    chan struct{}
	inflight  inflight
	client    *http.Client
	closeOnce sync.Once
}

// NewServer starts a Simulator configured by cfg on 127.0.0.1 at a free port. It panics if it
// cannot listen, as httptest.NewServer does.
func NewServer(cfg Config) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic(fmt.Sprintf("bwsim: failed to listen on a loopback port: %v", err))
		}
	}
	base, cancel := context.WithCancel(context.Background())
	s := &Server{
		Simulator: New(cfg),
		cancel:    cancel,
		served:    make(chan struct{}),
		client:    &http.Client{Transport: &http.Transport{}},
	}
	root := "http://" + ln.Addr().String()
	s.URL, s.TokenURL = root+"/api", root+TokenPath
	s.srv = &http.Server{
		Handler:           s.inflight.wrap(s.Simulator),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return withLifetime(base) },
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	go func() {
		defer close(s.served)
		_ = s.srv.Serve(ln)
	}()
	return s
}

// Client returns an HTTP client for the server. Close closes its idle connections.
func (s *Server) Client() *http.Client { return s.client }

// Close stops the server: it closes the listener and every connection, cancels in-flight requests
// and waits for their handlers to return. Slow creates still waiting out their delay
// (Config.CreateDelay) are cancelled without creating their orders, like a server that stops
// before finishing; once Close returns, no order appears any more.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.cancel()
		_ = s.srv.Close()
		<-s.served
		s.inflight.closeAndWait()
		s.client.CloseIdleConnections()
	})
}

// inflight counts running handlers so Close can wait for them; once closed it refuses new ones.
type inflight struct {
	mu     sync.Mutex
	n      int
	closed bool
	idle   *sync.Cond
}

func (f *inflight) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			panic(http.ErrAbortHandler)
		}
		f.n++
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			if f.n--; f.n == 0 && f.idle != nil {
				f.idle.Broadcast()
			}
			f.mu.Unlock()
		}()
		h.ServeHTTP(w, r)
	})
}

func (f *inflight) closeAndWait() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	if f.idle == nil {
		f.idle = sync.NewCond(&f.mu)
	}
	for f.n > 0 {
		f.idle.Wait()
	}
}

// Serve answers requests on ln until ctx ends, then shuts down gracefully: it stops accepting, lets
// in-flight requests finish for up to ShutdownTimeout, then cancels them and waits for their
// handlers to return. Slow creates (Config.CreateDelay) are in-flight requests, also when their
// client has gone: those that end within ShutdownTimeout create their orders, the others are
// cancelled without. It returns nil after a shutdown caused by ctx, or the error that stopped
// serving. Serve closes ln.
func (s *Simulator) Serve(ctx context.Context, ln net.Listener) error {
	base, cancel := context.WithCancel(context.WithoutCancel(ctx))
	errorLog := log.New(io.Discard, "", 0)
	if s.cfg.Logger != nil {
		errorLog = slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn)
	}
	var handlers inflight
	srv := &http.Server{
		Handler:           handlers.wrap(s),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return withLifetime(base) },
		ErrorLog:          errorLog,
	}
	defer func() {
		// Whatever stopped serving, no handler outlives Serve: requests still running (after a
		// failed shutdown, or a listener error) are cancelled and waited for.
		cancel()
		_ = srv.Close()
		handlers.closeAndWait()
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("bwsim: serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, stop := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer stop()
	err := srv.Shutdown(shutdownCtx)
	if err != nil {
		cancel()
		_ = srv.Close()
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) && err == nil {
		err = serveErr
	}
	if err != nil {
		return fmt.Errorf("bwsim: shutdown: %w", err)
	}
	return nil
}

// ListenAndServe listens on the TCP address addr and calls Serve.
func (s *Simulator) ListenAndServe(ctx context.Context, addr string) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("bwsim: %w", err)
	}
	return s.Serve(ctx, ln)
}
