package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/config"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
)

// security is the TLS material and the bearer tokens tnassignd serves with.
type security struct {
	cfg    server.Security
	tls    *server.TLS       // nil without TLS
	tokens *guard.TokenStore // nil without authentication
}

// loadSecurity reads the TLS files and the tokens file. Its errors are
// configuration errors: one line naming the file, never key material.
func loadSecurity(cfg server.Security) (*security, error) {
	s := &security{cfg: cfg}
	if cfg.TLS() {
		t, err := server.LoadTLS(cfg.TLSFiles)
		if err != nil {
			return nil, err
		}
		s.tls = t
	}
	if cfg.AuthTokensFile != "" {
		ts, err := guard.OpenTokenStore(cfg.AuthTokensFile)
		if err != nil {
			return nil, err
		}
		s.tokens = ts
	}
	return s, nil
}

// logStart logs how callers are authenticated and warns about risky setups.
// It names files and counts, never a token or key.
func (s *security) logStart(log *slog.Logger, grpcAddr, httpAddr string) {
	tokens := 0
	if s.tokens != nil {
		tokens = s.tokens.Tokens().Len()
	}
	log.Info("security",
		"tls", s.tls != nil, "mutual_tls", s.cfg.TLSFiles.ClientCA != "",
		"auth_tokens_file", s.cfg.AuthTokensFile, "tokens", tokens,
		"max_body_bytes", s.cfg.MaxBodyBytes, "max_numbers_per_job", s.cfg.MaxNumbersPerJob,
		"max_jobs_per_caller", s.cfg.MaxJobsPerCaller, "max_watches_per_caller", s.cfg.MaxWatchesPerCaller, "max_gateway_streams", s.cfg.MaxGatewayStreams, "trusted_proxies", fmt.Sprint(s.cfg.TrustedProxies))
	public := !config.IsLoopback(grpcAddr) || !config.IsLoopback(httpAddr)
	switch {
	case public && !s.cfg.Authenticated():
		log.Warn("INSECURE: listening beyond loopback without caller authentication (--insecure-allow-public): anyone who reaches the ports can assign and unassign numbers")
	case public && s.tls == nil:
		log.Warn("listening beyond loopback without TLS: bearer tokens cross the network in clear text unless something in front encrypts them")
	case s.tokens == nil && s.cfg.TLSFiles.ClientCA == "":
		log.Info("caller authentication is off: loopback listeners only")
	}
}

// reloadOnHangup re-reads the tokens file and the TLS files on every SIGHUP
// until ctx ends; the returned func waits for it to stop. A reload that fails
// is logged and keeps what is in force.
func (s *security) reloadOnHangup(ctx context.Context, log *slog.Logger) (wait func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				s.reload(log)
			}
		}
	})
	return wg.Wait
}

// reload re-reads what SIGHUP re-reads.
func (s *security) reload(log *slog.Logger) {
	if s.tokens != nil {
		if n, err := s.tokens.Reload(); err != nil {
			log.Error("SIGHUP: the tokens file could not be read; the tokens in force stay", "error", err.Error())
		} else {
			log.Info("SIGHUP: tokens reloaded", "auth_tokens_file", s.tokens.Path(), "tokens", n)
		}
	}
	if s.tls != nil {
		if err := s.tls.Reload(); err != nil {
			log.Error("SIGHUP: the TLS files could not be read; the certificates in force stay", "error", err.Error())
		} else {
			log.Info("SIGHUP: TLS certificates reloaded")
		}
	}
	if s.tokens == nil && s.tls == nil {
		log.Info("SIGHUP: nothing to reload (no --auth-tokens-file, no TLS)")
	}
}
