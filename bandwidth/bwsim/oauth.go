package bwsim

import (
	"crypto/rand"
	"encoding/json"
	"math"
	"net/http"
	"sync"
	"time"
)

// tokenStore holds the bearer tokens the token endpoint issued and when each expires.
type tokenStore struct {
	mu     sync.Mutex
	tokens map[string]time.Time
}

// issue creates a token valid until now+ttl, forgetting expired ones.
func (t *tokenStore) issue(now time.Time, ttl time.Duration) string {
	tok := rand.Text()
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, exp := range t.tokens {
		if !now.Before(exp) {
			delete(t.tokens, k)
		}
	}
	t.tokens[tok] = now.Add(ttl)
	return tok
}

// valid reports whether tok was issued and has not expired.
func (t *tokenStore) valid(tok string, now time.Time) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	exp, ok := t.tokens[tok]
	return ok && now.Before(exp)
}

// ExpireTokens revokes every bearer token issued so far, as if each had expired: the next Dashboard
// request with one answers 401, and clients must fetch a new token.
func (s *Simulator) ExpireTokens() {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	clear(s.tokens.tokens)
}

// tokenResponse is the token endpoint's JSON answer.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// token answers POST /api/v1/oauth2/token: grant_type=client_credentials in a form body, the client
// authenticated with HTTP Basic (or client_id and client_secret form fields).
func (s *Simulator) token(r *http.Request) *reply {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return s.oauthError(http.StatusBadRequest, "invalid_request")
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if s.cfg.ClientID == "" || !equal(id, s.cfg.ClientID) || !equal(secret, s.cfg.ClientSecret) {
		rep := s.oauthError(http.StatusUnauthorized, "invalid_client")
		rep.header.Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
		return rep
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
	case "":
		return s.oauthError(http.StatusBadRequest, "invalid_request")
	default:
		return s.oauthError(http.StatusBadRequest, "unsupported_grant_type")
	}
	ttl := s.cfg.TokenTTL
	body, _ := json.Marshal(tokenResponse{
		AccessToken: s.tokens.issue(s.cfg.Now(), ttl),
		TokenType:   "Bearer",
		ExpiresIn:   int64(math.Ceil(ttl.Seconds())),
	})
	return &reply{
		status:      http.StatusOK,
		body:        body,
		contentType: "application/json",
		header:      http.Header{"Cache-Control": {"no-store"}},
	}
}

// oauthError is an RFC 6749 error answer.
func (s *Simulator) oauthError(code int, name string) *reply {
	body, _ := json.Marshal(map[string]string{"error": name})
	return &reply{
		status:      code,
		body:        body,
		contentType: "application/json",
		header:      http.Header{"Cache-Control": {"no-store"}},
	}
}
