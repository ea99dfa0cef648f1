package bandwidth

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeBandwidth is a minimal stand-in for Bandwidth's numbersAssignment endpoints, written for these
// tests independently of the client's XML types (bwsim is the full simulator). Orders are stored;
// a fault hook may intercept any request.
type fakeBandwidth struct {
	srv *httptest.Server

	mu       sync.Mutex
	orders   []*fakeOrder
	posts    int // POST requests that reached the handler
	gets     int
	lists    int
	faults   func(w http.ResponseWriter, r *http.Request, serve http.HandlerFunc) bool // true: handled
	auth     func(r *http.Request) bool                                                // nil: accept all
	progress []string                                                                  // statuses returned by successive GETs; last repeats
	hideFor  int                                                                       // list calls that do not yet show a new order
	missFor  int                                                                       // GETs by id answered 404 first
	status   string                                                                    // overrides every status when set
}

type fakeOrder struct {
	id, coid, action string
	numbers          []string
	created          time.Time
	gets             int
	listedAfter      int // list calls needed before it shows
}

type fakeOrderDoc struct {
	CustomerOrderID string   `xml:"CustomerOrderId"`
	Action          string   `xml:"Action"`
	Numbers         []string `xml:"TelephoneNumbers>TelephoneNumber"`
}

func newFake(t *testing.T) *fakeBandwidth {
	t.Helper()
	f := &fakeBandwidth{progress: []string{"FINAL"}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.handle))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBandwidth) counts() (posts, gets, lists, created int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.posts, f.gets, f.lists, len(f.orders)
}

func (f *fakeBandwidth) handle(w http.ResponseWriter, r *http.Request) {
	if f.auth != nil && !f.auth(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="fake"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	f.mu.Lock()
	faults := f.faults
	f.mu.Unlock()
	if faults != nil && faults(w, r, f.serve) {
		return
	}
	f.serve(w, r)
}

func (f *fakeBandwidth) serve(w http.ResponseWriter, r *http.Request) {
	i := strings.Index(r.URL.Path, "/accounts/")
	if i < 0 {
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path[i:], "/accounts/"), "/")
	if len(parts) < 2 || parts[1] != "numbersAssignment" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	switch {
	case r.Method == http.MethodPost && len(parts) == 2:
		f.create(w, r, parts[0])
	case r.Method == http.MethodGet && len(parts) == 3:
		f.get(w, parts[0], parts[2])
	case r.Method == http.MethodGet && len(parts) == 2:
		f.list(w, r, parts[0])
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (f *fakeBandwidth) create(w http.ResponseWriter, r *http.Request, account string) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts++
	var doc fakeOrderDoc
	if r.Header.Get("Content-Type") != "application/xml" || xml.Unmarshal(body, &doc) != nil {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><ErrorCode>1019</ErrorCode><Description>Bad request</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`)
		return
	}
	if doc.Action != "ASSIGN" && doc.Action != "UNASSIGN" {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><TelephoneNumbersAssignmentOrderResponse><ResponseStatus><ErrorCode>13554</ErrorCode><Description>Assignment action is invalid. Valid values ASSIGN, UNASSIGN</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`)
		return
	}
	o := &fakeOrder{
		id:   fmt.Sprintf("00000000-0000-4000-8000-%012d", len(f.orders)+1),
		coid: doc.CustomerOrderID, action: doc.Action, numbers: doc.Numbers,
		created: time.Now().UTC(), listedAfter: f.lists + f.hideFor,
	}
	f.orders = append(f.orders, o)
	w.Header().Set("Location", r.URL.Path+"/"+o.id)
	w.WriteHeader(http.StatusCreated)
	io.WriteString(w, f.orderXML(account, o, "RECEIVED"))
}

func (f *fakeBandwidth) find(id string) *fakeOrder {
	for _, o := range f.orders {
		if o.id == id {
			return o
		}
	}
	return nil
}

func (f *fakeBandwidth) get(w http.ResponseWriter, account, id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	o := f.find(id)
	if o == nil || f.missFor > 0 {
		f.missFor--
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `<TelephoneNumbersAssignmentOrderResponse><ResponseStatus><Description>The resource does not exist</Description></ResponseStatus></TelephoneNumbersAssignmentOrderResponse>`)
		return
	}
	o.gets++
	st := f.progress[min(o.gets, len(f.progress))-1]
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, f.orderXML(account, o, st))
}

// failed reports the numbers the fake refuses: those starting with 999 are not owned (5076).
func failed(numbers []string) []string {
	var out []string
	for _, n := range numbers {
		if strings.HasPrefix(n, "999") {
			out = append(out, n)
		}
	}
	return out
}

func finalStatus(o *fakeOrder) string {
	switch n := len(failed(o.numbers)); {
	case n == 0:
		return "COMPLETE"
	case n == len(o.numbers):
		return "FAILED"
	}
	return "PARTIAL"
}

func (f *fakeBandwidth) orderXML(account string, o *fakeOrder, status string) string {
	if status == "FINAL" {
		status = finalStatus(o)
	}
	if f.status != "" {
		status = f.status
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<TelephoneNumbersAssignmentOrderResponse>")
	fmt.Fprintf(&b, "<OrderCreateDate>%s</OrderCreateDate><AccountId>%s</AccountId><CreatedByUser>fake</CreatedByUser>", o.created.Format("2006-01-02T15:04:05.000Z"), account)
	fmt.Fprintf(&b, "<OrderId>%s</OrderId><ProcessingStatus>%s</ProcessingStatus><TotalQuantity>%d</TotalQuantity>", o.id, status, len(o.numbers))
	bad := failed(o.numbers)
	final := status == "COMPLETE" || status == "PARTIAL" || status == "FAILED"
	if final && len(bad) > 0 {
		fmt.Fprintf(&b, "<FailedQuantity>%d</FailedQuantity>", len(bad))
	}
	b.WriteString("<TelephoneNumbersAssignmentOrder>")
	if o.coid != "" {
		fmt.Fprintf(&b, "<CustomerOrderId>%s</CustomerOrderId>", o.coid)
	}
	fmt.Fprintf(&b, "<Action>%s</Action><TelephoneNumbers>", o.action)
	for _, n := range o.numbers {
		fmt.Fprintf(&b, "<TelephoneNumber>%s</TelephoneNumber>", n)
	}
	b.WriteString("</TelephoneNumbers></TelephoneNumbersAssignmentOrder>")
	if final && len(bad) > 0 {
		b.WriteString("<Errors><Error><Code>5076</Code><Description>Number does not belong to this account.</Description><TelephoneNumbers>")
		for _, n := range bad {
			fmt.Fprintf(&b, "<TelephoneNumber>%s</TelephoneNumber>", n)
		}
		b.WriteString("</TelephoneNumbers></Error></Errors>")
	}
	b.WriteString("</TelephoneNumbersAssignmentOrderResponse>")
	return b.String()
}

func (f *fakeBandwidth) list(w http.ResponseWriter, r *http.Request, account string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	coid := r.URL.Query().Get("customerOrderId")
	var b strings.Builder
	n := 0
	for _, o := range f.orders {
		if (coid != "" && o.coid != coid) || f.lists <= o.listedAfter {
			continue
		}
		n++
		fmt.Fprintf(&b, "<TelephoneNumbersAssignmentOrderSummary><accountId>%s</accountId><CustomerOrderId>%s</CustomerOrderId>"+
			"<TotalQuantity>%d</TotalQuantity><userId>fake</userId><OrderDate>%s</OrderDate><OrderType>NUMBERS_ASSIGNMENT_ORDER</OrderType>"+
			"<OrderStatus>RECEIVED</OrderStatus><Action>%s</Action><OrderId>%s</OrderId></TelephoneNumbersAssignmentOrderSummary>",
			account, o.coid, len(o.numbers), o.created.Format("2006-01-02T15:04:05.000Z"), o.action, o.id)
	}
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "<TelephoneNumbersAssignmentOrders><TotalCount>%d</TotalCount>%s</TelephoneNumbersAssignmentOrders>", n, b.String())
}

// hijack takes over the connection of w, for faults below HTTP.
func hijack(t *testing.T, w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	conn, rw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return nil, nil
	}
	return conn, rw
}

// resetConn closes the connection abruptly (TCP RST where possible).
func resetConn(conn net.Conn) {
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// fastPolicy keeps every wait of the tests in milliseconds.
func fastConfig(baseURL string) Config {
	return Config{
		BaseURL:        baseURL,
		Auth:           BasicAuth("user", "pass"),
		RequestTimeout: 2 * time.Second,
		Retry: RetryPolicy{
			MaxAttempts: 4, MaxElapsed: 5 * time.Second,
			BaseDelay: time.Millisecond, MaxDelay: 4 * time.Millisecond,
			MaxRateLimitWait: 20 * time.Millisecond, CreateLookupWindow: 30 * time.Millisecond,
		},
		Poll: PollPolicy{Initial: time.Millisecond, Max: 4 * time.Millisecond, NotFoundGrace: 200 * time.Millisecond},
	}
}

// newClient returns a client of f with fast policies, adjusted by edit.
func newClient(t *testing.T, f *fakeBandwidth, edit func(*Config)) *Client {
	t.Helper()
	cfg := fastConfig(f.srv.URL + "/api")
	cfg.HTTPClient = f.srv.Client()
	if edit != nil {
		edit(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// recordingObserver counts retries by reason.
type recordingObserver struct {
	mu       sync.Mutex
	retries  map[string]int
	requests int
}

func (o *recordingObserver) ObserveRequest(string, int, time.Duration) {
	o.mu.Lock()
	o.requests++
	o.mu.Unlock()
}

func (o *recordingObserver) ObserveRetry(_ string, reason string) {
	o.mu.Lock()
	if o.retries == nil {
		o.retries = map[string]int{}
	}
	o.retries[reason]++
	o.mu.Unlock()
}

func (o *recordingObserver) retried(reason string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.retries[reason]
}

func sampleOrder(coid string) Order {
	return Order{CustomerOrderID: coid, Action: ActionAssign, TelephoneNumbers: []string{"9195551234", "9995550000", "4158714245"}}
}

func contextTimeout(t *testing.T, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), d)
}
