package bandwidth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestNewConfig(t *testing.T) {
	t.Parallel()
	auth := BasicAuth("u", "p")
	tests := []struct {
		name, base string
		auth       Authenticator
		wantErr    bool
	}{
		{"default", "", auth, false},
		{"api/v1", "https://dashboard.bandwidth.com/api/v1/", auth, false},
		{"no auth", "", nil, true},
		{"credentials in URL", "https://u:p@dashboard.bandwidth.com/api", auth, true},
		{"relative", "/api", auth, true},
		{"ftp", "ftp://dashboard.bandwidth.com/api", auth, true},
		{"query", "https://dashboard.bandwidth.com/api?x=1", auth, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New(Config{BaseURL: tt.base, Auth: tt.auth})
			if (err != nil) != tt.wantErr {
				t.Fatalf("New error = %v, want error %v", err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), ":p@") {
				t.Errorf("error leaks the URL's password: %v", err)
			}
		})
	}
}

func TestBaseURLStyles(t *testing.T) {
	t.Parallel()
	for _, prefix := range []string{"/api", "/api/", "/api/v1", "/v1.0/", ""} {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			var mu sync.Mutex
			var paths []string
			f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				mu.Lock()
				paths = append(paths, r.Method+" "+r.URL.Path+" accept="+r.Header.Get("Accept")+" type="+r.Header.Get("Content-Type"))
				mu.Unlock()
				return false
			}
			c := newClient(t, f, func(c *Config) { c.BaseURL = f.srv.URL + prefix })
			resp, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("styles"))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.GetOrder(t.Context(), "9900000", resp.OrderID); err != nil {
				t.Fatal(err)
			}
			root := strings.TrimSuffix(prefix, "/")
			want := []string{
				"POST " + root + "/accounts/9900000/numbersAssignment accept=application/xml type=application/xml",
				"GET " + root + "/accounts/9900000/numbersAssignment/" + resp.OrderID + " accept=application/xml type=",
			}
			if fmt.Sprint(paths) != fmt.Sprint(want) {
				t.Errorf("requests\n%q\nwant\n%q", paths, want)
			}
		})
	}
}

func TestListOrdersQuery(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	queries := make(chan url.Values, 1)
	f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		queries <- r.URL.Query()
		return false
	}
	c := newClient(t, f, nil)
	est := time.FixedZone("EST", -5*3600)
	_, err := c.ListOrders(t.Context(), "9900000", ListFilter{
		CustomerOrderID: "job 7", TelephoneNumber: "9195551234", OrderIDFragment: "65e0",
		Statuses: []Status{StatusComplete, StatusPartial}, Action: ActionUnassign,
		CreatedFrom: time.Date(2025, 1, 2, 23, 0, 0, 0, est), CreatedTo: time.Date(2025, 2, 3, 0, 0, 0, 0, time.UTC),
		ModifiedFrom: time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), ModifiedTo: time.Date(2025, 4, 5, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := <-queries
	want := url.Values{
		"customerOrderId": {"job 7"}, "tn": {"9195551234"}, "orderIdFragment": {"65e0"},
		"status": {"COMPLETE", "PARTIAL"}, "action": {"UNASSIGNED"},
		"createdDateFrom": {"2025-01-02"}, "createdDateTo": {"2025-02-03"},
		"modifiedDateFrom": {"2025-03-04"}, "modifiedDateTo": {"2025-04-05"},
	}
	if got.Encode() != want.Encode() {
		t.Errorf("query\n%s\nwant\n%s", got.Encode(), want.Encode())
	}
	for _, bad := range []ListFilter{{Statuses: []Status{"DONE"}}, {Action: "ASSIGNED"}, {CustomerOrderID: "a/b"}} {
		if _, err := c.ListOrders(t.Context(), "9900000", bad); !errors.Is(err, ErrInvalidOrder) {
			t.Errorf("ListOrders(%+v) error = %v", bad, err)
		}
	}
}

func TestFindOrder(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f, nil)
	if _, err := c.FindOrder(t.Context(), "9900000", "nothing-here"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("FindOrder of nothing: %v", err)
	}
	first, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("twice"))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // a later OrderDate
	second, err := c.CreateOrder(t.Context(), "9900000", sampleOrder("twice"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.FindOrder(t.Context(), "9900000", "twice")
	if err != nil {
		t.Fatal(err)
	}
	if got.OrderID != second.OrderID || got.OrderID == first.OrderID {
		t.Errorf("FindOrder = %s, want the newest %s", got.OrderID, second.OrderID)
	}
}

// TestGetOrderFaults shows how reads handle each fault kind.
func TestGetOrderFaults(t *testing.T) {
	t.Parallel()
	type fault func(t *testing.T, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool
	first := func(fn func(t *testing.T, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc)) fault {
		return func(t *testing.T, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
			if n != 1 {
				return false
			}
			fn(t, w, r, serve)
			return true
		}
	}
	tests := []struct {
		name      string
		fault     fault
		wantGets  int
		wantErr   error
		wantRetry string
	}{
		{"429 then ok", first(func(t *testing.T, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).UnixMilli()))
			w.WriteHeader(http.StatusTooManyRequests)
		}), 2, nil, "429"},
		{"more 429s than MaxAttempts, then ok", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			if n > 6 {
				return false
			}
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}, 7, nil, "429"},
		{"429s, then 500s until the attempts run out", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			if n <= 5 {
				w.WriteHeader(http.StatusTooManyRequests)
			} else {
				w.WriteHeader(http.StatusInternalServerError)
			}
			return true
		}, 5 + 4, ErrUnavailable, "5xx"},
		{"502 then ok", first(func(t *testing.T, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
			w.WriteHeader(http.StatusBadGateway)
		}), 2, nil, "5xx"},
		{"reset then ok", first(func(t *testing.T, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
			conn, _ := hijack(t, w)
			resetConn(conn)
		}), 2, nil, "transport"},
		{"truncated then ok", first(func(t *testing.T, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) {
			conn, bw := hijack(t, w)
			io.WriteString(bw, "HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<TelephoneNumbersAssignmentOrderResponse><OrderId>")
			bw.Flush()
			resetConn(conn)
		}), 2, nil, "transport"},
		{"oversized", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "<TelephoneNumbersAssignmentOrderResponse><!--"+strings.Repeat("x", 70<<10)+"-->")
			return true
		}, 1, ErrResponseTooLarge, ""},
		{"unknown status", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, "<TelephoneNumbersAssignmentOrderResponse><OrderId>a</OrderId><ProcessingStatus>ARCHIVED</ProcessingStatus></TelephoneNumbersAssignmentOrderResponse>")
			return true
		}, 1, ErrBadResponse, ""},
		{"persistent 500", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			w.WriteHeader(http.StatusInternalServerError)
			return true
		}, 4, ErrUnavailable, "5xx"},
		{"persistent reset", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			conn, _ := hijack(t, w)
			resetConn(conn)
			return true
		}, 4, ErrUnavailable, "transport"},
		{"403", func(t *testing.T, n int, w http.ResponseWriter, _ *http.Request, _ http.HandlerFunc) bool {
			w.WriteHeader(http.StatusForbidden)
			return true
		}, 1, ErrForbidden, ""},
		{"redirect is not followed", func(t *testing.T, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
			http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
			return true
		}, 1, &APIError{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			c0 := newClient(t, f, nil)
			created, err := c0.CreateOrder(t.Context(), "9900000", sampleOrder("get-faults"))
			if err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			gets := 0
			f.mu.Lock()
			f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
				mu.Lock()
				gets++
				n := gets
				mu.Unlock()
				return tt.fault(t, n, w, r, serve)
			}
			f.mu.Unlock()
			obs := &recordingObserver{}
			c := newClient(t, f, func(c *Config) {
				c.Observer = obs
				c.MaxResponseBytes = 64 << 10
				c.HTTPClient = nil // the default client: no redirects followed
			})
			resp, err := c.GetOrder(t.Context(), "9900000", created.OrderID)
			mu.Lock()
			if gets != tt.wantGets {
				t.Errorf("%d GETs, want %d", gets, tt.wantGets)
			}
			mu.Unlock()
			if tt.wantRetry != "" && obs.retried(tt.wantRetry) == 0 {
				t.Errorf("no retry %q recorded: %v", tt.wantRetry, obs.retries)
			}
			switch want := tt.wantErr.(type) {
			case nil:
				if err != nil || resp.OrderID != created.OrderID {
					t.Fatalf("GetOrder = %+v, %v", resp, err)
				}
			case *APIError:
				if !errors.As(err, &want) {
					t.Fatalf("error = %v, want an APIError", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Fatalf("error = %v, want %v", err, want)
				}
			}
		})
	}
}

func TestContextCancelledDuringRateLimitWait(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	f.faults = func(w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(30*time.Second).Unix()))
		w.WriteHeader(http.StatusTooManyRequests)
		return true
	}
	c := newClient(t, f, func(c *Config) { c.Retry.MaxRateLimitWait = time.Minute; c.Retry.MaxElapsed = time.Hour })
	ctx, cancel := contextTimeout(t, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.GetOrder(ctx, "9900000", "abc")
	if !errors.Is(err, ErrRateLimited) || time.Since(start) > time.Second {
		t.Fatalf("error = %v after %v; want ErrRateLimited at once (the wait outlasts the context)", err, time.Since(start))
	}
}
