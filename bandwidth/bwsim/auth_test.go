package bwsim_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// fetchToken asks the token endpoint for a token with the given client credentials and form.
func fetchToken(t *testing.T, srv *bwsim.Server, id, secret string, form url.Values) (int, map[string]any, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("token Content-Type %q", ct)
	}
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body, resp.Header
}

var clientCredentials = url.Values{"grant_type": {"client_credentials"}}

func TestTokenEndpoint(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.TokenTTL = 90 * time.Second })
	tests := []struct {
		name       string
		id, secret string
		form       url.Values
		status     int
		errName    string
	}{
		{"ok", "demo", "demo", clientCredentials, 200, ""},
		{"credentials in the form", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {"demo"}, "client_secret": {"demo"}}, 200, ""},
		{"wrong secret", "demo", "nope", clientCredentials, 401, "invalid_client"},
		{"no client", "", "", clientCredentials, 401, "invalid_client"},
		{"no grant type", "demo", "demo", url.Values{}, 400, "invalid_request"},
		{"other grant type", "demo", "demo", url.Values{"grant_type": {"password"}}, 400, "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, body, header := fetchToken(t, srv, tt.id, tt.secret, tt.form)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %v", status, tt.status, body)
			}
			if tt.errName != "" {
				if body["error"] != tt.errName {
					t.Errorf("error = %v, want %s", body["error"], tt.errName)
				}
				if status == 401 && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic ") {
					t.Errorf("401 without Basic challenge: %v", header)
				}
				return
			}
			if body["token_type"] != "Bearer" || body["expires_in"] != float64(90) || body["access_token"] == "" {
				t.Errorf("token = %v", body)
			}
		})
	}
}

func TestDashboardAuth(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.TokenTTL = time.Minute
		c.Now = clk.Now
	})
	_, tok, _ := fetchToken(t, srv, "demo", "demo", clientCredentials)
	token := tok["access_token"].(string)

	// Each case lists orders with some credentials.
	tests := []struct {
		name     string
		c        call
		status   int
		badToken bool
	}{
		{"basic", call{}, 200, false},
		{"bearer", call{bearer: token}, 200, false},
		{"no credentials", call{noAuth: true}, 401, false},
		{"wrong password", call{user: "demo", pass: "x"}, 401, false},
		{"wrong user", call{user: "x", pass: "demo"}, 401, false},
		{"unknown token", call{bearer: "forged"}, 401, true},
		{"other scheme", call{noAuth: true, header: http.Header{"Authorization": {"Digest abc"}}}, 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.c.method, tt.c.path = http.MethodGet, ordersPath
			res := do(t, srv, tt.c)
			if res.status != tt.status {
				t.Fatalf("status %d, want %d", res.status, tt.status)
			}
			if tt.status != 401 {
				return
			}
			challenges := res.header.Values("WWW-Authenticate")
			wantBearer := `Bearer realm="bwsim"`
			if tt.badToken {
				wantBearer += `, error="invalid_token"`
			}
			if !slices.Equal(challenges, []string{`Basic realm="bwsim"`, wantBearer}) {
				t.Errorf("challenges = %q", challenges)
			}
			if l := decode[listDoc](t, res.body); l.Status == nil || l.Status.Description == "" {
				t.Errorf("401 body lacks ResponseStatus: %s", res.body)
			}
		})
	}

	// Orders created with a token are by the OAuth client.
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, bearer: token, body: orderXML("", "ASSIGN", "9195550000")})
	if doc := decode[orderDoc](t, res.body); doc.CreatedByUser != "demo" {
		t.Errorf("CreatedByUser = %q", doc.CreatedByUser)
	}

	// The token expires after TokenTTL.
	clk.Add(59 * time.Second)
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath, bearer: token}); res.status != 200 {
		t.Errorf("token refused before expiry: %d", res.status)
	}
	clk.Add(time.Second)
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath, bearer: token}); res.status != 401 {
		t.Errorf("expired token: %d, want 401", res.status)
	}

	// ExpireTokens revokes live tokens.
	_, tok, _ = fetchToken(t, srv, "demo", "demo", clientCredentials)
	srv.ExpireTokens()
	if res := do(t, srv, call{method: http.MethodGet, path: ordersPath, bearer: tok["access_token"].(string)}); res.status != 401 {
		t.Errorf("revoked token: %d, want 401", res.status)
	}
	if st := srv.Stats(); st.Unauthorized != 7 || st.Tokens != 2 {
		t.Errorf("stats = %+v", st)
	}
}

// TestAuthSchemesDisabled checks that empty credentials disable a scheme.
func TestAuthSchemesDisabled(t *testing.T) {
	t.Parallel()
	basicOnly := start(t, func(c *bwsim.Config) { c.ClientID = "" })
	if status, body, _ := fetchToken(t, basicOnly, "", "", clientCredentials); status != 401 {
		t.Errorf("token endpoint without OAuth: %d %v", status, body)
	}
	res := do(t, basicOnly, call{method: http.MethodGet, path: ordersPath, noAuth: true})
	if got := res.header.Values("WWW-Authenticate"); !slices.Equal(got, []string{`Basic realm="bwsim"`}) {
		t.Errorf("challenges = %q", got)
	}
	oauthOnly := start(t, func(c *bwsim.Config) { c.Username = "" })
	if res := do(t, oauthOnly, call{method: http.MethodGet, path: ordersPath}); res.status != 401 ||
		!slices.Equal(res.header.Values("WWW-Authenticate"), []string{`Bearer realm="bwsim"`}) {
		t.Errorf("Basic with Basic disabled: %d %q", res.status, res.header.Values("WWW-Authenticate"))
	}
}
