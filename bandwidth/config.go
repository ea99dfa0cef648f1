package bandwidth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the Dashboard API base URL of Bandwidth's production environment.
const DefaultBaseURL = "https://dashboard.bandwidth.com/api"

// Defaults applied to zero Config fields.
const (
	DefaultRequestTimeout   = 30 * time.Second
	DefaultMaxResponseBytes = 8 << 20
)

// Config configures a Client. Zero fields take the documented defaults.
type Config struct {
	// BaseURL is the Dashboard API root the account paths are appended to, such as
	// https://dashboard.bandwidth.com/api, …/api/v1 or …/v1.0; a trailing slash is ignored. It
	// must be an absolute http(s) URL without credentials, query or fragment. Empty means
	// DefaultBaseURL.
	BaseURL string
	// Auth adds credentials to every request; required.
	Auth Authenticator
	// HTTPClient sends requests; nil means a client with its own connection pool that does not
	// follow redirects (credentials are not sent to a place Bandwidth points at).
	HTTPClient *http.Client
	// RequestTimeout bounds each HTTP request, reading its response included; zero means 30 s.
	RequestTimeout time.Duration
	// MaxResponseBytes caps a response body; a larger one is an error, never a truncated parse.
	// Zero means 8 MiB.
	MaxResponseBytes int64
	// Retry bounds the retries of throttled and failed requests.
	Retry RetryPolicy
	// Poll paces AwaitOrder.
	Poll PollPolicy
	// Limiter, when set, is waited on before every request to the Dashboard API — creates, reads,
	// lists, and every retry and replay of them — but not before token requests. Bandwidth's rate
	// limits count all of an account's requests, so pacing creations alone lets polls and retries
	// draw 429s. NewAccountLimiter returns a token bucket per account. Nil means no pacing.
	Limiter Limiter
	// Observer receives request and retry events for metrics; nil means none.
	Observer Observer
	// Logger receives retry and recovery events at debug and warn level; nil discards them.
	Logger *slog.Logger
}

// RetryPolicy bounds retries. Zero fields take the defaults shown.
type RetryPolicy struct {
	// MaxAttempts is how many times one request is sent at most, the first time included
	// (default 5). Sends answered 429 are not counted: throttling is bounded by MaxElapsed and
	// MaxRateLimitWait, so that a busy account slows down instead of failing. Nor is a replay
	// after a token refresh on 401.
	MaxAttempts int
	// MaxElapsed is how long one operation keeps retrying, waits included, time queued in
	// Config.Limiter excluded (default 2 min).
	MaxElapsed time.Duration
	// BaseDelay is the first backoff delay (default 500 ms); each retry doubles it, up to
	// MaxDelay (default 30 s), and a random jitter spreads clients apart.
	BaseDelay, MaxDelay time.Duration
	// MaxRateLimitWait caps a wait for X-RateLimit-Reset (default 60 s), so that a clock skew or
	// a malformed header cannot park a request for hours.
	MaxRateLimitWait time.Duration
	// CreateLookupWindow is how long after a create attempt whose outcome is unknown has ended —
	// when Bandwidth answered it, or at the latest its start + RequestTimeout — the client keeps
	// looking for the order by its CustomerOrderId before it concludes that Bandwidth did not
	// create it and sends it again (default 15 s; see CreateOrder for the rule). A just-created
	// order can take a moment to show up in searches, and a create that timed out on our side
	// may still be finishing on Bandwidth's; a longer window trades latency for a smaller risk of
	// a duplicate order.
	CreateLookupWindow time.Duration
}

// PollPolicy paces AwaitOrder. Zero fields take the defaults shown.
type PollPolicy struct {
	// Initial is the delay before the first poll (default 2 s); each poll doubles the delay
	// before the next, up to Max (default 30 s), with jitter. Set it near the time Bandwidth
	// usually takes to finish an order: every poll that comes too early is a wasted request.
	Initial, Max time.Duration
	// NotFoundGrace is how long a 404 is taken to mean "not visible yet" rather than "does not
	// exist", counted from AwaitOrder's first poll and only until the order was seen once
	// (default 30 s).
	NotFoundGrace time.Duration
}

// Observer receives events for metrics. Its methods are called synchronously on the request path,
// so they must be cheap, and safe for concurrent use.
type Observer interface {
	// ObserveRequest reports one HTTP exchange with Bandwidth: op as in APIError.Op, the HTTP
	// status (0 for a transport error) and how long it took, the response body included.
	ObserveRequest(op string, httpStatus int, d time.Duration)
	// ObserveRetry reports a decision to try again: reason is "429", "5xx", "transport",
	// "not_found" (a 404 within the grace), "bad_response" or "unauthorized" (a replay after a
	// token refresh).
	ObserveRetry(op string, reason string)
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.MaxElapsed <= 0 {
		p.MaxElapsed = 2 * time.Minute
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRateLimitWait <= 0 {
		p.MaxRateLimitWait = time.Minute
	}
	if p.CreateLookupWindow <= 0 {
		p.CreateLookupWindow = 15 * time.Second
	}
	return p
}

func (p PollPolicy) withDefaults() PollPolicy {
	if p.Initial <= 0 {
		p.Initial = 2 * time.Second
	}
	if p.Max <= 0 {
		p.Max = 30 * time.Second
	}
	if p.Max < p.Initial {
		p.Max = p.Initial
	}
	if p.NotFoundGrace <= 0 {
		p.NotFoundGrace = 30 * time.Second
	}
	return p
}

// parseBaseURL checks a base URL and returns it without a trailing slash.
func parseBaseURL(raw string) (*url.URL, error) {
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("bandwidth: BaseURL is not a URL")
	case u.User != nil:
		return nil, errors.New("bandwidth: BaseURL must not contain credentials; set Config.Auth")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("bandwidth: BaseURL scheme must be http or https, not %q", u.Scheme)
	case u.Host == "":
		return nil, errors.New("bandwidth: BaseURL has no host")
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, errors.New("bandwidth: BaseURL must not have a query or fragment")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// defaultHTTPClient is the client used when none is configured: a private connection pool and no
// redirects. Timeouts come from per-request contexts.
func defaultHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 16
	return &http.Client{
		Transport: t,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type nopObserver struct{}

func (nopObserver) ObserveRequest(string, int, time.Duration) {}
func (nopObserver) ObserveRetry(string, string)               {}
