package bandwidth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Client calls Bandwidth's numbersAssignment endpoints. Create one with New; it is safe for
// concurrent use and holds no per-call state (only a pool of reusable buffers).
type Client struct {
	base    *url.URL
	auth    Authenticator
	http    *http.Client
	timeout time.Duration
	maxBody int64
	retry   RetryPolicy
	poll    PollPolicy
	limiter Limiter // nil: requests are not paced
	obs     Observer
	log     *slog.Logger
	bufs    bufferPool // response bodies
}

// New returns a Client configured by cfg, with defaults for its zero fields. It fails when BaseURL
// is unusable or Auth is missing.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if cfg.Auth == nil {
		return nil, errors.New("bandwidth: Config.Auth is required (NewOAuth2 or BasicAuth)")
	}
	if cfg.RequestTimeout < 0 || cfg.MaxResponseBytes < 0 {
		return nil, errors.New("bandwidth: RequestTimeout and MaxResponseBytes must not be negative")
	}
	c := &Client{
		base:    base,
		auth:    cfg.Auth,
		http:    cfg.HTTPClient,
		timeout: cfg.RequestTimeout,
		maxBody: cfg.MaxResponseBytes,
		retry:   cfg.Retry.withDefaults(),
		poll:    cfg.Poll.withDefaults(),
		limiter: cfg.Limiter,
		obs:     cfg.Observer,
		log:     cfg.Logger,
	}
	if c.http == nil {
		c.http = defaultHTTPClient()
	}
	if c.timeout == 0 {
		c.timeout = DefaultRequestTimeout
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxResponseBytes
	}
	if c.obs == nil {
		c.obs = nopObserver{}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// String describes the client by its base URL; it shows no credentials.
func (c *Client) String() string { return "bandwidth.Client{BaseURL: " + c.base.String() + "}" }

// GoString is like String, so that %#v shows no credentials either.
func (c *Client) GoString() string { return c.String() }

// LogValue describes the client to log/slog without credentials.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// RequestTimeout returns the bound of every HTTP request (Config.RequestTimeout, or its default):
// an attempt to create an order has ended on this side within RequestTimeout of its start.
func (c *Client) RequestTimeout() time.Duration { return c.timeout }

// CreateLookupWindow returns how long after an attempt to create an order has ended the client
// allows for the order to become visible to lookups (Config.Retry.CreateLookupWindow, or its
// default). See CreateOrder for the rule the two make.
func (c *Client) CreateLookupWindow() time.Duration { return c.retry.CreateLookupWindow }

// ordersURL returns the URL of an account's numbersAssignment collection, or of one of its orders
// when orderID is not empty, with the query q.
func (c *Client) ordersURL(accountID, orderID string, q url.Values) (string, error) {
	if err := checkPathSegment("account ID", accountID); err != nil {
		return "", err
	}
	u := *c.base
	u.Path += "/accounts/" + accountID + "/numbersAssignment"
	if u.RawPath != "" {
		u.RawPath += "/accounts/" + accountID + "/numbersAssignment"
	}
	if orderID != "" {
		if err := checkPathSegment("order ID", orderID); err != nil {
			return "", err
		}
		u.Path += "/" + orderID
		if u.RawPath != "" {
			u.RawPath += "/" + orderID
		}
	}
	// Spaces as %20 rather than +: every server decodes the former in a query; literal plus
	// signs are already escaped as %2B.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), nil
}

// checkPathSegment accepts the ids Bandwidth uses (digits, UUIDs) and anything else made of URL
// unreserved characters, which need no escaping and cannot change the path's meaning.
func checkPathSegment(what, s string) error {
	if s == "" || s == "." || s == ".." || len(s) > 128 {
		return &ValidationError{Field: what, Problem: "must be 1 to 128 URL-safe characters"}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return &ValidationError{Field: what, Problem: "may hold only letters, digits and - . _ ~"}
		}
	}
	return nil
}

// request is one logical HTTP request, which may be sent several times.
type request struct {
	op      string
	account string // the account the request is made for, as Limiter sees it
	method  string
	url     string
	body    []byte // nil for GET
	// collection reports that url is the account's order collection (create, list), which exists
	// for every account: a 404 for it means a wrong base URL or account (see misconfigured).
	collection bool
	// before, when set, is called immediately before each send with the per-request timeout; an
	// error stops the send (see AttemptFunc).
	before func(ctx context.Context, bound time.Duration) error
}

// reply is what came of sending a request once.
type reply struct {
	status int         // 0 when no response headers arrived
	header http.Header // nil when status is 0
	body   []byte      // the response body, in buf
	buf    *[]byte     // from Client.bufs, or nil; the caller releases it with Client.done
	// err is a failure to authorize, send, or read the whole response; status may still be set.
	err error
	// authErr reports that err came from the Authenticator: nothing was sent.
	authErr bool
	// limitErr reports that err came from Config.Limiter: nothing was sent.
	limitErr bool
	// hookErr reports that err came from request.before: nothing was sent.
	hookErr bool
	// queued is how long the request waited for Config.Limiter.
	queued time.Duration
	// sent reports that the request may have reached Bandwidth. It is false only when the
	// request was provably not (fully) written: no connection, or a failed write.
	sent bool
	// start is when the request was handed to the HTTP client; zero when it was not.
	start time.Time
	req   *http.Request
}

// send sends r once, and once more with fresh credentials if Bandwidth answers 401. Static Basic
// credentials are not replayed: the same password would be refused again, and repeated failed
// logins can lock an API user.
func (c *Client) send(ctx context.Context, r request) reply {
	rep := c.sendOnce(ctx, r)
	if _, static := c.auth.(*basicAuth); !static && rep.err == nil && rep.status == http.StatusUnauthorized {
		c.obs.ObserveRetry(r.op, "unauthorized")
		c.log.DebugContext(ctx, "bandwidth: 401, refreshing credentials and replaying", "op", r.op)
		invalidate(c.auth, rep.req)
		queued := rep.queued
		c.done(&rep)
		rep = c.sendOnce(ctx, r)
		rep.queued += queued
	}
	return rep
}

// sendOnce waits for the limiter, then performs one HTTP exchange under the per-request timeout,
// reading at most maxBody+1 bytes of the response. r.before is called after the request is
// authorized, immediately before it is handed to the HTTP client; the timeout has started by then,
// so the exchange ends within the bound r.before is given.
func (c *Client) sendOnce(ctx context.Context, r request) (rep reply) {
	if c.limiter != nil {
		start := time.Now()
		err := c.limiter.Wait(ctx, r.account)
		rep.queued = time.Since(start)
		if err != nil {
			rep.err, rep.limitErr = fmt.Errorf("bandwidth: %s: waiting for the request limiter: %w", r.op, err), true
			return rep
		}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url, body)
	if err != nil {
		rep.err = fmt.Errorf("bandwidth: %s: building the request: %w", r.op, err)
		return rep
	}
	rep.req = req
	req.Header.Set("Accept", "application/xml")
	if r.body != nil {
		req.Header.Set("Content-Type", "application/xml")
	}
	if err := c.auth.Authorize(ctx, req); err != nil {
		rep.err, rep.authErr = err, true
		return rep
	}
	if r.before != nil {
		if err := r.before(ctx, c.timeout); err != nil {
			rep.err, rep.hookErr = err, true
			return rep
		}
	}
	var gotConn, writeFailed atomic.Bool
	trace := &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
		WroteRequest: func(i httptrace.WroteRequestInfo) {
			if i.Err != nil {
				writeFailed.Store(true)
			}
		},
	}
	req = req.WithContext(httptrace.WithClientTrace(ctx, trace))
	start := time.Now()
	rep.start = start
	resp, err := c.http.Do(req)
	if err != nil {
		c.obs.ObserveRequest(r.op, 0, time.Since(start))
		rep.err = err
		rep.sent = gotConn.Load() && !writeFailed.Load()
		return rep
	}
	rep.status, rep.header, rep.sent = resp.StatusCode, resp.Header, true
	rep.buf, rep.err = c.bufs.readBody(resp, c.maxBody)
	if rep.err == nil {
		rep.body = *rep.buf
	}
	resp.Body.Close()
	c.obs.ObserveRequest(r.op, resp.StatusCode, time.Since(start))
	return rep
}

// done returns rep's buffer for reuse; rep.body must not be used afterwards.
func (c *Client) done(rep *reply) {
	c.bufs.put(rep.buf)
	rep.buf, rep.body = nil, nil
}

func isSuccess(status int) bool { return status >= 200 && status <= 299 }
