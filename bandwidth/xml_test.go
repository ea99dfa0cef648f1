package bandwidth

import (
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/internal/wire"
)

func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeOrderResponseStrict is decodeOrderResponse on encoding/xml alone: the reference the fast
// path is checked and measured against.
func decodeOrderResponseStrict(data []byte, httpStatus int) (*OrderResponse, error) {
	var w wire.OrderResponse
	if err := wire.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	return orderResponseFrom(&w, data, httpStatus)
}

// decodeOrderListStrict is decodeOrderList on encoding/xml alone.
func decodeOrderListStrict(data []byte) (*OrderList, error) {
	var w wire.OrderList
	if err := wire.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("order list: %w", err)
	}
	return orderListFrom(&w)
}

// guideNumbers are the numbers of the guide's sample request.
var guideNumbers = []string{"9199918388", "4158714245", "4352154439", "4352154466"}

func TestGoldenOrderResponse(t *testing.T) {
	t.Parallel()
	got, err := decodeOrderResponse(readGolden(t, "guide_response_partial.xml"), 201)
	if err != nil {
		t.Fatal(err)
	}
	want := &OrderResponse{
		OrderID:         "65e03a35-6b97-48a5-8126-f47bad02df2a",
		AccountID:       "1",
		CreatedByUser:   "jbm",
		OrderCreateDate: time.Date(2016, 1, 15, 11, 36, 52, 727e6, time.UTC),
		Status:          StatusPartial,
		TotalQuantity:   4,
		FailedQuantity:  1,
		Order:           Order{CustomerOrderID: "ICPA123ABC", Action: ActionAssign, TelephoneNumbers: guideNumbers},
		Errors: []NumberError{{
			Code: 5076, Description: "Number does not belong to this account.", TelephoneNumbers: []string{"9199918388"},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, want)
	}
}

func TestGoldenErrorResponse(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		file     string
		status   int
		code     int
		desc     string
		sentinel error
	}{
		{"guide_response_error.xml", 400, 13554, "Assignment action is invalid. Valid values ASSIGN, UNASSIGN", nil},
		{"not_found_response.xml", 404, 0, "The resource does not exist", ErrNotFound},
	} {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body := readGolden(t, tt.file)
			e := newAPIError("get order", tt.status, body)
			if e.Code != tt.code || e.Description != tt.desc || e.HTTPStatus != tt.status || e.Retryable {
				t.Errorf("APIError = %+v", e)
			}
			if tt.sentinel != nil && !errors.Is(e, tt.sentinel) {
				t.Errorf("%v does not match %v", e, tt.sentinel)
			}
			// The same document in a 2xx is an error too, not an order.
			_, err := decodeOrderResponse(body, 200)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Code != tt.code {
				t.Errorf("decodeOrderResponse error = %v", err)
			}
		})
	}
}

func TestGoldenRequest(t *testing.T) {
	t.Parallel()
	var golden, ours wire.Order
	if err := xml.Unmarshal(readGolden(t, "guide_request.xml"), &golden); err != nil {
		t.Fatal(err)
	}
	o := Order{CustomerOrderID: "12345", Action: ActionAssign, TelephoneNumbers: guideNumbers}
	enc := encodeOrder(o)
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	var root struct{ XMLName xml.Name }
	if err := xml.Unmarshal(enc, &root); err != nil || root.XMLName.Local != "TelephoneNumbersAssignmentOrder" {
		t.Fatalf("root = %v, %v", root.XMLName, err)
	}
	if err := wire.Unmarshal(enc, &ours); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(golden, ours) {
		t.Errorf("encoded\n%s\ndecodes to %+v, the guide's to %+v", enc, ours, golden)
	}
	if !strings.HasPrefix(string(enc), `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`) {
		t.Errorf("no XML declaration: %s", enc)
	}
	// Element order as in the guide.
	s := string(enc)
	if !(strings.Index(s, "<CustomerOrderId>") < strings.Index(s, "<Action>") && strings.Index(s, "<Action>") < strings.Index(s, "<TelephoneNumbers>")) {
		t.Errorf("element order differs from the guide: %s", enc)
	}
}

func TestGoldenList(t *testing.T) {
	t.Parallel()
	l, err := decodeOrderList(readGolden(t, "list_response.xml"))
	if err != nil {
		t.Fatal(err)
	}
	want := &OrderList{TotalCount: 3, Orders: []OrderSummary{
		{OrderID: "d8f5abc0-1a4c-4c36-b387-93fb5b430784", AccountID: "1", CustomerOrderID: "ICPA123ABC", UserID: "jbm",
			OrderDate: time.Date(2016, 1, 15, 11, 36, 26, 633e6, time.UTC), OrderType: "NUMBERS_ASSIGNMENT_ORDER",
			Status: StatusPartial, Action: ActionAssign, TotalQuantity: 4, FailedQuantity: 1},
		{OrderID: "0b3f1c2e-5d6a-4b7c-8d9e-0f1a2b3c4d5e", AccountID: "1", UserID: "jbm",
			OrderDate: time.Date(2016, 1, 16, 9, 0, 0, 0, time.UTC), OrderType: "NUMBERS_ASSIGNMENT_ORDER",
			Status: StatusComplete, Action: ActionUnassign, TotalQuantity: 2},
		{OrderID: "7c1e2d3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", AccountID: "1", CustomerOrderID: "batch-7", UserID: "jbm",
			OrderDate: time.Date(2016, 1, 17, 10, 0, 0, 0, time.UTC), OrderType: "NUMBERS_ASSIGNMENT_ORDER",
			Status: StatusReceived, Action: ActionAssign, TotalQuantity: 5000},
	}}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", l, want)
	}
}

func TestDecodeOrderResponseDefensive(t *testing.T) {
	t.Parallel()
	const head = `<TelephoneNumbersAssignmentOrderResponse><OrderId>x</OrderId>`
	const tail = `</TelephoneNumbersAssignmentOrderResponse>`
	tests := []struct {
		name   string
		doc    string
		want   Status
		errHas string
	}{
		{"ProcessingStatus", head + `<ProcessingStatus>COMPLETE</ProcessingStatus>` + tail, StatusComplete, ""},
		{"OrderStatus fallback", head + `<OrderStatus>FAILED</OrderStatus>` + tail, StatusFailed, ""},
		{"lower case and spaces", head + `<ProcessingStatus> processing </ProcessingStatus>` + tail, StatusProcessing, ""},
		{"unknown status", head + `<ProcessingStatus>DONE</ProcessingStatus>` + tail, "", "unknown order status"},
		{"missing status", head + tail, "", "no ProcessingStatus"},
		{"missing OrderId", `<TelephoneNumbersAssignmentOrderResponse><ProcessingStatus>COMPLETE</ProcessingStatus>` + tail, "", "no OrderId"},
		{"negative quantity", head + `<ProcessingStatus>COMPLETE</ProcessingStatus><TotalQuantity>-1</TotalQuantity>` + tail, "", "not a count"},
		{"huge quantity", head + `<ProcessingStatus>COMPLETE</ProcessingStatus><TotalQuantity>99999999999999999999</TotalQuantity>` + tail, "", "not a count"},
		{"bad error code", head + `<ProcessingStatus>PARTIAL</ProcessingStatus><Errors><Error><Code>x</Code></Error></Errors>` + tail, "", "not a number"},
		{"unknown action", head + `<ProcessingStatus>COMPLETE</ProcessingStatus><TelephoneNumbersAssignmentOrder><Action>DELETE</Action></TelephoneNumbersAssignmentOrder>` + tail, "", "unknown action"},
		{"wrong root", `<Other><OrderId>x</OrderId></Other>`, "", "expected element type"},
		{"truncated", head + `<ProcessingStatus>COMPL`, "", "EOF"},
		{"trailing element", head + `<ProcessingStatus>COMPLETE</ProcessingStatus>` + tail + `<x/>`, "", "after the root"},
		{"trailing comment is fine", head + `<ProcessingStatus>COMPLETE</ProcessingStatus>` + tail + "\n<!-- c -->\n", StatusComplete, ""},
		{"unknown elements ignored", head + `<ProcessingStatus>COMPLETE</ProcessingStatus><New><A/></New>` + tail, StatusComplete, ""},
		{"empty", ``, "", "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r, err := decodeOrderResponse([]byte(tt.doc), 200)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error = %v, want one containing %q", err, tt.errHas)
				}
				return
			}
			if err != nil || r.Status != tt.want {
				t.Fatalf("got %+v, %v; want status %s", r, err, tt.want)
			}
		})
	}
}

func TestDecodeErrorDocShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		code int
		desc string
		ok   bool
	}{
		{"ResponseStatus", `<R><ResponseStatus><ErrorCode>5052</ErrorCode><Description>bad id</Description></ResponseStatus></R>`, 5052, "bad id", true},
		{"ErrorList", `<R><ErrorList><Error><Code>1019</Code><Description>Bad request</Description></Error></ErrorList></R>`, 1019, "Bad request", true},
		{"Errors", `<R><Errors><Error><Code>12752</Code><Description>not allowed</Description></Error></Errors></R>`, 12752, "not allowed", true},
		{"bare ResponseStatus root", `<ResponseStatus><ErrorCode>1</ErrorCode><Description>d</Description></ResponseStatus>`, 1, "d", true},
		{"non-numeric code kept out", `<R><ResponseStatus><ErrorCode>abc</ErrorCode><Description>d</Description></ResponseStatus></R>`, 0, "d", true},
		{"no error", `<R><Other/></R>`, 0, "", false},
		{"not XML", `Internal Server Error`, 0, "", false},
		{"empty", ``, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ed, err := decodeErrorDoc([]byte(tt.doc))
			if (err == nil) != tt.ok || ed.code != tt.code || ed.description != tt.desc {
				t.Errorf("got %+v, %v", ed, err)
			}
		})
	}
}
