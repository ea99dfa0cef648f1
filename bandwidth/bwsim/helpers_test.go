package bwsim_test

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// start runs a simulator with the default configuration changed by edit.
func start(t *testing.T, edit func(*bwsim.Config)) *bwsim.Server {
	t.Helper()
	cfg := bwsim.DefaultConfig()
	if edit != nil {
		edit(&cfg)
	}
	srv := bwsim.NewServer(cfg)
	t.Cleanup(srv.Close)
	return srv
}

// call is one HTTP request in a test.
type call struct {
	method, path string // path relative to the server root, e.g. /api/accounts/…
	body         string
	user, pass   string // Basic credentials; "" uses demo/demo unless noAuth or bearer is set
	bearer       string
	noAuth       bool
	header       http.Header
}

// result is a response, fully read.
type result struct {
	status int
	header http.Header
	body   []byte
	err    error // transport or read error
}

// do sends c to srv.
func do(t *testing.T, srv *bwsim.Server, c call) result {
	t.Helper()
	root := strings.TrimSuffix(srv.URL, "/api")
	var body io.Reader
	if c.body != "" {
		body = strings.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), c.method, root+c.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case c.noAuth:
	case c.bearer != "":
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.user != "":
		req.SetBasicAuth(c.user, c.pass)
	default:
		req.SetBasicAuth("demo", "demo")
	}
	if c.body != "" {
		req.Header.Set("Content-Type", "application/xml")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{status: resp.StatusCode, header: resp.Header, body: b, err: err}
}

const ordersPath = "/api/accounts/9900000/numbersAssignment"

// orderXML builds a create request body.
func orderXML(customerOrderID, action string, tns ...string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<TelephoneNumbersAssignmentOrder>\n")
	if customerOrderID != "" {
		fmt.Fprintf(&b, "  <CustomerOrderId>%s</CustomerOrderId>\n", customerOrderID)
	}
	fmt.Fprintf(&b, "  <Action>%s</Action>\n  <TelephoneNumbers>\n", action)
	for _, tn := range tns {
		fmt.Fprintf(&b, "    <TelephoneNumber>%s</TelephoneNumber>\n", tn)
	}
	b.WriteString("  </TelephoneNumbers>\n</TelephoneNumbersAssignmentOrder>\n")
	return b.String()
}

// numbers returns n owned numbers starting at 9195550000+from.
func numbers(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("919555%04d", from+i)
	}
	return out
}

// orderDoc is the test's own decoding of TelephoneNumbersAssignmentOrderResponse.
type orderDoc struct {
	XMLName          xml.Name `xml:"TelephoneNumbersAssignmentOrderResponse"`
	OrderCreateDate  string
	AccountID        string `xml:"AccountId"`
	CreatedByUser    string
	OrderID          string `xml:"OrderId"`
	ProcessingStatus string
	TotalQuantity    int
	FailedQuantity   *int
	Order            *struct {
		CustomerOrderID *string  `xml:"CustomerOrderId"`
		Action          string   `xml:"Action"`
		Numbers         []string `xml:"TelephoneNumbers>TelephoneNumber"`
	} `xml:"TelephoneNumbersAssignmentOrder"`
	Errors []errorDoc `xml:"Errors>Error"`
	Status *statusDoc `xml:"ResponseStatus"`
}

type errorDoc struct {
	Code        int
	Description string
	Numbers     []string `xml:"TelephoneNumbers>TelephoneNumber"`
}

type statusDoc struct {
	ErrorCode   *int
	Description string
}

// listDoc is the test's decoding of TelephoneNumbersAssignmentOrders.
type listDoc struct {
	XMLName    xml.Name `xml:"TelephoneNumbersAssignmentOrders"`
	TotalCount int
	Orders     []struct {
		AccountID       string `xml:"accountId"`
		CustomerOrderID string `xml:"CustomerOrderId"`
		TotalQuantity   int
		FailedQuantity  int
		UserID          string `xml:"userId"`
		OrderDate       string
		OrderType       string
		OrderStatus     string
		Action          string
		OrderID         string `xml:"OrderId"`
	} `xml:"TelephoneNumbersAssignmentOrderSummary"`
	Status *statusDoc `xml:"ResponseStatus"`
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := xml.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T: %v\n%s", v, err, body)
	}
	return v
}

// childNames lists the names of the elements directly inside the element at path (root first),
// in document order.
func childNames(t *testing.T, body []byte, path ...string) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(body))
	var stack []string
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("tokenize: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if len(stack) == len(path) && equalStrings(stack, path) {
				out = append(out, e.Name.Local)
			}
			stack = append(stack, e.Name.Local)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// clock is a settable clock for Config.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock(t time.Time) *clock { return &clock{now: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// create posts an order and returns the decoded 201 answer.
func create(t *testing.T, srv *bwsim.Server, body string) orderDoc {
	t.Helper()
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: body})
	if res.err != nil || res.status != http.StatusCreated {
		t.Fatalf("create: status %d, err %v\n%s", res.status, res.err, res.body)
	}
	return decode[orderDoc](t, res.body)
}

// get fetches an order and returns the decoded 200 answer.
func get(t *testing.T, srv *bwsim.Server, id string) orderDoc {
	t.Helper()
	res := do(t, srv, call{method: http.MethodGet, path: ordersPath + "/" + id})
	if res.err != nil || res.status != http.StatusOK {
		t.Fatalf("get: status %d, err %v\n%s", res.status, res.err, res.body)
	}
	return decode[orderDoc](t, res.body)
}
