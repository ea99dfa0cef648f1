package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCreateOrderFaults shows, per fault kind, that CreateOrder ends with exactly one order at
// Bandwidth (or none, where it must give up) and resends only when Bandwidth has none.
func TestCreateOrderFaults(t *testing.T) {
	t.Parallel()
	type fault func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool
	// onFirstPost applies fault to the first POST only.
	onFirstPost := func(fn fault) fault {
		return func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
			if r.Method != http.MethodPost || n != 1 {
				return false
			}
			return fn(t, f, n, w, r, serve)
		}
	}
	createThen := func(then func(t *testing.T, w http.ResponseWriter, rec *httptest.ResponseRecorder)) fault {
		return func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
			rec := httptest.NewRecorder()
			serve(rec, r)
			then(t, w, rec)
			return true
		}
	}
	tests := []struct {
		name        string
		fault       fault
		hideFor     int // list calls that do not show a new order yet
		edit        func(*Config)
		wantWire    int  // POSTs on the wire
		minWire     bool // wantWire is a minimum: the count depends on timing
		wantCreated int
		wantErr     error
		wantRetry   string
		wantLookup  bool // the fake must have been searched before any resend
		noLookup    bool // the fake must not have been searched
	}{
		{
			name: "no fault",
			fault: func(*testing.T, *fakeBandwidth, int, http.ResponseWriter, *http.Request, http.HandlerFunc) bool {
				return false
			},
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "429 with reset header is resent without lookup",
			fault: onFirstPost(func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			}),
			wantWire: 2, wantCreated: 1, wantRetry: "429", noLookup: true,
		},
		{
			name: "503 before creating: looked up, none, resent",
			fault: onFirstPost(func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			}),
			wantWire: 2, wantCreated: 1, wantRetry: "5xx", wantLookup: true,
		},
		{
			name: "500 after creating: found, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
				w.WriteHeader(http.StatusInternalServerError)
			})),
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "connection reset before creating: looked up, none, resent",
			fault: onFirstPost(func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				conn, _ := hijack(t, w)
				resetConn(conn)
				return true
			}),
			wantWire: 2, wantCreated: 1, wantRetry: "transport", wantLookup: true,
		},
		{
			name: "lost create response: found by CustomerOrderId, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
				conn, _ := hijack(t, w)
				resetConn(conn)
			})),
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "lost create response, order slow to show in searches: still found",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
				conn, _ := hijack(t, w)
				resetConn(conn)
			})),
			hideFor:  3,
			edit:     func(c *Config) { c.Retry.CreateLookupWindow = time.Second },
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "truncated 201 body: found, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, rec *httptest.ResponseRecorder) {
				conn, bw := hijack(t, w)
				body := rec.Body.String()
				fmt.Fprintf(bw, "HTTP/1.1 201 Created\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body[:len(body)/2])
				bw.Flush()
				resetConn(conn)
			})),
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "malformed 201 body: found, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, rec *httptest.ResponseRecorder) {
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, rec.Body.String()[:rec.Body.Len()/2])
			})),
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "oversized 201 body: found, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, rec *httptest.ResponseRecorder) {
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, strings.Replace(rec.Body.String(), "<OrderId>", "<!--"+strings.Repeat("x", 64<<10)+"--><OrderId>", 1))
			})),
			edit:     func(c *Config) { c.MaxResponseBytes = 32 << 10 },
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "timeout after creating: found, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
				time.Sleep(150 * time.Millisecond)
				w.WriteHeader(http.StatusInternalServerError)
			})),
			edit:     func(c *Config) { c.RequestTimeout = 50 * time.Millisecond },
			wantWire: 1, wantCreated: 1,
		},
		{
			name: "400 is returned, not retried",
			fault: onFirstPost(func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><ErrorCode>13554</ErrorCode><Description>Assignment action is invalid.</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`)
				return true
			}),
			wantWire: 1, wantCreated: 0, wantErr: &APIError{HTTPStatus: 400, Code: 13554},
		},
		{
			name: "persistent 503: gives up, nothing created",
			fault: func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if r.Method != http.MethodPost {
					return false
				}
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			},
			wantWire: 4, wantCreated: 0, wantErr: ErrUnavailable,
		},
		{
			name: "persistent 429: outlasts MaxAttempts, gives up at MaxElapsed with ErrRateLimited",
			fault: func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if r.Method != http.MethodPost {
					return false
				}
				w.Header().Set("X-RateLimit-Reset", "0")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			},
			edit:     func(c *Config) { c.Retry.MaxElapsed = 60 * time.Millisecond },
			wantWire: 4 + 1, minWire: true, wantCreated: 0, wantErr: ErrRateLimited, noLookup: true,
		},
		{
			name: "429s do not spend the attempts of 5xx",
			fault: func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if r.Method != http.MethodPost {
					return false
				}
				if n <= 6 {
					w.WriteHeader(http.StatusTooManyRequests)
				} else {
					w.WriteHeader(http.StatusServiceUnavailable)
				}
				return true
			},
			// 6 throttled sends, then MaxAttempts (4) failed ones; each 503 is looked up first.
			wantWire: 6 + 4, wantCreated: 0, wantErr: ErrUnavailable, wantLookup: true,
		},
		{
			name: "more 429s than MaxAttempts, then created",
			fault: func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, _ http.HandlerFunc) bool {
				if r.Method != http.MethodPost || n > 9 {
					return false
				}
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			},
			wantWire: 10, wantCreated: 1, wantRetry: "429", noLookup: true,
		},
		{
			name: "confirmed 201 but never findable: outcome unknown, not resent",
			fault: onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
				w.WriteHeader(http.StatusCreated)
				io.WriteString(w, "<not-xml")
			})),
			hideFor:  1000,
			wantWire: 1, wantCreated: 1, wantErr: ErrOutcomeUnknown,
		},
		{
			name: "lookup fails: outcome unknown, not resent",
			fault: func(t *testing.T, f *fakeBandwidth, n int, w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
				if r.Method == http.MethodGet {
					w.WriteHeader(http.StatusBadGateway)
					return true
				}
				return onFirstPost(createThen(func(t *testing.T, w http.ResponseWriter, _ *httptest.ResponseRecorder) {
					conn, _ := hijack(t, w)
					resetConn(conn)
				}))(t, f, n, w, r, serve)
			},
			wantWire: 1, wantCreated: 1, wantErr: ErrOutcomeUnknown,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.hideFor = tt.hideFor
			var posts atomic.Int32
			f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
				n := 0
				if r.Method == http.MethodPost {
					n = int(posts.Add(1))
				}
				return tt.fault(t, f, n, w, r, serve)
			}
			obs := &recordingObserver{}
			c := newClient(t, f, func(c *Config) {
				c.Observer = obs
				if tt.edit != nil {
					tt.edit(c)
				}
			})
			o := sampleOrder("job-1 batch-0001")
			resp, err := c.CreateOrder(t.Context(), "9900000", o)
			_, _, lists, created := f.counts()
			if (tt.wantLookup && lists < 2) || (tt.noLookup && lists != 0) {
				t.Errorf("%d lookups by CustomerOrderId", lists)
			}
			if wire := int(posts.Load()); (wire != tt.wantWire && !tt.minWire) || wire < tt.wantWire || created != tt.wantCreated {
				t.Errorf("POSTs sent %d, orders created %d; want %d, %d", wire, created, tt.wantWire, tt.wantCreated)
			}
			if tt.wantRetry != "" && obs.retried(tt.wantRetry) == 0 {
				t.Errorf("no retry with reason %q recorded: %v", tt.wantRetry, obs.retries)
			}
			if tt.wantErr != nil {
				var want *APIError
				if errors.As(tt.wantErr, &want) {
					var got *APIError
					if !errors.As(err, &got) || got.HTTPStatus != want.HTTPStatus || got.Code != want.Code || got.Retryable || got.Op != "create order" {
						t.Fatalf("error = %#v, want APIError %d/%d", err, want.HTTPStatus, want.Code)
					}
					return
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("CreateOrder: %v", err)
			}
			if resp.OrderID == "" || resp.Order.CustomerOrderID != o.CustomerOrderID || len(resp.Order.TelephoneNumbers) != 3 {
				t.Errorf("response = %+v", resp)
			}
		})
	}
}

func TestCreateOrderValidatesBeforeSending(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	c := newClient(t, f, nil)
	bad := []Order{
		{Action: ActionAssign, TelephoneNumbers: []string{"9195551234"}},
		{CustomerOrderID: "x", Action: "ASSIGNED", TelephoneNumbers: []string{"9195551234"}},
		{CustomerOrderID: "x", Action: ActionAssign},
		{CustomerOrderID: "x", Action: ActionAssign, TelephoneNumbers: []string{"+19195551234"}},
		{CustomerOrderID: "<x>", Action: ActionAssign, TelephoneNumbers: []string{"9195551234"}},
	}
	for _, o := range bad {
		if _, err := c.CreateOrder(t.Context(), "9900000", o); !errors.Is(err, ErrInvalidOrder) {
			t.Errorf("CreateOrder(%+v) error = %v, want ErrInvalidOrder", o, err)
		}
	}
	if _, err := c.CreateOrder(t.Context(), "../x", sampleOrder("a")); !errors.Is(err, ErrInvalidOrder) {
		t.Errorf("bad account id: error = %v", err)
	}
	if posts, gets, lists, _ := f.counts(); posts+gets+lists != 0 {
		t.Errorf("requests were sent: %d %d %d", posts, gets, lists)
	}
}

func TestCreateOrderContextCancelledAfterSend(t *testing.T) {
	t.Parallel()
	f := newFake(t)
	release := make(chan struct{})
	f.faults = func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool {
		if r.Method == http.MethodPost {
			serve(httptest.NewRecorder(), r)
			select {
			case <-release:
			case <-r.Context().Done():
			}
			return true
		}
		return false
	}
	c := newClient(t, f, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err := c.CreateOrder(ctx, "9900000", sampleOrder("cancelled-1"))
	close(release)
	if !errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("error = %v, want ErrOutcomeUnknown", err)
	}
}
