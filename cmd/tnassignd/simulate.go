package main

import (
	"log/slog"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/config"
)

// simulator is the in-process Bandwidth simulator --simulate runs, and how
// the client reaches it.
type simulator struct {
	baseURL string
	auth    bandwidth.Authenticator
	close   func()
}

// startSimulator serves bwsim on a loopback port. Every allowed account is
// simulated with the default owned prefixes; the client authenticates with
// the simulator's demo OAuth client. Credentials in the environment are not
// used.
func startSimulator(cfg config.Config, log *slog.Logger) simulator {
	simCfg := bwsim.DefaultConfig()
	var template bwsim.Account
	if len(simCfg.Accounts) > 0 {
		template = simCfg.Accounts[0]
	}
	simCfg.Accounts = simCfg.Accounts[:0]
	for _, id := range cfg.Accounts {
		a := template
		a.ID = id
		simCfg.Accounts = append(simCfg.Accounts, a)
	}
	srv := bwsim.NewServer(simCfg)
	log.Warn("SIMULATION MODE: Bandwidth is simulated in process; no real number is touched and nothing is sent to Bandwidth",
		"simulator_url", srv.URL,
		"accounts", cfg.Accounts,
		"owned_prefixes", template.OwnedPrefixes,
	)
	if cfg.IgnoredCredentials {
		log.Warn("Bandwidth credentials in the environment are ignored with --simulate")
	}
	return simulator{
		baseURL: srv.URL,
		auth: bandwidth.NewOAuth2(bandwidth.OAuth2Config{
			ClientID:     simCfg.ClientID,
			ClientSecret: simCfg.ClientSecret,
			TokenURL:     srv.TokenURL,
		}),
		close: srv.Close,
	}
}
