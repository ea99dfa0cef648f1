package bandwidth

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
)

// Sentinel errors. Errors returned by the Client wrap or match them, so callers branch with
// errors.Is and read details with errors.As(err, new(*APIError)).
var (
	// ErrUnauthorized means Bandwidth refused the credentials (HTTP 401, after one fresh token and
	// replay) or the operation (HTTP 403), or the token endpoint refused the client credentials.
	ErrUnauthorized = errors.New("bandwidth: unauthorized")
	// ErrForbidden means Bandwidth answered HTTP 403: the credentials are valid but not allowed
	// this account or operation. Such errors match ErrUnauthorized too.
	ErrForbidden = errors.New("bandwidth: forbidden")
	// ErrNotFound means the order does not exist (HTTP 404 for one order), or FindOrder found no
	// order with the CustomerOrderId. A 404 for a create or a list is ErrMisconfigured instead.
	ErrNotFound = errors.New("bandwidth: not found")
	// ErrRateLimited means Bandwidth kept answering HTTP 429 until the retry budget ran out.
	ErrRateLimited = errors.New("bandwidth: rate limited")
	// ErrUnavailable means Bandwidth kept failing (HTTP 5xx or transport errors) until the retry
	// budget ran out. The error wraps the last cause.
	ErrUnavailable = errors.New("bandwidth: unavailable")
	// ErrOutcomeUnknown means a create was sent but neither its response nor a lookup by
	// CustomerOrderId could tell whether Bandwidth created the order. The order must not be sent
	// again without first finding out (FindOrder) whether it exists.
	ErrOutcomeUnknown = errors.New("bandwidth: order creation outcome unknown")
	// ErrInvalidOrder means an order or argument broke a documented limit and was not sent. Such
	// errors are *ValidationError.
	ErrInvalidOrder = errors.New("bandwidth: invalid order")
	// ErrBadResponse means Bandwidth answered with a document this client cannot trust: malformed
	// or truncated XML, an unknown status, or a missing required element.
	ErrBadResponse = errors.New("bandwidth: bad response")
	// ErrMisconfigured means the client is not talking to Bandwidth's numbersAssignment endpoints:
	// a create or a list was answered 404, a response was an HTML page, or Bandwidth redirected
	// the request. Usually Config.BaseURL is wrong (it normally ends in /api, as DefaultBaseURL
	// does) or the account does not exist. Such errors are never retried, and a create that met one
	// created no order. errors.As finds the response's *APIError in them (for its HTTP status),
	// but they match none of its sentinels: a 404 here does not mean ErrNotFound.
	ErrMisconfigured = errors.New("bandwidth: misconfigured")
	// ErrResponseTooLarge means a response body exceeded Config.MaxResponseBytes; it was not parsed.
	// Such errors match ErrBadResponse too.
	ErrResponseTooLarge = errors.New("bandwidth: response too large")
)

// APIError is a response Bandwidth refused a request with: an HTTP status of 400 or more, or a
// successful status carrying an error document instead of an order. Per-number failures inside an
// order are not APIErrors; they are OrderResponse.Errors.
//
// An APIError matches ErrUnauthorized (401, 403), ErrForbidden (403), ErrNotFound (404),
// ErrRateLimited (429) and ErrUnavailable (5xx) with errors.Is.
type APIError struct {
	// HTTPStatus is the response's HTTP status code.
	HTTPStatus int
	// Code is Bandwidth's ErrorCode or Error/Code; 0 when the response carried none. Do not branch
	// on it for request-level errors: Bandwidth's documented codes disagree with its catalogue.
	Code int
	// Description is Bandwidth's description, or the HTTP status text when none was sent. It is
	// cleaned of control characters and shortened, as it comes from the network.
	Description string
	// Retryable reports whether the same request may succeed later (429 and 5xx).
	Retryable bool
	// Op names the operation that failed: "create order", "get order", "list orders" or
	// "fetch token".
	Op string
}

// Error describes the error in one line.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("bandwidth: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", code %d", e.Code)
	}
	if e.Description != "" {
		b.WriteString(": ")
		b.WriteString(e.Description)
	}
	return b.String()
}

// Is reports whether e matches target, one of the package's sentinel errors, by HTTP status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	case ErrForbidden:
		return e.HTTPStatus == http.StatusForbidden
	case ErrNotFound:
		return e.HTTPStatus == http.StatusNotFound
	case ErrRateLimited:
		return e.HTTPStatus == http.StatusTooManyRequests
	case ErrUnavailable:
		return e.HTTPStatus >= 500
	}
	return false
}

// newAPIError builds the APIError for a response with the given status and (possibly empty) error
// document body.
func newAPIError(op string, status int, body []byte) *APIError {
	e := &APIError{HTTPStatus: status, Op: op, Retryable: status == http.StatusTooManyRequests || status >= 500}
	if ed, err := decodeErrorDoc(body); err == nil {
		e.Code, e.Description = ed.code, ed.description
	}
	e.Description = sanitize(e.Description, 300)
	if e.Description == "" {
		e.Description = http.StatusText(status)
	}
	return e
}

// ValidationError describes why an order or argument was refused before anything was sent.
// It matches ErrInvalidOrder.
type ValidationError struct {
	// Field names the offending field, such as "CustomerOrderID" or "TelephoneNumbers[12]".
	Field string
	// Problem says what is wrong with it.
	Problem string
}

// Error describes the problem in one line.
func (e *ValidationError) Error() string {
	return "bandwidth: invalid " + e.Field + ": " + e.Problem
}

// Is reports whether target is ErrInvalidOrder.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidOrder }

// badResponse wraps a decoding problem as an ErrBadResponse error.
func badResponse(op string, err error) error {
	return fmt.Errorf("bandwidth: %s: %w: %w", op, ErrBadResponse, err)
}

// sanitize makes network-supplied text safe to put in an error or log line: control characters
// become spaces, runs of white space collapse, and the result is at most n bytes.
func sanitize(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		// Cut on a rune boundary.
		cut := n
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
