package bandwidth

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func addGoldenSeeds(f *testing.F, names ...string) {
	for _, n := range names {
		f.Add(readGolden(f, n))
	}
}

func FuzzDecodeOrderResponse(f *testing.F) {
	addGoldenSeeds(f, "guide_response_partial.xml", "guide_response_error.xml", "not_found_response.xml", "list_response.xml")
	f.Add([]byte(`<TelephoneNumbersAssignmentOrderResponse><OrderId>a</OrderId><OrderStatus>received</OrderStatus><Errors><Error><Code>1</Code></Error></Errors></TelephoneNumbersAssignmentOrderResponse>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := decodeOrderResponse(data, 200)
		if err != nil {
			return
		}
		if r.OrderID == "" || r.TotalQuantity < 0 || r.FailedQuantity < 0 {
			t.Fatalf("accepted a response without an id or with a negative count: %+v", r)
		}
		if _, err := ParseStatus(string(r.Status)); err != nil {
			t.Fatalf("accepted unknown status %q", r.Status)
		}
		if a := r.Order.Action; a != "" && !a.Valid() {
			t.Fatalf("accepted unknown action %q", a)
		}
	})
}

func FuzzDecodeOrderList(f *testing.F) {
	addGoldenSeeds(f, "list_response.xml", "guide_response_partial.xml")
	f.Add([]byte(`<TelephoneNumbersAssignmentOrders><TotalCount>0</TotalCount></TelephoneNumbersAssignmentOrders>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := decodeOrderList(data)
		if err != nil {
			return
		}
		if l.TotalCount < 0 {
			t.Fatalf("negative TotalCount %d", l.TotalCount)
		}
		for _, s := range l.Orders {
			if s.OrderID == "" {
				t.Fatal("accepted a summary without an OrderId")
			}
			if _, err := ParseStatus(string(s.Status)); err != nil {
				t.Fatalf("accepted unknown status %q", s.Status)
			}
		}
	})
}

func FuzzDecodeErrorDoc(f *testing.F) {
	addGoldenSeeds(f, "guide_response_error.xml", "not_found_response.xml", "guide_response_partial.xml")
	f.Add([]byte(`<R><ErrorList><Error><Code>1019</Code><Description>Bad` + "\x1b[31m" + `</Description></Error></ErrorList></R>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e := newAPIError("create order", 400, data)
		if e.Description == "" || len(e.Description) > 300+len("…") {
			t.Fatalf("description of %d bytes", len(e.Description))
		}
		if !utf8.ValidString(e.Description) || strings.IndexFunc(e.Description, unicode.IsControl) >= 0 {
			t.Fatalf("description not sanitized: %q", e.Description)
		}
		_ = e.Error()
	})
}

func FuzzLooksLikeHTML(f *testing.F) {
	addGoldenSeeds(f, "guide_response_partial.xml", "list_response.xml", "not_found_response.xml")
	f.Add([]byte(" \r\n<!DOCTYPE html><html></html>"))
	f.Add([]byte("\xef\xbb\xbf<HTML>"))
	f.Add([]byte("<htm"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The reference: strip white space and a byte order mark, then compare prefixes in lower case.
		s := strings.TrimLeft(strings.TrimPrefix(strings.TrimLeft(string(data), " \t\r\n"), "\ufeff"), " \t\r\n")
		lower := strings.ToLower(s[:min(len(s), 20)])
		want := strings.HasPrefix(lower, "<!doctype html") || strings.HasPrefix(lower, "<html")
		if got := looksLikeHTML(data); got != want {
			t.Fatalf("looksLikeHTML(%q) = %v, want %v", data, got, want)
		}
		if want {
			if _, err := decodeOrderResponse(data, 200); err == nil {
				t.Fatalf("an HTML page decoded as an order: %q", data)
			}
		}
	})
}
