package bandwidth

import (
	"context"
	"net/http"
)

// Authenticator adds credentials to requests sent to Bandwidth. Implementations must be safe for
// concurrent use, and must keep credentials out of their errors and formatted output.
type Authenticator interface {
	// Authorize sets the request's Authorization header, fetching a token first if needed. It
	// fails when no credentials can be obtained; an error matching ErrUnauthorized means the
	// credentials themselves were refused and retrying will not help.
	Authorize(ctx context.Context, req *http.Request) error
	// Invalidate discards cached credentials after Bandwidth refused them (HTTP 401), so that the
	// next Authorize obtains fresh ones. It is a no-op for static credentials.
	Invalidate()
}

// requestInvalidator is implemented by authenticators that can tell whether the credentials a
// refused request carried are still the current ones. The Client prefers it to Invalidate, so that
// many requests refused at once with the same stale token cause one refresh, not one each.
type requestInvalidator interface {
	invalidateFor(req *http.Request)
}

// invalidate discards the credentials req carried.
func invalidate(a Authenticator, req *http.Request) {
	if ri, ok := a.(requestInvalidator); ok {
		ri.invalidateFor(req)
		return
	}
	a.Invalidate()
}

// redacted is what formatted output shows in place of a credential.
const redacted = "[REDACTED]"
