package bandwidth

// Not golang.org/x/oauth2/clientcredentials (v0.38.0, evaluated): it rejects a fractional expires_in,
// reads 1 MiB, accepts any token_type or token text, and quotes error_description (the client id) in
// errors; ReuseTokenSource refreshes only once expired, under a lock without the caller's context, and
// cannot drop a token refused with 401 but by a new source, losing the shared fetch. So these would fail:
// TestOAuth2{RefreshesAheadOfExpiry,ExpiredTokenIsReplaced,TokenEndpointFailures}, TestUnauthorizedRefreshAndReplay.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultTokenURL is Bandwidth's OAuth2 token endpoint.
const DefaultTokenURL = "https://api.bandwidth.com/api/v1/oauth2/token"

const (
	defaultRefreshBefore = time.Minute
	defaultTokenTimeout  = 30 * time.Second
	// defaultTokenLifetime is assumed when the token response has no usable expires_in, as
	// Bandwidth's own tools do; a token that dies sooner is caught by the refresh on 401.
	defaultTokenLifetime = time.Hour
	maxTokenLifetime     = 24 * time.Hour
	// softRefreshRetry spaces out attempts to refresh a still-valid token after a failed attempt.
	softRefreshRetry = 5 * time.Second
	// maxTokenResponseBytes caps the token endpoint's response body.
	maxTokenResponseBytes = 64 << 10
)

// OAuth2Config configures NewOAuth2. Its formatted and logged forms omit the client credentials.
type OAuth2Config struct {
	// ClientID and ClientSecret are the OAuth2 client credentials of a Bandwidth API client.
	ClientID, ClientSecret string
	// TokenURL is the token endpoint; empty means DefaultTokenURL.
	TokenURL string
	// HTTPClient sends token requests; nil means a default client that follows no redirects.
	HTTPClient *http.Client
	// RefreshBefore is how long before expiry a token is refreshed (in the background, while it
	// still serves requests); zero means one minute. It is capped at half the token's lifetime.
	RefreshBefore time.Duration
	// Timeout bounds one token request; zero means 30 seconds.
	Timeout time.Duration
}

// String describes the configuration without its credentials.
func (c OAuth2Config) String() string {
	return fmt.Sprintf("bandwidth.OAuth2Config{ClientID: %s, ClientSecret: %s, TokenURL: %q}", redacted, redacted, c.TokenURL)
}

// GoString is like String, so that %#v hides the credentials too.
func (c OAuth2Config) GoString() string { return c.String() }

// LogValue describes the configuration to log/slog without its credentials.
func (c OAuth2Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token_url", c.TokenURL), slog.String("client_id", redacted))
}

// oauth2Auth is the OAuth2 client-credentials Authenticator. Its token is cached and shared by all
// requests; concurrent callers that need a new token wait for one shared fetch.
type oauth2Auth struct {
	clientID, clientSecret string
	tokenURL               string
	client                 *http.Client
	refreshBefore, timeout time.Duration
	configErr              error

	mu        sync.Mutex
	token     string
	expiry    time.Time // the token is not used from this instant on
	refreshAt time.Time // a background refresh starts from this instant on
	inflight  *tokenFetch
}

// tokenFetch is one token request that any number of callers wait for. token and err are written
// before done is closed.
type tokenFetch struct {
	done  chan struct{}
	token string
	err   error
}

// NewOAuth2 returns an Authenticator that obtains tokens with the OAuth2 client-credentials grant:
// a form POST of grant_type=client_credentials, the client authenticated with HTTP Basic. Tokens
// are cached, refreshed ahead of expiry, and fetched once for all concurrent callers. A bad
// configuration (missing credentials, unusable TokenURL) is reported by every Authorize.
func NewOAuth2(cfg OAuth2Config) Authenticator {
	a := &oauth2Auth{
		clientID:      cfg.ClientID,
		clientSecret:  cfg.ClientSecret,
		tokenURL:      cfg.TokenURL,
		client:        cfg.HTTPClient,
		refreshBefore: cfg.RefreshBefore,
		timeout:       cfg.Timeout,
	}
	if a.tokenURL == "" {
		a.tokenURL = DefaultTokenURL
	}
	if a.client == nil {
		a.client = defaultHTTPClient()
	}
	if a.refreshBefore <= 0 {
		a.refreshBefore = defaultRefreshBefore
	}
	if a.timeout <= 0 {
		a.timeout = defaultTokenTimeout
	}
	switch u, err := url.Parse(a.tokenURL); {
	case cfg.ClientID == "" || cfg.ClientSecret == "":
		a.configErr = errors.New("bandwidth: OAuth2 client ID and secret are required")
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		a.configErr = errors.New("bandwidth: OAuth2 token URL must be an absolute http(s) URL")
	case u.User != nil:
		a.tokenURL = "" // never echo it
		a.configErr = errors.New("bandwidth: OAuth2 token URL must not contain credentials")
	}
	return a
}

// Authorize sets a Bearer Authorization header, waiting for a token only when none is valid.
func (a *oauth2Auth) Authorize(ctx context.Context, req *http.Request) error {
	if a.configErr != nil {
		return a.configErr
	}
	tok, err := a.currentToken(ctx)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	return nil
}

// Invalidate discards the cached token.
func (a *oauth2Auth) Invalidate() {
	a.mu.Lock()
	a.token = ""
	a.mu.Unlock()
}

// invalidateFor discards the cached token only if req carried it: a request refused with a token
// that was already replaced must not throw away its fresh successor.
func (a *oauth2Auth) invalidateFor(req *http.Request) {
	a.mu.Lock()
	if a.token != "" && req.Header.Get("Authorization") == "Bearer "+a.token {
		a.token = ""
	}
	a.mu.Unlock()
}

func (a *oauth2Auth) currentToken(ctx context.Context) (string, error) {
	a.mu.Lock()
	now := time.Now()
	if a.token != "" && now.Before(a.expiry) {
		tok := a.token
		if !now.Before(a.refreshAt) {
			a.startFetchLocked(ctx)
		}
		a.mu.Unlock()
		return tok, nil
	}
	f := a.startFetchLocked(ctx)
	a.mu.Unlock()
	select {
	case <-f.done:
		return f.token, f.err
	case <-ctx.Done():
		return "", fmt.Errorf("bandwidth: waiting for an OAuth2 token: %w", ctx.Err())
	}
}

// startFetchLocked returns the fetch in flight, starting one if there is none. The fetch runs on
// its own goroutine, detached from the cancellation of the caller that happened to start it, so
// that one impatient caller cannot fail the fetch for everyone waiting on it; it ends within the
// token timeout. a.mu must be held.
func (a *oauth2Auth) startFetchLocked(ctx context.Context) *tokenFetch {
	if a.inflight != nil {
		return a.inflight
	}
	f := &tokenFetch{done: make(chan struct{})}
	a.inflight = f
	go a.run(context.WithoutCancel(ctx), f)
	return f
}

func (a *oauth2Auth) run(ctx context.Context, f *tokenFetch) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	start := time.Now()
	tok, lifetime, err := a.fetch(ctx)

	a.mu.Lock()
	a.inflight = nil
	if err == nil {
		a.token = tok
		a.expiry = start.Add(lifetime)
		a.refreshAt = a.expiry.Add(-min(a.refreshBefore, lifetime/2))
	} else if a.token != "" {
		// The current token is still valid: try again a little later, not on every request.
		if a.refreshAt = time.Now().Add(softRefreshRetry); a.refreshAt.After(a.expiry) {
			a.refreshAt = a.expiry
		}
	}
	f.token, f.err = tok, err
	a.mu.Unlock()
	close(f.done)
}

// tokenResponse is the token endpoint's JSON answer (RFC 6749 §5.1 and §5.2).
type tokenResponse struct {
	AccessToken string          `json:"access_token"`
	TokenType   string          `json:"token_type"`
	ExpiresIn   json.RawMessage `json:"expires_in"`
	Error       string          `json:"error"`
}

// fetch requests a token. Its errors never contain the credentials or the token.
func (a *oauth2Auth) fetch(ctx context.Context) (string, time.Duration, error) {
	const op = "fetch token"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.tokenURL, strings.NewReader("grant_type=client_credentials"))
	if err != nil {
		return "", 0, errors.New("bandwidth: fetch token: cannot build the request")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// Bandwidth's own clients send the id and secret as they are, not form-encoded.
	req.SetBasicAuth(a.clientID, a.clientSecret)
	resp, err := a.client.Do(req)
	if err != nil {
		return "", 0, fmt.Errorf("bandwidth: fetch token: %w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponseBytes+1))
	if err != nil {
		// A cut connection is a transport failure like any other: worth retrying.
		return "", 0, fmt.Errorf("bandwidth: fetch token: %w: reading the response: %w", ErrUnavailable, err)
	}
	if len(body) > maxTokenResponseBytes {
		return "", 0, fmt.Errorf("bandwidth: fetch token: %w: %w", ErrBadResponse, ErrResponseTooLarge)
	}
	var tr tokenResponse
	jsonErr := json.Unmarshal(body, &tr)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &APIError{HTTPStatus: resp.StatusCode, Op: op, Retryable: resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500}
		ae.Description = http.StatusText(resp.StatusCode)
		if jsonErr == nil && isOAuthErrorCode(tr.Error) {
			ae.Description = tr.Error
		}
		if !ae.Retryable && resp.StatusCode >= 400 && resp.StatusCode < 500 {
			// The token endpoint refused the client: the credentials or their grant are wrong.
			return "", 0, fmt.Errorf("%w: %w", ErrUnauthorized, ae)
		}
		return "", 0, ae
	}
	if jsonErr != nil {
		return "", 0, badResponse(op, errors.New("token response is not JSON"))
	}
	if tr.AccessToken == "" || !validToken(tr.AccessToken) {
		return "", 0, badResponse(op, errors.New("token response has no usable access_token"))
	}
	if tr.TokenType != "" && !strings.EqualFold(tr.TokenType, "bearer") {
		return "", 0, badResponse(op, fmt.Errorf("token type %q is not bearer", sanitize(tr.TokenType, 20)))
	}
	return tr.AccessToken, tokenLifetime(tr.ExpiresIn), nil
}

// tokenLifetime reads expires_in, a number of seconds that some servers send as a string.
func tokenLifetime(raw json.RawMessage) time.Duration {
	s := string(bytes.Trim(bytes.TrimSpace(raw), `"`))
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || secs <= 0 || secs != secs {
		return defaultTokenLifetime
	}
	if secs > maxTokenLifetime.Seconds() {
		return maxTokenLifetime
	}
	return time.Duration(secs * float64(time.Second))
}

// validToken reports whether tok can be sent in a header: visible ASCII only.
func validToken(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] <= ' ' || tok[i] >= 0x7f {
			return false
		}
	}
	return true
}

// isOAuthErrorCode reports whether s looks like an RFC 6749 error code (safe to show).
func isOAuthErrorCode(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '_' && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// String describes the authenticator without its credentials or token.
func (a *oauth2Auth) String() string {
	return fmt.Sprintf("bandwidth.OAuth2{ClientID: %s, ClientSecret: %s, TokenURL: %q}", redacted, redacted, a.tokenURL)
}

// GoString is like String, so that %#v hides the credentials too.
func (a *oauth2Auth) GoString() string { return a.String() }

// LogValue describes the authenticator to log/slog without its credentials or token.
func (a *oauth2Auth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", "oauth2"), slog.String("token_url", a.tokenURL), slog.String("client_id", redacted))
}
