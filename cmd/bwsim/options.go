package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// options are bwsim's settings from flags and the environment.
type options struct {
	addr              string
	account           string
	ownedPrefixes     string
	ownedNumbers      string
	notInService      string
	username          string
	password          string
	clientID          string
	clientSecret      string
	tokenTTL          time.Duration
	processingPolls   int
	processingDelay   time.Duration
	latency           time.Duration
	rateLimit         float64
	rateBurst         int
	errorRate         float64
	createDelay       time.Duration
	createDelayMax    time.Duration
	slowCreateRate    float64
	createLog         string
	invalidActionCode int
	maxStoredOrders   int
	logRequests       bool
}

// envName is the environment variable that sets flag name.
func envName(name string) string {
	return "BWSIM_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// parseOptions reads the environment, then the command line, which wins. It returns flag.ErrHelp
// when help was asked for (after writing usage to usage).
func parseOptions(args []string, lookupEnv func(string) (string, bool), usage io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("bwsim", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8089", "TCP address to listen on")
	fs.StringVar(&o.account, "account", bwsim.DefaultAccountID, "the simulated account's id")
	fs.StringVar(&o.ownedPrefixes, "owned-prefixes", strings.Join(bwsim.DefaultOwnedPrefixes(), ","), "comma-separated number prefixes the account owns")
	fs.StringVar(&o.ownedNumbers, "owned-numbers", "", "comma-separated further numbers the account owns")
	fs.StringVar(&o.notInService, "not-in-service", "", "comma-separated owned numbers that are not in service (per-number error 5131)")
	fs.StringVar(&o.username, "username", "demo", "HTTP Basic username (empty disables Basic auth)")
	fs.StringVar(&o.password, "password", "demo", "HTTP Basic password")
	fs.StringVar(&o.clientID, "client-id", "demo", "OAuth client id (empty disables OAuth)")
	fs.StringVar(&o.clientSecret, "client-secret", "demo", "OAuth client secret")
	fs.DurationVar(&o.tokenTTL, "token-ttl", bwsim.DefaultTokenTTL, "lifetime of issued bearer tokens")
	fs.IntVar(&o.processingPolls, "processing-polls", 0, "GETs of an order that answer PROCESSING before its final status")
	fs.DurationVar(&o.processingDelay, "processing-delay", 0, "least time from an order's creation to its final status")
	fs.DurationVar(&o.latency, "latency", 0, "delay added to every request")
	fs.Float64Var(&o.rateLimit, "rate-limit", 0, "Dashboard requests per second before 429s (0: no limit)")
	fs.IntVar(&o.rateBurst, "rate-burst", 0, "rate limit burst (0: the rate, at least 1)")
	fs.Float64Var(&o.errorRate, "error-rate", 0, "fraction of Dashboard requests answered 503 at random, before any order is created (0..1)")
	fs.DurationVar(&o.createDelay, "create-delay", 0, "least time a slow create takes before its order exists; the order is created even if the client has gone")
	fs.DurationVar(&o.createDelayMax, "create-delay-max", 0, "most time a slow create takes, drawn at random from [create-delay, create-delay-max] (0: exactly create-delay)")
	fs.Float64Var(&o.slowCreateRate, "slow-create-rate", 0, "fraction of creates that are slow when a create delay is set (0..1; 0: all)")
	fs.StringVar(&o.createLog, "create-log", "", "append one JSON line per order created to `FILE` (at, account_id, order_id, customer_order_id, action, telephone_numbers)")
	fs.IntVar(&o.invalidActionCode, "invalid-action-code", bwsim.DefaultInvalidActionCode, "ErrorCode for an invalid Action (13554 as documented, or 5129)")
	fs.IntVar(&o.maxStoredOrders, "max-stored-orders", 10000, "orders kept before the oldest are forgotten (0: all)")
	fs.BoolVar(&o.logRequests, "log-requests", true, "log one line per request")

	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if v, ok := lookupEnv(envName(f.Name)); ok && envErr == nil {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("invalid value %q for %s: %v", v, envName(f.Name), err)
			}
		}
	})
	if envErr != nil {
		return options{}, envErr
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(usage)
			fmt.Fprintln(usage, "Usage: bwsim [flags]   (each flag also as BWSIM_<FLAG> in the environment)")
			fs.PrintDefaults()
		}
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, o.validate()
}

// validate checks values a flag type cannot.
func (o options) validate() error {
	switch {
	case o.account == "":
		return errors.New("--account must not be empty")
	case o.processingPolls < 0:
		return errors.New("--processing-polls must not be negative")
	case o.processingDelay < 0, o.latency < 0, o.tokenTTL < 0, o.createDelay < 0, o.createDelayMax < 0:
		return errors.New("durations must not be negative")
	case o.createDelayMax != 0 && o.createDelayMax < o.createDelay:
		return errors.New("--create-delay-max must be 0 or at least --create-delay")
	case !(o.slowCreateRate >= 0 && o.slowCreateRate <= 1):
		return errors.New("--slow-create-rate must be between 0 and 1")
	case o.slowCreateRate > 0 && o.createDelay == 0 && o.createDelayMax == 0:
		return errors.New("--slow-create-rate needs --create-delay or --create-delay-max")
	case o.createLog == "-":
		return errors.New("--create-log needs a file name; standard output is not supported")
	case o.maxStoredOrders < 0:
		return errors.New("--max-stored-orders must not be negative")
	case o.rateLimit < 0 || o.rateBurst < 0:
		return errors.New("--rate-limit and --rate-burst must not be negative")
	case !(o.errorRate >= 0 && o.errorRate <= 1):
		return errors.New("--error-rate must be between 0 and 1")
	}
	for _, p := range splitList(o.ownedPrefixes) {
		if len(p) > 10 || strings.Trim(p, "0123456789") != "" {
			return fmt.Errorf("--owned-prefixes: %q is not a prefix of digits", p)
		}
	}
	return nil
}

// config turns the options into the simulator's configuration; the caller opens --create-log and
// sets Config.CreateLog.
func (o options) config() bwsim.Config {
	return bwsim.Config{
		Accounts: []bwsim.Account{{
			ID:            o.account,
			OwnedPrefixes: splitList(o.ownedPrefixes),
			OwnedNumbers:  splitList(o.ownedNumbers),
			NotInService:  splitList(o.notInService),
		}},
		Username:          o.username,
		Password:          o.password,
		ClientID:          o.clientID,
		ClientSecret:      o.clientSecret,
		TokenTTL:          o.tokenTTL,
		ProcessingPolls:   o.processingPolls,
		ProcessingDelay:   o.processingDelay,
		Latency:           o.latency,
		RateLimit:         o.rateLimit,
		RateBurst:         o.rateBurst,
		ErrorRate:         o.errorRate,
		CreateDelay:       o.createDelay,
		CreateDelayMax:    o.createDelayMax,
		SlowCreateRate:    o.slowCreateRate,
		InvalidActionCode: o.invalidActionCode,
		MaxStoredOrders:   o.maxStoredOrders,
	}
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
