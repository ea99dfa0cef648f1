package bandwidth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const htmlPage = "<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body>Sign in</body></html>\n"

// TestMisconfigured shows that answers which cannot come from the numbersAssignment API — a 404
// for a create or a list, an HTML page, a redirect — are one error matching ErrMisconfigured,
// sent once, never looked up, naming the method and URL and what to check; and that the answers
// that keep their meaning (a 404 for one order, a gateway's 5xx page, a 401) are unchanged.
func TestMisconfigured(t *testing.T) {
	t.Parallel()
	type call func(ctx context.Context, c *Client) error
	createCall := func(ctx context.Context, c *Client) error {
		_, err := c.CreateOrder(ctx, "9900000", sampleOrder("misconfigured"))
		return err
	}
	listCall := func(ctx context.Context, c *Client) error {
		_, err := c.ListOrders(ctx, "9900000", ListFilter{CustomerOrderID: "x"})
		return err
	}
	getCall := func(ctx context.Context, c *Client) error {
		_, err := c.GetOrder(ctx, "9900000", "00000000-0000-4000-8000-000000000001")
		return err
	}
	answer := func(status int, contentType, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if contentType != "" {
				w.Header().Set("Content-Type", contentType)
			}
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	tests := []struct {
		name       string
		handler    http.HandlerFunc
		call       call
		method     string
		wantMis    bool
		wantStatus int   // of the *APIError errors.As finds
		wantIs     error // when not misconfigured
		wantSends  int   // POSTs that reached the server, when not 0
		minSends   bool  // wantSends is a minimum
		emptyLists bool  // lookups by CustomerOrderId find nothing (cases that retry a create)
	}{
		{name: "create: 404 HTML", handler: answer(404, "text/html; charset=utf-8", htmlPage), call: createCall, method: "POST", wantMis: true, wantStatus: 404},
		{name: "create: 404 empty", handler: answer(404, "", ""), call: createCall, method: "POST", wantMis: true, wantStatus: 404},
		{name: "create: 404 plain text", handler: http.NotFound, call: createCall, method: "POST", wantMis: true, wantStatus: 404},
		{name: "create: 404 XML (unknown account)", handler: answer(404, "application/xml",
			`<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><Description>Account not found</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`),
			call: createCall, method: "POST", wantMis: true, wantStatus: 404},
		{name: "create: 200 HTML", handler: answer(200, "text/html", htmlPage), call: createCall, method: "POST", wantMis: true, wantStatus: 200},
		{name: "create: 201 HTML body labelled XML", handler: answer(201, "application/xml", "\r\n  <!doctype HTML><html></html>"), call: createCall, method: "POST", wantMis: true, wantStatus: 201},
		{name: "create: 400 HTML", handler: answer(400, "TEXT/HTML", "<p>bad</p>"), call: createCall, method: "POST", wantMis: true, wantStatus: 400},
		{name: "create: redirect", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://elsewhere.invalid/api", http.StatusMovedPermanently)
		}, call: createCall, method: "POST", wantMis: true, wantStatus: 301},
		{name: "list: 404 plain text", handler: http.NotFound, call: listCall, method: "GET", wantMis: true, wantStatus: 404},
		{name: "list: 200 HTML", handler: answer(200, "", "  <HTML><body>portal</body></HTML>"), call: listCall, method: "GET", wantMis: true, wantStatus: 200},
		{name: "get: 404 HTML", handler: answer(404, "text/html", htmlPage), call: getCall, method: "GET", wantMis: true, wantStatus: 404},
		{name: "get: 200 HTML", handler: answer(200, "text/html", htmlPage), call: getCall, method: "GET", wantMis: true, wantStatus: 200},
		{name: "get: 404 ResponseStatus is an unknown order", handler: answer(404, "application/xml",
			`<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><Description>The resource does not exist</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`),
			call: getCall, wantIs: ErrNotFound},
		{name: "get: 404 empty is an unknown order", handler: answer(404, "", ""), call: getCall, wantIs: ErrNotFound},
		{name: "create: 400 ResponseStatus is a refusal", handler: answer(400, "application/xml",
			`<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><ErrorCode>1019</ErrorCode><Description>Bad</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`),
			call: createCall, wantIs: &APIError{HTTPStatus: 400}},
		{name: "create: a gateway's 503 page is retried, not misconfigured", handler: answer(503, "text/html", htmlPage),
			call: createCall, wantIs: ErrUnavailable, wantSends: 4, minSends: true, emptyLists: true},
		{name: "create: 401 page is unauthorized", handler: answer(401, "text/html", htmlPage), call: createCall, wantIs: ErrUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var sends, posts atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sends.Add(1)
				if r.Method == http.MethodPost {
					posts.Add(1)
				}
				if tt.emptyLists && r.Method == http.MethodGet {
					io.WriteString(w, "<TelephoneNumbersAssignmentOrders><TotalCount>0</TotalCount></TelephoneNumbersAssignmentOrders>")
					return
				}
				tt.handler(w, r)
			}))
			t.Cleanup(srv.Close)
			cfg := fastConfig(srv.URL + "/api")
			cfg.Auth = BasicAuth("user", "s3cret-pass")
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = tt.call(t.Context(), c)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrMisconfigured) != tt.wantMis {
				t.Fatalf("error = %v; matches ErrMisconfigured: %v", err, !tt.wantMis)
			}
			if tt.wantMis {
				checkMisconfigured(t, err, tt.method, srv.URL+"/api/accounts/9900000/numbersAssignment", tt.wantStatus)
				if n := sends.Load(); n != 1 {
					t.Errorf("%d requests, want 1: never retried, never looked up", n)
				}
				return
			}
			var want *APIError
			if errors.As(tt.wantIs, &want) {
				var got *APIError
				if !errors.As(err, &got) || got.HTTPStatus != want.HTTPStatus {
					t.Errorf("error = %v, want an APIError %d", err, want.HTTPStatus)
				}
			} else if !errors.Is(err, tt.wantIs) {
				t.Errorf("error = %v, want %v", err, tt.wantIs)
			}
			if n := int(posts.Load()); tt.wantSends > 0 && (n < tt.wantSends || !tt.minSends && n != tt.wantSends) {
				t.Errorf("%d POSTs, want %d", n, tt.wantSends)
			}
		})
	}
}

// checkMisconfigured checks what a misconfiguration error tells its reader.
func checkMisconfigured(t *testing.T, err error, method, url string, status int) {
	t.Helper()
	msg := err.Error()
	for _, want := range []string{method + " " + url, "/api", DefaultBaseURL, "account 9900000"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
	if method == http.MethodPost && !strings.Contains(msg, "not created") {
		t.Errorf("message %q does not say the order was not created", msg)
	}
	if strings.Contains(msg, "s3cret") || strings.Contains(msg, "dXNlcj") || strings.Contains(msg, "user") {
		t.Errorf("message %q shows credentials", msg)
	}
	for _, sentinel := range []error{ErrNotFound, ErrOutcomeUnknown, ErrUnavailable, ErrUnauthorized, ErrBadResponse} {
		if errors.Is(err, sentinel) {
			t.Errorf("error %v matches %v", err, sentinel)
		}
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != status {
		t.Errorf("errors.As *APIError: %+v, want HTTP %d", ae, status)
	}
}

// TestMisconfiguredDuringLookup checks a lookup that meets a misconfiguration after an unclear
// create reports the outcome as unknown (the create itself reached something), naming the cause.
func TestMisconfiguredDuringLookup(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		if r.Method == http.MethodPost {
			w.WriteHeader(http.StatusBadGateway)
		} else {
			http.NotFound(w, r)
		}
		return true
	}
	c := newClient(t, f, nil)
	_, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("lookup-404"))
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, ErrMisconfigured) || errors.Is(err, ErrNotFound) {
		t.Errorf("error = %v, want ErrOutcomeUnknown caused by ErrMisconfigured", err)
	}
}

func TestLooksLikeHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want bool
	}{
		{"<!DOCTYPE html><html></html>", true},
		{"  \r\n\t<!doctype HTML>", true},
		{"<HTML>", true},
		{"\xef\xbb\xbf<html lang=en>", true},
		{"<?xml version=\"1.0\"?><TelephoneNumbersAssignmentOrderResponse/>", false},
		{"<TelephoneNumbersAssignmentOrders/>", false},
		{"", false},
		{"<htm", false},
		{"404 page not found\n", false},
	}
	for _, tt := range tests {
		if got := looksLikeHTML([]byte(tt.body)); got != tt.want {
			t.Errorf("looksLikeHTML(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
