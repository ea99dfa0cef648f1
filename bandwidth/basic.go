package bandwidth

import (
	"context"
	"log/slog"
	"net/http"
)

// basicAuth authenticates with a legacy Dashboard API user's username and password.
type basicAuth struct {
	username, password string
}

// BasicAuth returns an Authenticator that sends HTTP Basic credentials of a Dashboard API user.
// Bandwidth retires Basic-auth API users on 2026-12-02; prefer NewOAuth2. Neither the username nor
// the password appears in the Authenticator's formatted or logged output.
func BasicAuth(username, password string) Authenticator {
	return &basicAuth{username: username, password: password}
}

// Authorize sets the request's Basic Authorization header.
func (a *basicAuth) Authorize(_ context.Context, req *http.Request) error {
	req.SetBasicAuth(a.username, a.password)
	return nil
}

// Invalidate does nothing: Basic credentials cannot be refreshed.
func (a *basicAuth) Invalidate() {}

// String describes the authenticator without its credentials.
func (a *basicAuth) String() string {
	return "bandwidth.BasicAuth{Username: " + redacted + ", Password: " + redacted + "}"
}

// GoString is like String, so that %#v hides the credentials too.
func (a *basicAuth) GoString() string { return a.String() }

// LogValue describes the authenticator to log/slog without its credentials.
func (a *basicAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("type", "basic"), slog.String("username", redacted))
}
