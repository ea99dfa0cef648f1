package bwsim_test

import (
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
)

// TestGuideSample sends the guide's sample request the way the guide's curl does and expects the
// guide's sample response byte for byte, but for the order id and the customer order id (the
// guide's sample response echoes a different one than its sample request carries).
func TestGuideSample(t *testing.T) {
	t.Parallel()
	clk := newClock(time.Date(2016, 1, 15, 11, 36, 52, 727_000_000, time.UTC))
	srv := start(t, func(c *bwsim.Config) {
		c.Accounts = []bwsim.Account{{ID: "1", OwnedPrefixes: bwsim.DefaultOwnedPrefixes()}}
		c.Username, c.Password = "jbm", "secret"
		c.ProcessingPolls = 0
		c.Now = clk.Now
	})
	request, err := os.ReadFile("testdata/guide-request.xml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/guide-response.xml")
	if err != nil {
		t.Fatal(err)
	}
	// curl -d @file strips newlines; send it that way, with curl's form content type.
	body := strings.ReplaceAll(string(request), "\n", "")
	res := do(t, srv, call{method: http.MethodPost, path: "/api/accounts/1/numbersAssignment", body: body,
		user: "jbm", pass: "secret", header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if res.status != http.StatusCreated {
		t.Fatalf("status %d, want 201\n%s", res.status, res.body)
	}
	got := decode[orderDoc](t, res.body)
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(got.OrderID) {
		t.Errorf("OrderId %q is not a random UUID", got.OrderID)
	}
	wantText := strings.NewReplacer(
		"65e03a35-6b97-48a5-8126-f47bad02df2a", got.OrderID,
		"ICPA123ABC", "12345",
	).Replace(string(want))
	if strings.TrimSpace(string(res.body)) != strings.TrimSpace(wantText) {
		t.Errorf("response differs from the guide's sample:\ngot:\n%s\nwant:\n%s", res.body, wantText)
	}
	if loc, want := res.header.Get("Location"), srv.URL+"/accounts/1/numbersAssignment/"+got.OrderID; loc != want {
		t.Errorf("Location = %q, want %q", loc, want)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type = %q", ct)
	}
}

// TestRequestErrors covers every request-level refusal of the create endpoint.
func TestRequestErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) {
		c.Accounts = append(c.Accounts, bwsim.Account{ID: "42", OwnedPrefixes: []string{"919555"}, AssignmentDisabled: true})
		c.MaxRequestBytes = 1 << 20
	})
	ok := numbers(0, 1)
	tests := []struct {
		name   string
		path   string
		body   string
		status int
		code   int // 0: no ErrorCode element
		text   string
	}{
		{"invalid action", ordersPath, orderXML("", "ASSIGNED", ok...), 400, 13554,
			"Assignment action is invalid. Valid values ASSIGN, UNASSIGN"},
		{"lower-case action", ordersPath, orderXML("", "assign", ok...), 400, 13554, ""},
		{"missing action", ordersPath, "<TelephoneNumbersAssignmentOrder><TelephoneNumbers><TelephoneNumber>9195550000</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>", 400, 13554, ""},
		{"too many numbers", ordersPath, orderXML("", "ASSIGN", numbers(0, 5001)...), 400, 15607,
			"The count of Telephone numbers in POST body exceeds the maximum size of 5000"},
		{"no numbers", ordersPath, orderXML("", "ASSIGN"), 400, 15611, "List of telephone numbers is required"},
		{"no TelephoneNumbers element", ordersPath, "<TelephoneNumbersAssignmentOrder><Action>ASSIGN</Action></TelephoneNumbersAssignmentOrder>", 400, 15611, ""},
		{"customer order id too long", ordersPath, orderXML(strings.Repeat("a", 41), "ASSIGN", ok...), 400, 5052,
			"Customer order ID is invalid. Only alphanumeric values, dashes and spaces are allowed. Max length is 40 characters."},
		{"customer order id bad character", ordersPath, orderXML("a_b", "ASSIGN", ok...), 400, 5052, ""},
		{"customer order id empty", ordersPath, orderXML("", "ASSIGN", ok...)[0:0] + "<TelephoneNumbersAssignmentOrder><CustomerOrderId></CustomerOrderId><Action>ASSIGN</Action><TelephoneNumbers><TelephoneNumber>9195550000</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>", 400, 5052, ""},
		{"malformed XML", ordersPath, "<TelephoneNumbersAssignmentOrder><Action>ASSIGN</Action>", 400, 1019,
			"Bad request encountered. Please check your request and try again."},
		{"wrong root", ordersPath, "<Order><Action>ASSIGN</Action></Order>", 400, 1019, ""},
		{"empty body", ordersPath, "", 400, 1019, ""},
		{"feature disabled", "/api/accounts/42/numbersAssignment", orderXML("", "ASSIGN", ok...), 400, 12752,
			"Number assignment capability is not allowed on this account."},
		{"body too large", ordersPath, orderXML("", "ASSIGN", numbers(0, 1)...) + strings.Repeat(" ", 1<<20), 413, 0, ""},
		{"unknown account", "/api/accounts/123/numbersAssignment", orderXML("", "ASSIGN", ok...), 403, 5051,
			"Not authorized to perform operation on the account '123'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := do(t, srv, call{method: http.MethodPost, path: tt.path, body: tt.body})
			if res.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", res.status, tt.status, res.body)
			}
			doc := decode[orderDoc](t, res.body)
			if doc.Status == nil {
				t.Fatalf("no ResponseStatus in\n%s", res.body)
			}
			if got := childNames(t, res.body, "TelephoneNumbersAssignmentOrderResponse"); !slices.Equal(got, []string{"ResponseStatus"}) {
				t.Errorf("root children = %v, want just ResponseStatus", got)
			}
			switch {
			case tt.code == 0 && doc.Status.ErrorCode != nil:
				t.Errorf("ErrorCode = %d, want none", *doc.Status.ErrorCode)
			case tt.code != 0 && (doc.Status.ErrorCode == nil || *doc.Status.ErrorCode != tt.code):
				t.Errorf("ErrorCode = %v, want %d", doc.Status.ErrorCode, tt.code)
			}
			if tt.text != "" && doc.Status.Description != tt.text {
				t.Errorf("Description = %q, want %q", doc.Status.Description, tt.text)
			}
		})
	}
	if got := len(srv.Received()); got != 0 {
		t.Errorf("Received() has %d orders after refusals only", got)
	}
}

// TestGuideErrorSample checks the invalid-action answer against the guide's unsuccessful sample.
func TestGuideErrorSample(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	want, err := os.ReadFile("testdata/guide-error-response.xml")
	if err != nil {
		t.Fatal(err)
	}
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "MOVE", numbers(0, 1)...)})
	if strings.TrimSpace(string(res.body)) != strings.TrimSpace(string(want)) {
		t.Errorf("got\n%s\nwant\n%s", res.body, want)
	}
}

// TestInvalidActionCodeConfigurable checks the catalogue's alternative code can be chosen.
func TestInvalidActionCodeConfigurable(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.InvalidActionCode = 5129 })
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "X", numbers(0, 1)...)})
	if doc := decode[orderDoc](t, res.body); doc.Status == nil || *doc.Status.ErrorCode != 5129 {
		t.Errorf("got %s", res.body)
	}
}

// TestNumberErrors covers per-number outcomes and the final status they lead to.
func TestNumberErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) {
		c.ProcessingPolls = 0
		c.Accounts[0].OwnedNumbers = []string{"2125551234"}
		c.Accounts[0].NotInService = []string{"9195559999", "3035550000"}
	})
	tests := []struct {
		name   string
		tns    []string
		status string
		failed []errorDoc // nil: no Errors
	}{
		{"all owned", []string{"9195550001", "4158710000", "4352159999", "2125551234"}, "COMPLETE", nil},
		{"one not owned", []string{"9199918388", "4158714245"}, "PARTIAL",
			[]errorDoc{{5076, "Number does not belong to this account.", []string{"9199918388"}}}},
		{"invalid and not owned, grouped by code in input order",
			[]string{"123", "2125550000", "9195550002", "0195550000", "2125550001", "9195551000", "919555123x", "9115550000", "2925550000", "2120550000"},
			"PARTIAL",
			[]errorDoc{
				{5070, "Telephone number is invalid.", []string{"123", "0195550000", "919555123x", "9115550000", "2925550000", "2120550000"}},
				{5076, "Number does not belong to this account.", []string{"2125550000", "2125550001"}},
			}},
		{"not in service", []string{"9195559999", "3035550000"}, "FAILED",
			[]errorDoc{{5131, "Number assignment is not allowed for numbers that are not in service.", []string{"9195559999", "3035550000"}}}},
		{"all failed", []string{"2125550000"}, "FAILED",
			[]errorDoc{{5076, "Number does not belong to this account.", []string{"2125550000"}}}},
		{"white space around numbers is trimmed", []string{"  9195550003\n  "}, "COMPLETE", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			doc := create(t, srv, orderXML("", "ASSIGN", tt.tns...))
			if doc.ProcessingStatus != tt.status {
				t.Errorf("ProcessingStatus = %s, want %s", doc.ProcessingStatus, tt.status)
			}
			if doc.TotalQuantity != len(tt.tns) {
				t.Errorf("TotalQuantity = %d, want %d", doc.TotalQuantity, len(tt.tns))
			}
			failed := 0
			for _, e := range tt.failed {
				failed += len(e.Numbers)
			}
			switch {
			case failed == 0 && doc.FailedQuantity != nil:
				t.Errorf("FailedQuantity present (%d) without failures", *doc.FailedQuantity)
			case failed > 0 && (doc.FailedQuantity == nil || *doc.FailedQuantity != failed):
				t.Errorf("FailedQuantity = %v, want %d", doc.FailedQuantity, failed)
			}
			if !slices.EqualFunc(doc.Errors, tt.failed, func(a, b errorDoc) bool {
				return a.Code == b.Code && a.Description == b.Description && slices.Equal(a.Numbers, b.Numbers)
			}) {
				t.Errorf("Errors = %+v, want %+v", doc.Errors, tt.failed)
			}
			if tt.failed == nil && slices.Contains(childNames(t, []byte(orderXMLResponse(t, srv, doc.OrderID)), "TelephoneNumbersAssignmentOrderResponse"), "Errors") {
				t.Error("Errors element present without failures")
			}
		})
	}
}

func orderXMLResponse(t *testing.T, srv *bwsim.Server, id string) string {
	t.Helper()
	return string(do(t, srv, call{method: http.MethodGet, path: ordersPath + "/" + id}).body)
}

// TestResponseShape checks element order and omissions of final and non-final order documents.
func TestResponseShape(t *testing.T) {
	t.Parallel()
	srv := start(t, nil) // ProcessingPolls 1
	res := do(t, srv, call{method: http.MethodPost, path: ordersPath, body: orderXML("", "UNASSIGN", "9195550000", "2125550000")})
	if !strings.HasPrefix(string(res.body), `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`) {
		t.Errorf("no XML declaration:\n%s", res.body)
	}
	root := "TelephoneNumbersAssignmentOrderResponse"
	pending := []string{"OrderCreateDate", "AccountId", "CreatedByUser", "OrderId", "ProcessingStatus", "TotalQuantity", "TelephoneNumbersAssignmentOrder"}
	if got := childNames(t, res.body, root); !slices.Equal(got, pending) {
		t.Errorf("RECEIVED children = %v, want %v", got, pending)
	}
	if got := childNames(t, res.body, root, "TelephoneNumbersAssignmentOrder"); !slices.Equal(got, []string{"Action", "TelephoneNumbers"}) {
		t.Errorf("echo without customer order id = %v", got)
	}
	doc := decode[orderDoc](t, res.body)
	if doc.ProcessingStatus != "RECEIVED" || doc.CreatedByUser != "demo" || doc.AccountID != "9900000" {
		t.Errorf("doc = %+v", doc)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", doc.OrderCreateDate); err != nil {
		t.Errorf("OrderCreateDate %q: %v", doc.OrderCreateDate, err)
	}
	get(t, srv, doc.OrderID)
	final := do(t, srv, call{method: http.MethodGet, path: ordersPath + "/" + doc.OrderID})
	all := []string{"OrderCreateDate", "AccountId", "CreatedByUser", "OrderId", "ProcessingStatus", "TotalQuantity", "FailedQuantity", "TelephoneNumbersAssignmentOrder", "Errors"}
	if got := childNames(t, final.body, root); !slices.Equal(got, all) {
		t.Errorf("final children = %v, want %v", got, all)
	}
	if got := childNames(t, final.body, root, "Errors", "Error"); !slices.Equal(got, []string{"Code", "Description", "TelephoneNumbers"}) {
		t.Errorf("Error children = %v", got)
	}
}

// TestInventoryState checks assign, re-assign and unassign against the assigned set.
func TestInventoryState(t *testing.T) {
	t.Parallel()
	srv := start(t, func(c *bwsim.Config) { c.ProcessingPolls = 0 })
	const tn = "9195550123"
	steps := []struct {
		action   string
		status   string
		assigned bool
	}{
		{"UNASSIGN", "COMPLETE", false}, // an owned, unassigned number: accepted, stays unassigned
		{"ASSIGN", "COMPLETE", true},
		{"ASSIGN", "COMPLETE", true}, // a refresh
		{"UNASSIGN", "COMPLETE", false},
	}
	for i, st := range steps {
		doc := create(t, srv, orderXML("step-"+st.action, st.action, tn))
		if doc.ProcessingStatus != st.status || srv.Assigned("9900000", tn) != st.assigned {
			t.Errorf("step %d %s: status %s assigned %v, want %s %v", i, st.action, doc.ProcessingStatus, srv.Assigned("9900000", tn), st.status, st.assigned)
		}
	}
	create(t, srv, orderXML("", "ASSIGN", "2125550000"))
	if srv.Assigned("9900000", "2125550000") {
		t.Error("a failed number became assigned")
	}
	received := srv.Received()
	if len(received) != 5 || received[1].Action != "ASSIGN" || received[1].CustomerOrderID != "step-ASSIGN" ||
		!slices.Equal(received[1].TelephoneNumbers, []string{tn}) || received[4].CustomerOrderID != "" {
		t.Errorf("Received() = %+v", received)
	}
}

// TestBasePaths checks every documented base path, and that Location keeps the one used.
func TestBasePaths(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	for _, base := range []string{"/api", "/api/v1", "/api/v2", "/v1.0"} {
		t.Run(base, func(t *testing.T) {
			t.Parallel()
			res := do(t, srv, call{method: http.MethodPost, path: base + "/accounts/9900000/numbersAssignment", body: orderXML("", "ASSIGN", "9195550000")})
			if res.status != http.StatusCreated {
				t.Fatalf("status %d", res.status)
			}
			loc := res.header.Get("Location")
			if !strings.Contains(loc, base+"/accounts/9900000/numbersAssignment/") {
				t.Errorf("Location %q lacks base %s", loc, base)
			}
			got := do(t, srv, call{method: http.MethodGet, path: strings.TrimPrefix(loc, strings.TrimSuffix(srv.URL, "/api"))})
			if got.status != http.StatusOK {
				t.Errorf("GET Location: %d", got.status)
			}
		})
	}
}

// TestRoutes checks unknown paths and methods.
func TestRoutes(t *testing.T) {
	t.Parallel()
	srv := start(t, nil)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{http.MethodGet, "/api/accounts/9900000/orders", 404, ""},
		{http.MethodGet, "/nope", 404, ""},
		{http.MethodDelete, ordersPath, 405, "GET, POST"},
		{http.MethodPut, ordersPath + "/x", 405, "GET"},
		{http.MethodGet, "/api/v1/oauth2/token", 405, "POST"},
	}
	for _, tt := range tests {
		res := do(t, srv, call{method: tt.method, path: tt.path})
		if res.status != tt.status || res.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: %d Allow %q, want %d %q", tt.method, tt.path, res.status, res.header.Get("Allow"), tt.status, tt.allow)
		}
	}
}
