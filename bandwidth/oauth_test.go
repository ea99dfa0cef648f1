package bandwidth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testClientID     = "cid-SECRET-1"
	testClientSecret = "csecret-SECRET-2"
)

// tokenServer is a fake OAuth2 token endpoint issuing tok-SECRET-1, tok-SECRET-2, … .
type tokenServer struct {
	srv       *httptest.Server
	fetches   atomic.Int32
	delay     time.Duration
	expiresIn any // JSON value of expires_in
	respond   func(w http.ResponseWriter, n int) bool
	t         *testing.T
}

func newTokenServer(t *testing.T) *tokenServer {
	ts := &tokenServer{t: t, expiresIn: 3600}
	ts.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(ts.fetches.Add(1))
		id, secret, ok := r.BasicAuth()
		body, _ := io.ReadAll(r.Body)
		if r.Method != http.MethodPost || !ok || id != testClientID || secret != testClientSecret ||
			string(body) != "grant_type=client_credentials" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client","error_description":"client `+id+` unknown"}`)
			return
		}
		time.Sleep(ts.delay)
		if ts.respond != nil && ts.respond(w, n) {
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": fmt.Sprintf("tok-SECRET-%d", n), "token_type": "Bearer", "expires_in": ts.expiresIn})
	}))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *tokenServer) auth(edit func(*OAuth2Config)) Authenticator {
	cfg := OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: ts.srv.URL + "/api/v1/oauth2/token", HTTPClient: ts.srv.Client()}
	if edit != nil {
		edit(&cfg)
	}
	return NewOAuth2(cfg)
}

func bearer(t *testing.T, a Authenticator) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "http://x/", nil)
	if err := a.Authorize(t.Context(), req); err != nil {
		t.Fatalf("Authorize: %v", err)
	}
	return strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer ")
}

func TestOAuth2CachesAndSharesOneFetch(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	ts.delay = 50 * time.Millisecond
	a := ts.auth(nil)
	var wg sync.WaitGroup
	tokens := make([]string, 32)
	for i := range tokens {
		wg.Go(func() { tokens[i] = bearer(t, a) })
	}
	wg.Wait()
	for _, tok := range tokens {
		if tok != "tok-SECRET-1" {
			t.Fatalf("token %q, want tok-SECRET-1", tok)
		}
	}
	if tok := bearer(t, a); tok != "tok-SECRET-1" || ts.fetches.Load() != 1 {
		t.Fatalf("token %q after %d fetches; want one shared fetch", tok, ts.fetches.Load())
	}
}

func TestOAuth2RefreshesAheadOfExpiry(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	ts.expiresIn = 0.2 // seconds; refresh starts at half-life
	a := ts.auth(func(c *OAuth2Config) { c.RefreshBefore = time.Hour })
	if tok := bearer(t, a); tok != "tok-SECRET-1" {
		t.Fatal(tok)
	}
	time.Sleep(120 * time.Millisecond)
	// Still valid: served at once while a refresh runs in the background.
	if tok := bearer(t, a); tok != "tok-SECRET-1" {
		t.Fatalf("in the refresh window got %q", tok)
	}
	deadline := time.Now().Add(2 * time.Second)
	for bearer(t, a) != "tok-SECRET-2" {
		if time.Now().After(deadline) {
			t.Fatal("the token was not refreshed ahead of expiry")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n := ts.fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2", n)
	}
}

func TestOAuth2ExpiredTokenIsReplaced(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	ts.expiresIn = "0.03" // a string, as some servers send
	a := ts.auth(nil)
	bearer(t, a)
	time.Sleep(50 * time.Millisecond)
	if tok := bearer(t, a); tok != "tok-SECRET-2" {
		t.Fatalf("after expiry got %q", tok)
	}
}

func TestOAuth2TokenEndpointFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		respond func(w http.ResponseWriter, n int) bool
		badID   bool
		wantErr error
		fetches int32
	}{
		{name: "bad client credentials", badID: true, wantErr: ErrUnauthorized, fetches: 1},
		{name: "503 then ok", respond: func(w http.ResponseWriter, n int) bool {
			if n == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}
			return false
		}, fetches: 2},
		{name: "oversized body", respond: func(w http.ResponseWriter, n int) bool {
			io.WriteString(w, `{"access_token":"`+strings.Repeat("a", 100<<10)+`"}`)
			return true
		}, wantErr: ErrResponseTooLarge, fetches: 1},
		{name: "not JSON", respond: func(w http.ResponseWriter, n int) bool {
			io.WriteString(w, `<html>`)
			return true
		}, wantErr: ErrBadResponse, fetches: 1},
		{name: "wrong token type", respond: func(w http.ResponseWriter, n int) bool {
			io.WriteString(w, `{"access_token":"x","token_type":"mac"}`)
			return true
		}, wantErr: ErrBadResponse, fetches: 1},
		{name: "token with a newline", respond: func(w http.ResponseWriter, n int) bool {
			io.WriteString(w, `{"access_token":"x\r\nX-Evil: 1"}`)
			return true
		}, wantErr: ErrBadResponse, fetches: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTokenServer(t)
			ts.respond = tt.respond
			f := newFake(t)
			c := newClient(t, f, func(c *Config) {
				c.Auth = ts.auth(func(c *OAuth2Config) {
					if tt.badID {
						c.ClientID = "cid-SECRET-wrong"
					}
				})
			})
			_, err := c.ListOrders(t.Context(), "9900000", ListFilter{})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error leaks a credential: %v", err)
			}
			if n := ts.fetches.Load(); n != tt.fetches {
				t.Errorf("%d token fetches, want %d", n, tt.fetches)
			}
			if _, _, lists, _ := f.counts(); (lists == 1) != (tt.wantErr == nil) {
				t.Errorf("%d list requests reached the API", lists)
			}
		})
	}
}

// TestUnauthorizedRefreshAndReplay: a 401 costs one token refresh and one replay, no more, and many
// requests refused with the same stale token share one refresh.
func TestUnauthorizedRefreshAndReplay(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		accept      string // the only token the API accepts; empty: none
		parallel    int
		wantErr     error
		wantFetches int32
		wantCalls   int32
	}{
		{"revoked token is replaced", "tok-SECRET-2", 1, nil, 2, 2},
		{"always refused", "", 1, ErrUnauthorized, 2, 2},
		{"many callers, one refresh", "tok-SECRET-2", 16, nil, 2, 32},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := newTokenServer(t)
			f := newFake(t)
			var calls atomic.Int32
			gate := make(chan struct{})
			f.auth = func(r *http.Request) bool {
				calls.Add(1)
				if r.Header.Get("Authorization") == "Bearer tok-SECRET-1" {
					<-gate // hold every stale request until all have been sent
				}
				return tt.accept != "" && r.Header.Get("Authorization") == "Bearer "+tt.accept
			}
			var logs bytes.Buffer
			c := newClient(t, f, func(c *Config) {
				c.Auth = ts.auth(nil)
				c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			})
			bearer(t, c.auth) // warm the cache with tok-SECRET-1
			var wg sync.WaitGroup
			errs := make([]error, tt.parallel)
			for i := range errs {
				wg.Go(func() { _, errs[i] = c.ListOrders(t.Context(), "9900000", ListFilter{}) })
			}
			for calls.Load() < int32(tt.parallel) {
				time.Sleep(time.Millisecond)
			}
			close(gate)
			wg.Wait()
			for _, err := range errs {
				if tt.wantErr == nil && err != nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				if err != nil && strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), "SECRET") {
					t.Errorf("error leaks a credential: %v", err)
				}
			}
			if ts.fetches.Load() != tt.wantFetches || calls.Load() != tt.wantCalls {
				t.Errorf("%d token fetches and %d API calls; want %d and %d", ts.fetches.Load(), calls.Load(), tt.wantFetches, tt.wantCalls)
			}
			if strings.Contains(logs.String(), "SECRET") {
				t.Errorf("logs leak a credential:\n%s", logs.String())
			}
		})
	}
}

func TestBasicAuthIsSent(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.auth = func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == "api-user" && p == "pw-SECRET"
	}
	c := newClient(t, f, func(c *Config) { c.Auth = BasicAuth("api-user", "pw-SECRET") })
	if _, err := c.ListOrders(t.Context(), "9900000", ListFilter{}); err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int32
	f.auth = func(r *http.Request) bool {
		refused.Add(1)
		return false
	}
	c = newClient(t, f, func(c *Config) { c.Auth = BasicAuth("api-user", "wrong-SECRET") })
	_, err := c.ListOrders(t.Context(), "9900000", ListFilter{})
	var ae *APIError
	if !errors.Is(err, ErrUnauthorized) || !errors.As(err, &ae) || ae.HTTPStatus != 401 || strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("error = %v", err)
	}
	if n := refused.Load(); n != 1 {
		t.Errorf("refused Basic credentials were sent %d times, want once", n)
	}
}

// TestCredentialsNeverFormatted prints and logs every value that holds credentials in every way.
func TestCredentialsNeverFormatted(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t)
	oauthCfg := OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: ts.srv.URL}
	oauth := NewOAuth2(oauthCfg)
	bearer(t, oauth) // holds a token now
	basic := BasicAuth("user-SECRET", "pass-SECRET")
	cfg := Config{Auth: oauth}
	client, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]any{"oauth": oauth, "basic": basic, "oauthCfg": oauthCfg, "oauthCfgPtr": &oauthCfg, "cfg": cfg, "cfgPtr": &cfg, "client": client,
		"basicCfg": Config{Auth: basic}}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "SECRET") {
				t.Errorf("%s formatted with %s leaks a credential: %s", name, verb, s)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		if strings.Contains(buf.String(), "SECRET") {
			t.Errorf("%s logged leaks a credential: %s", name, buf.String())
		}
	}
	// Errors of a token endpoint that cannot be reached, or that echoes the client id.
	ts.srv.Close()
	closed := NewOAuth2(OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: ts.srv.URL})
	err = closed.Authorize(t.Context(), httptest.NewRequest(http.MethodGet, "http://x/", nil))
	if err == nil || strings.Contains(fmt.Sprintf("%v %+v %#v", err, err, err), "SECRET") {
		t.Errorf("error = %v", err)
	}
	bad := NewOAuth2(OAuth2Config{ClientID: testClientID, ClientSecret: testClientSecret, TokenURL: "https://user:pw-SECRET@example.com/token"})
	if err := bad.Authorize(t.Context(), httptest.NewRequest(http.MethodGet, "http://x/", nil)); err == nil || strings.Contains(err.Error()+fmt.Sprintf("%#v", bad), "SECRET") {
		t.Errorf("credentials in the token URL: %v %#v", err, bad)
	}
}
