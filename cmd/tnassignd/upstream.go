package main

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/config"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
	"github.com/tnassign/tnassign/service"
)

// Compile-time checks that the metrics observe both layers.
var (
	_ bandwidth.Observer = (*server.Metrics)(nil)
	_ service.Observer   = (*server.Metrics)(nil)
	_ service.Upstream   = (*bandwidth.Client)(nil)
	_ server.Service     = (*service.Service)(nil)
)

// newUpstream builds the Bandwidth client: against the in-process
// simulator with --simulate, else against --bandwidth-url with the
// credentials from the environment. The returned func releases it.
func newUpstream(cfg config.Config, obs bandwidth.Observer, log *slog.Logger) (*bandwidth.Client, func(), error) {
	baseURL, auth, closeSim := cfg.BandwidthURL, bandwidth.Authenticator(nil), func() {}
	if cfg.Simulate {
		sim := startSimulator(cfg, log)
		baseURL, auth, closeSim = sim.baseURL, sim.auth, sim.close
	} else {
		auth = authenticator(cfg, log)
	}
	var limiter bandwidth.Limiter
	if cfg.RateLimit > 0 {
		// --rate-limit paces every request to Bandwidth (creates, polls, lookups, retries), as
		// Bandwidth counts them all; the service does not pace creations on top of it.
		limiter = bandwidth.NewAccountLimiter(cfg.RateLimit, 0)
	}
	c, err := bandwidth.New(bandwidth.Config{
		BaseURL:        baseURL,
		Auth:           auth,
		RequestTimeout: cfg.BandwidthTimeout,
		Poll:           bandwidth.PollPolicy{Initial: cfg.PollInterval, Max: max(cfg.PollInterval, maxPollInterval)},
		Limiter:        limiter,
		Observer:       obs,
		Logger:         log.With("component", "bandwidth"),
	})
	if err != nil {
		closeSim()
		return nil, nil, fmt.Errorf("bandwidth client: %w", err)
	}
	// Which Bandwidth this process talks to, and how: a wrong URL shows here first.
	log.Info("calling Bandwidth", "base_url", baseURL, "auth", authMethod(cfg), "simulated", cfg.Simulate,
		"request_timeout", cfg.BandwidthTimeout.String())
	return c, closeSim, nil
}

// authMethod names how tnassignd authenticates at Bandwidth, for the log.
func authMethod(cfg config.Config) string {
	switch {
	case cfg.Simulate:
		return "simulator"
	case cfg.Credentials.Method == config.AuthOAuth:
		return "oauth2 client credentials"
	default:
		return "basic (legacy)"
	}
}

// maxPollInterval caps the poll backoff unless --poll-interval is larger.
const maxPollInterval = 30 * time.Second

// authenticator picks OAuth2 client credentials when set, else legacy
// Basic auth.
func authenticator(cfg config.Config, log *slog.Logger) bandwidth.Authenticator {
	creds := cfg.Credentials
	switch creds.Method {
	case config.AuthOAuth:
		if creds.BasicIgnored {
			log.Warn("both OAuth client credentials and Basic credentials are set; using OAuth",
				"ignored", []string{config.EnvUsername, config.EnvPassword})
		}
		log.Info("authenticating at Bandwidth", "auth", creds, "token_url", cfg.BandwidthTokenURL)
		return bandwidth.NewOAuth2(bandwidth.OAuth2Config{
			ClientID:     creds.ClientID,
			ClientSecret: creds.ClientSecret.Reveal(),
			TokenURL:     cfg.BandwidthTokenURL,
		})
	default:
		log.Warn("authenticating at Bandwidth with legacy Basic auth; Bandwidth retires Basic-auth API users on 2026-12-02: "+
			"set "+config.EnvClientID+" and "+config.EnvClientSecret+" instead", "auth", creds)
		return bandwidth.BasicAuth(creds.Username, creds.Password.Reveal())
	}
}
