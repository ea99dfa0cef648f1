package bwsim

import (
	"context"
	"io"
	"log/slog"
	"time"
)

// Account is one simulated Bandwidth account and its inventory of telephone numbers.
type Account struct {
	// ID is the account id as it appears in URLs, for example "9900000".
	ID string
	// OwnedPrefixes makes the account own every number that starts with one of them (for example
	// "919555" owns 9195550000 through 9195559999).
	OwnedPrefixes []string
	// OwnedNumbers lists further owned 10-digit numbers.
	OwnedNumbers []string
	// NotInService lists owned numbers that are not in service: orders for them fail per number with
	// 5131. Numbers listed here are owned even when no prefix covers them.
	NotInService []string
	// AssignmentDisabled makes the account lack the number-assignment feature: every create is
	// refused with 400 and ResponseStatus 12752.
	AssignmentDisabled bool
}

// Config configures a Simulator. Start from [DefaultConfig] and change what a test needs; zero values
// of the optional fields mean the defaults documented on each field.
type Config struct {
	// Accounts are the simulated accounts. Requests for other account ids answer 403.
	Accounts []Account

	// Username and Password are the HTTP Basic credentials the Dashboard endpoints accept. An empty
	// Username disables Basic auth.
	Username, Password string
	// ClientID and ClientSecret are the OAuth 2.0 client credentials the token endpoint accepts. An
	// empty ClientID disables OAuth: the token endpoint answers 401 and Bearer tokens are refused.
	ClientID, ClientSecret string
	// TokenTTL is the lifetime of issued bearer tokens; zero means one hour. Tests use short lifetimes
	// to exercise refreshes. The token response's expires_in is in whole seconds, rounded up, so a
	// lifetime that is not a whole number of seconds is advertised longer than it is enforced and
	// clients meet 401s before they expect to.
	TokenTTL time.Duration

	// ProcessingPolls is how many GET-by-id requests of an order answer a non-final status before the
	// final one (see the package documentation). Zero makes orders final on creation, unless
	// ProcessingDelay holds them back.
	ProcessingPolls int
	// ProcessingDelay is the least time between an order's creation and its final status.
	ProcessingDelay time.Duration

	// Latency is added to every request before it is answered; a request whose context ends first is
	// abandoned. net/http notices a client that went away only once the request body has been read,
	// so a create whose client gives up during the latency is still handled: when its body had
	// arrived whole the order is created and its answer lost, like a server that kept working after
	// the client's timeout.
	Latency time.Duration
	// RateLimit is the number of Dashboard requests per second the simulator accepts (a token
	// bucket); excess requests answer 429 with an empty body and X-RateLimit-Reset. Zero means no
	// limit.
	RateLimit float64
	// RateBurst is the token bucket's size; zero means max(1, RateLimit).
	RateBurst int
	// ErrorRate is the fraction (0..1) of Dashboard requests answered 503 at random, for soak tests of
	// retry logic. Zero means none. The 503 comes before the request is handled: a create answered
	// so created no order (a client that looks the order up finds none and may resend it).
	ErrorRate float64

	// CreateDelay and CreateDelayMax make creates slow: a slow create waits a random time in
	// [CreateDelay, CreateDelayMax] (exactly CreateDelay when CreateDelayMax is zero or smaller)
	// after it was validated and before its order exists, then creates the order and answers.
	// Like a server that finishes its work, it creates the order at the end of the delay even when
	// its client timed out or disconnected meanwhile; the answer is then lost. See the package
	// documentation for how closing the server ends pending slow creates. Zero means no delay.
	CreateDelay, CreateDelayMax time.Duration
	// SlowCreateRate is the fraction (0..1) of creates that are slow when a create delay is set;
	// zero (or 1) means all of them.
	SlowCreateRate float64
	// CreateWait, when set, is called by each slow create in place of waiting out its delay d: the
	// order is created when it returns true, and the create is abandoned without an order (and
	// without an answer) when it returns false. ctx ends when the server stops (see the package
	// documentation); it does not end when the client leaves. Nil means waiting d or until ctx
	// ends. Tests use it to decide exactly when a slow create's order appears.
	CreateWait func(ctx context.Context, d time.Duration) bool
	// CreateLog, when set, receives one JSON line per order created — every order that exists,
	// whether its answer reached the client or not — written whole under a lock: {"at" (RFC 3339
	// with nanoseconds), "account_id", "order_id", "customer_order_id", "action",
	// "telephone_numbers"}, the fields of ReceivedOrder. A line is written before its order can be
	// read, so every order a client has seen is in the log. Write errors are logged to Logger, if
	// set, and otherwise ignored.
	CreateLog io.Writer

	// InvalidActionCode is the ErrorCode of an invalid Action; zero means 13554, the code of the
	// endpoint's documented example (Bandwidth's catalogue lists the same text under 5129).
	InvalidActionCode int
	// MaxOrders caps the orders one list response carries; zero means 1000.
	MaxOrders int
	// MaxRequestBytes caps a create request's body; larger bodies answer 413. Zero means 2 MiB.
	MaxRequestBytes int64
	// MaxStoredOrders bounds memory in long runs: beyond it the oldest orders are forgotten (GET
	// answers 404, lists and Received omit them). Zero means no bound; an order of 5,000 numbers
	// takes about 75 KB.
	MaxStoredOrders int

	// Now is the simulator's clock; nil means time.Now.
	Now func() time.Time
	// Logger, when set, receives one line per request (method, path, status, duration), and a
	// "slow create started" line (customer_order_id, delay) when a slow create begins its delay.
	Logger *slog.Logger
}

// Defaults of optional Config fields.
const (
	// DefaultAccountID is the account of [DefaultConfig].
	DefaultAccountID = "9900000"
	// DefaultTokenTTL is the lifetime of issued tokens when Config.TokenTTL is zero.
	DefaultTokenTTL = time.Hour
	// DefaultInvalidActionCode is the ErrorCode of an invalid Action when Config.InvalidActionCode is
	// zero.
	DefaultInvalidActionCode = 13554
	// DefaultMaxOrders is the list cap when Config.MaxOrders is zero.
	DefaultMaxOrders = 1000
	// DefaultMaxRequestBytes is the request body cap when Config.MaxRequestBytes is zero.
	DefaultMaxRequestBytes = 2 << 20
	// MaxNumbersPerOrder is the most telephone numbers one order may carry.
	MaxNumbersPerOrder = 5000
	// Realm is the realm named in WWW-Authenticate challenges.
	Realm = "bwsim"
)

// DefaultOwnedPrefixes are the prefixes the default account owns.
func DefaultOwnedPrefixes() []string { return []string{"919555", "415871", "435215"} }

// DefaultConfig returns the documented defaults: account 9900000 owning every number that starts
// with 919555, 415871 or 435215; Basic credentials demo/demo; OAuth client demo/demo; one-hour tokens;
// orders that answer PROCESSING to one GET before their final status; no latency, rate limit or faults.
func DefaultConfig() Config {
	return Config{
		Accounts:        []Account{{ID: DefaultAccountID, OwnedPrefixes: DefaultOwnedPrefixes()}},
		Username:        "demo",
		Password:        "demo",
		ClientID:        "demo",
		ClientSecret:    "demo",
		TokenTTL:        DefaultTokenTTL,
		ProcessingPolls: 1,
	}
}

// withDefaults fills the zero optional fields.
func (c Config) withDefaults() Config {
	if c.TokenTTL <= 0 {
		c.TokenTTL = DefaultTokenTTL
	}
	if c.InvalidActionCode == 0 {
		c.InvalidActionCode = DefaultInvalidActionCode
	}
	if c.MaxOrders <= 0 {
		c.MaxOrders = DefaultMaxOrders
	}
	if c.MaxRequestBytes <= 0 {
		c.MaxRequestBytes = DefaultMaxRequestBytes
	}
	if c.ProcessingPolls < 0 {
		c.ProcessingPolls = 0
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.CreateDelay = max(c.CreateDelay, 0)
	c.CreateDelayMax = max(c.CreateDelayMax, c.CreateDelay)
	c.SlowCreateRate = min(max(c.SlowCreateRate, 0), 1)
	return c
}
