package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
)

func TestLimitedBody(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body     string
		limit    int64
		exceeded bool
	}{
		{"", 4, false},
		{"abcd", 4, false},
		{"abcde", 4, true},
		{strings.Repeat("x", 10000), 4096, true},
	} {
		bl := &bodyLimit{limit: tc.limit}
		b := &limitedBody{ReadCloser: io.NopCloser(strings.NewReader(tc.body)), bl: bl, left: tc.limit}
		got, err := io.ReadAll(b)
		var tooLarge *http.MaxBytesError
		if tc.exceeded != errors.As(err, &tooLarge) || bl.exceeded.Load() != tc.exceeded {
			t.Errorf("%d bytes, cap %d: err %v, exceeded %v", len(tc.body), tc.limit, err, bl.exceeded.Load())
		}
		if want := min(int64(len(tc.body)), tc.limit); int64(len(got)) != want {
			t.Errorf("%d bytes, cap %d: read %d, want %d", len(tc.body), tc.limit, len(got), want)
		}
	}
}

// TestOversizedBodyKeepsTheConnection: a unary request whose chunked body goes over the cap is
// answered 413 and the server reads the rest of the (moderately sized) body rather than closing
// the connection, so the answer cannot be lost to a reset and the connection serves the next
// request.
func TestOversizedBodyKeepsTheConnection(t *testing.T) {
	r := startWith(t, newRecordingService(), Options{Security: Security{MaxBodyBytes: 4096}})
	tr := &http.Transport{MaxConnsPerHost: 1}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	body := `{"action":"ACTION_ASSIGN","telephoneNumbers":["` + strings.Repeat("9", 8000) + `"]}`
	status, _, out := do(t, c, http.MethodPost, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs", nil, io.MultiReader(strings.NewReader(body)))
	if status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, body %s; want 413", status, out)
	}
	reused := false
	req, err := http.NewRequest(http.MethodGet, "http://"+r.httpAddr+"/healthz", nil)
	if err != nil {
		t.Fatal(err)
	}
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	}))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !reused {
		t.Error("the server closed the connection after the 413")
	}
}
