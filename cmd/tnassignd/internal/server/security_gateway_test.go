package server

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

const assignLine = `{"accountId":"9900000","telephoneNumbers":["9195550001"]}` + "\n"

// TestGatewayForwardsOnlyAuthorizationAndRequestID: Grpc-Metadata-* and
// other headers do not become metadata; internal response metadata does
// not become HTTP headers.
func TestGatewayForwardsOnlyAuthorizationAndRequestID(t *testing.T) {
	svc := newRecordingService()
	r := startWith(t, svc, Options{Tokens: testTokens(t)})
	status, header, body := do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+"/v1/numbers:assign", http.Header{
		"Authorization":                       {"Bearer " + testToken},
		"X-Request-Id":                        {"req-42"},
		"Grpc-Metadata-X-Evil":                {"forged"},
		"Grpc-Metadata-Authorization":         {"Bearer forged"},
		"Grpc-Metadata-Tnassign-Gateway-Peer": {"203.0.113.9"},
		"Grpc-Metadata-Grpcgateway-Host":      {"forged"},
		"Cookie":                              {"session=forged"},
		"X-Tnassign-Anything":                 {"forged"},
	}, strings.NewReader(assignLine))
	if status != http.StatusOK || !strings.Contains(body, "finished") {
		t.Fatalf("status %d, body %s", status, body)
	}
	mds, _ := svc.calls()
	if len(mds) != 1 {
		t.Fatalf("%d calls", len(mds))
	}
	md := mds[0]
	if got := md.Get("authorization"); len(got) != 1 || got[0] != "Bearer "+testToken {
		t.Errorf("authorization metadata %q", got)
	}
	if got := md.Get("x-request-id"); len(got) != 1 || got[0] != "req-42" {
		t.Errorf("x-request-id metadata %q", got)
	}
	for k, vs := range md {
		for _, v := range vs {
			if strings.Contains(v, "forged") || strings.Contains(v, "203.0.113.9") {
				t.Errorf("forged header reached the service as %s: %s", k, v)
			}
		}
		if strings.HasPrefix(k, "grpcgateway-") || k == "cookie" || k == "x-evil" {
			t.Errorf("metadata %s was forwarded", k)
		}
	}
	for k := range header {
		if strings.HasPrefix(strings.ToLower(k), "grpc-") || strings.Contains(strings.ToLower(k), "internal") {
			t.Errorf("internal metadata leaked as HTTP header %s: %v", k, header[k])
		}
	}
	if strings.Contains(body, "replica-7") || strings.Contains(body, "trace-9") {
		t.Errorf("internal metadata leaked into the body: %s", body)
	}
}

func TestGatewayNeedsAToken(t *testing.T) {
	svc := newRecordingService()
	r := startWith(t, svc, Options{Tokens: testTokens(t)})
	status, _, body := do(t, http.DefaultClient, http.MethodGet, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs/job-1", nil, nil)
	if status != http.StatusUnauthorized || !strings.Contains(body, tnassignv1.ErrorReason_TOKEN_MISSING.String()) {
		t.Errorf("no token: status %d, body %s; want 401 %s", status, body, tnassignv1.ErrorReason_TOKEN_MISSING.String())
	}
	status, _, body = do(t, http.DefaultClient, http.MethodGet, "http://"+r.httpAddr+"/v1/accounts/9900001/assignmentJobs/job-1",
		http.Header{"Authorization": {"Bearer " + testToken}}, nil)
	if status != http.StatusForbidden || !strings.Contains(body, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED.String()) {
		t.Errorf("other account: status %d, body %s; want 403 %s", status, body, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED.String())
	}
	if _, reads := svc.calls(); len(reads) != 0 {
		t.Errorf("the service served %v", reads)
	}
}

// TestGatewayIgnoresMethodOverride: X-HTTP-Method-Override never changes
// the method, nor does a form body turn a POST into a GET.
func TestGatewayIgnoresMethodOverride(t *testing.T) {
	svc := newRecordingService()
	r := startWith(t, svc, Options{})
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-Http-Method-Override": {"GET"}}
	for _, path := range []string{"/v1/accounts/9900000/assignmentJobs", "/v1/accounts/9900000/assignmentJobs/job-1"} {
		status, _, _ := do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+path, form, strings.NewReader("page_size=1"))
		if status == http.StatusOK {
			t.Errorf("POST %s with X-HTTP-Method-Override: GET answered 200", path)
		}
	}
	// Neither a read (the override) nor a create (the body is a form,
	// not JSON) reached the service.
	if _, reads := svc.calls(); len(reads) != 0 {
		t.Errorf("an overridden request reached %v", reads)
	}
}

func TestGatewayRejectsUnknownFields(t *testing.T) {
	svc := newRecordingService()
	r := startWith(t, svc, Options{})
	status, _, body := do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs",
		http.Header{"Content-Type": {"application/json"}}, strings.NewReader(`{"action":"ACTION_ASSIGN","telephoneNumbers":["9195550001"],"dryRun":true}`))
	if status != http.StatusBadRequest || !strings.Contains(body, "unknown field") {
		t.Errorf("status %d, body %s; want 400 naming the unknown field", status, body)
	}
}

// TestGatewayCapsBodies: a declared length over the cap, an upload that
// goes over it before any result, and one that goes over after results.
func TestGatewayCapsBodies(t *testing.T) {
	r := startWith(t, newRecordingService(), Options{Security: Security{MaxBodyBytes: 4096}})
	url := "http://" + r.httpAddr + "/v1/numbers:assign"
	big := strings.Repeat(`{"telephoneNumbers":["9195550002"]}`+"\n", 200) // ~7 KiB

	t.Run("declared length", func(t *testing.T) {
		status, _, body := do(t, http.DefaultClient, http.MethodPost, url, nil, bytes.NewReader([]byte(assignLine+big)))
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, tnassignv1.ErrorReason_REQUEST_TOO_LARGE.String()) {
			t.Errorf("status %d, body %s; want 413", status, body)
		}
	})
	t.Run("one huge first line", func(t *testing.T) {
		line := `{"accountId":"9900000","telephoneNumbers":["` + strings.Repeat("9", 8000) + `"]}` + "\n"
		status, _, body := do(t, http.DefaultClient, http.MethodPost, url, nil, io.MultiReader(strings.NewReader(line))) // chunked: no length
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, tnassignv1.ErrorReason_REQUEST_TOO_LARGE.String()) {
			t.Errorf("status %d, body %s; want 413", status, body)
		}
	})
	t.Run("over after results", func(t *testing.T) {
		resp, out := postNDJSON(t, url, func(w io.Writer) error {
			_, err := io.WriteString(w, assignLine+big)
			return err
		})
		if resp.StatusCode != http.StatusOK || len(out) == 0 {
			t.Fatalf("status %d, %d lines", resp.StatusCode, len(out))
		}
		last := parseLine(t, out[len(out)-1])
		if last.Error == nil || last.Error.Code != 8 || !strings.Contains(last.Error.Message, "4096 bytes") {
			t.Errorf("last line %s: want RESOURCE_EXHAUSTED naming the cap", out[len(out)-1])
		}
	})
	t.Run("unary route", func(t *testing.T) {
		body := `{"action":"ACTION_ASSIGN","telephoneNumbers":["` + strings.Repeat("9", 8000) + `"]}`
		status, _, out := do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs", nil, io.MultiReader(strings.NewReader(body)))
		if status != http.StatusRequestEntityTooLarge {
			t.Errorf("status %d, body %s; want 413", status, out)
		}
	})
}

// TestMetricsPolicy: with authentication on, /metrics answers loopback
// callers and callers with a valid token.
func TestMetricsPolicy(t *testing.T) {
	sec := securityOf(Options{Tokens: testTokens(t)})
	h := sec.metrics(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "metrics") }))
	for _, tc := range []struct {
		remote, auth string
		want         int
	}{
		{"127.0.0.1:5000", "", http.StatusOK},
		{"[::1]:5000", "", http.StatusOK},
		{"192.0.2.10:5000", "", http.StatusUnauthorized},
		{"192.0.2.10:5000", "Bearer wrong", http.StatusUnauthorized},
		{"192.0.2.10:5000", "Bearer " + testToken, http.StatusOK},
	} {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		req.RemoteAddr = tc.remote
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tc.want {
			t.Errorf("%s %q: %d, want %d", tc.remote, tc.auth, rec.Code, tc.want)
		}
	}
}

// TestCallLogNamesTheTokenNeverTheToken: the log says which token called,
// and holds neither the token nor its digest.
func TestCallLogNamesTheTokenNeverTheToken(t *testing.T) {
	r := startWith(t, newRecordingService(), Options{Tokens: testTokens(t)})
	do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+"/v1/numbers:assign",
		http.Header{"Authorization": {"Bearer " + testToken}}, strings.NewReader(assignLine))
	do(t, http.DefaultClient, http.MethodPost, "http://"+r.httpAddr+"/v1/numbers:assign",
		http.Header{"Authorization": {"Bearer " + testToken + "-wrong"}}, strings.NewReader(assignLine))
	waitFor(t, "call log", func() bool { return strings.Contains(r.logs.String(), `"token":"billing"`) })
	waitFor(t, "refusal log", func() bool { return strings.Contains(r.logs.String(), `"code":"Unauthenticated"`) })
	if logs := r.logs.String(); strings.Contains(logs, testToken) {
		t.Errorf("the log holds a token:\n%s", logs)
	}
}
