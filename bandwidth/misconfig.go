package bandwidth

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// misconfigured returns an error matching ErrMisconfigured when a complete response shows that r
// did not reach a numbersAssignment endpoint of the Dashboard API, and nil otherwise:
//
//   - a 404 for the account's order collection (a create or a list): the collection exists for
//     every account, so either the URL is wrong or the account does not exist. A 404 for one order
//     is Bandwidth's answer for an unknown order and is left to the caller;
//   - an HTML page (Content-Type text/html, or a body that starts with <!DOCTYPE html or <html),
//     which Bandwidth never sends: a web site, a portal or a proxy answered. 401, 403, 429 and 5xx
//     are exempt: their status has its own meaning whatever the body (a 401 is refreshed and
//     replayed, and a gateway's 502 or 504 page after a create does not prove the order was not
//     created);
//   - a redirect (3xx), which the client does not follow: the URL is not the API's, often http
//     for https.
//
// Such a response is final: retrying the same URL cannot help, and a create that met one created
// nothing, since the URL it was sent to does not lead to Bandwidth's create endpoint.
func misconfigured(r request, rep reply) error {
	if rep.err != nil || rep.status == 0 {
		return nil
	}
	var what string
	switch st := rep.status; {
	case st >= 300 && st <= 399:
		what = fmt.Sprintf("with a redirect (HTTP %d %s), which the client does not follow", st, http.StatusText(st))
	case st == http.StatusNotFound && r.collection:
		what = "HTTP 404 Not Found"
	case st == http.StatusUnauthorized || st == http.StatusForbidden || st == http.StatusTooManyRequests || st >= 500:
		return nil
	case isHTML(rep.header, rep.body):
		what = fmt.Sprintf("with an HTML page (HTTP %d %s), which Bandwidth's API never sends", st, http.StatusText(st))
	default:
		return nil
	}
	created := ""
	if r.method == http.MethodPost {
		created = "; the order was not created"
	}
	return &misconfiguredError{
		msg: fmt.Sprintf("bandwidth: %s: %v: %s %s answered %s%s. Check that the base URL is the Dashboard API's "+
			"(it normally ends in /api, as %s does) and that account %s exists",
			r.op, ErrMisconfigured, r.method, r.url, what, created, DefaultBaseURL, r.account),
		api: newAPIError(r.op, rep.status, rep.body),
	}
}

// misconfiguredError is the error misconfigured returns. It matches ErrMisconfigured, and
// errors.As finds the *APIError of the response in it (for its HTTP status), but it does not match
// the APIError's sentinels: a 404 here is a wrong URL, not an order that does not exist, and must
// not read as ErrNotFound to code that looks orders up.
type misconfiguredError struct {
	msg string
	api *APIError
}

func (e *misconfiguredError) Error() string { return e.msg }

// Is reports whether target is ErrMisconfigured.
func (e *misconfiguredError) Is(target error) bool { return target == ErrMisconfigured }

// As sets target to the response's *APIError when target is a **APIError.
func (e *misconfiguredError) As(target any) bool {
	if p, ok := target.(**APIError); ok {
		*p = e.api
		return true
	}
	return false
}

// isHTML reports whether a response is an HTML page: its Content-Type is text/html, or its body
// starts, after white space, with <!DOCTYPE html or <html in any case.
func isHTML(h http.Header, body []byte) bool {
	if ct := h.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err == nil && mt == "text/html" {
			return true
		}
	}
	return looksLikeHTML(body)
}

// looksLikeHTML reports whether body starts, after white space and a UTF-8 byte order mark, with
// <!DOCTYPE html or <html, ignoring case.
func looksLikeHTML(body []byte) bool {
	body = bytes.TrimPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("\xef\xbb\xbf"))
	body = bytes.TrimLeft(body, " \t\r\n")
	for _, p := range [...]string{"<!doctype html", "<html"} {
		if len(body) >= len(p) && strings.EqualFold(string(body[:len(p)]), p) {
			return true
		}
	}
	return false
}
