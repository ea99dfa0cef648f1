package bwsim_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// TestUnknownPathIsAWebPage checks paths outside the API answer a web server's HTML 404 while an
// unknown order under the API answers Bandwidth's XML 404.
func TestUnknownPathIsAWebPage(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	tests := []struct {
		name, method, path string
		html               bool
	}{
		{"create without the /api prefix", http.MethodPost, "/accounts/9900000/numbersAssignment", true},
		{"list without the /api prefix", http.MethodGet, "/accounts/9900000/numbersAssignment", true},
		{"root", http.MethodGet, "/", true},
		{"other resource", http.MethodGet, "/api/accounts/9900000/orders", true},
		{"unknown order", http.MethodGet, ordersPath + "/00000000-0000-4000-8000-000000000000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := ""
			if tt.method == http.MethodPost {
				body = orderXML("p", "ASSIGN", "9195550008")
			}
			res := do(t, srv, call{method: tt.method, path: tt.path, body: body})
			if res.status != http.StatusNotFound {
				t.Fatalf("status %d, want 404", res.status)
			}
			ct := res.header.Get("Content-Type")
			isHTML := strings.HasPrefix(ct, "text/html") && bytes.HasPrefix(res.body, []byte("<!DOCTYPE html>"))
			if isHTML != tt.html {
				t.Errorf("Content-Type %q, body %q; want HTML %v", ct, res.body, tt.html)
			}
			if !tt.html {
				if doc := decode[orderDoc](t, res.body); doc.Status == nil || doc.Status.Description != "The resource does not exist" {
					t.Errorf("body %s", res.body)
				}
			}
		})
	}
	if len(srv.Received()) != 0 {
		t.Error("an order was created")
	}
}
