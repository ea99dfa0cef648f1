package bwsim

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// parsed is an orderRequest in comparable form.
type parsed struct {
	customerOrderID    string
	hasCustomerOrderID bool
	action             string
	numbers            []string
}

func flatten(r orderRequest) parsed {
	p := parsed{customerOrderID: r.customerOrderID, hasCustomerOrderID: r.hasCustomerOrderID, action: r.action}
	start := uint32(0)
	for _, end := range r.numbers.ends {
		p.numbers = append(p.numbers, string(r.numbers.blob[start:end]))
		start = end
	}
	return p
}

func (p parsed) equal(q parsed) bool {
	return p.customerOrderID == q.customerOrderID && p.hasCustomerOrderID == q.hasCustomerOrderID &&
		p.action == q.action && slices.Equal(p.numbers, q.numbers)
}

func TestParseOrderRequest(t *testing.T) {
	t.Parallel()
	guide, err := os.ReadFile("testdata/guide-request.xml")
	if err != nil {
		t.Fatal(err)
	}
	guideWant := parsed{"12345", true, "ASSIGN", []string{"9199918388", "4158714245", "4352154439", "4352154466"}}
	tests := []struct {
		name string
		body string
		fast bool // the fast path takes it
		want parsed
	}{
		{"guide sample", string(guide), true, guideWant},
		{"guide sample, newlines stripped as by curl -d", strings.ReplaceAll(string(guide), "\n", ""), true, guideWant},
		{"no declaration, alphabetical children (Bandwidth's Go CLI order)",
			"<TelephoneNumbersAssignmentOrder><Action>UNASSIGN</Action><CustomerOrderId>x 1-2</CustomerOrderId><TelephoneNumbers><TelephoneNumber>9195550000</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>",
			true, parsed{"x 1-2", true, "UNASSIGN", []string{"9195550000"}}},
		{"Go's xml.Header and tabs", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<TelephoneNumbersAssignmentOrder>\n\t<Action> ASSIGN\n</Action>\n\t<TelephoneNumbers>\n\t\t<TelephoneNumber> 9195550000 </TelephoneNumber>\n\t</TelephoneNumbers>\n</TelephoneNumbersAssignmentOrder>\n",
			true, parsed{"", false, "ASSIGN", []string{"9195550000"}}},
		{"two TelephoneNumbers lists", "<TelephoneNumbersAssignmentOrder><TelephoneNumbers><TelephoneNumber>1</TelephoneNumber></TelephoneNumbers><Action>ASSIGN</Action><TelephoneNumbers><TelephoneNumber>2</TelephoneNumber><TelephoneNumber></TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>",
			true, parsed{"", false, "ASSIGN", []string{"1", "2", ""}}},
		{"namespace, attributes, comments, CDATA, entities, unknown elements",
			`<?xml version="1.0"?><!-- hi --><TelephoneNumbersAssignmentOrder xmlns="urn:x" a="b"><Extra><Action>NO</Action></Extra><CustomerOrderId>a&amp;b<!--c-->d</CustomerOrderId><Action><![CDATA[ASSIGN]]></Action><TelephoneNumbers count="1"><TelephoneNumber>919<x>ignored</x>5550000</TelephoneNumber><Other>9</Other></TelephoneNumbers><TelephoneNumber>5</TelephoneNumber></TelephoneNumbersAssignmentOrder>`,
			false, parsed{"a&bd", true, "ASSIGN", []string{"9195550000"}}},
		{"self-closing elements", "<TelephoneNumbersAssignmentOrder><Action/><TelephoneNumbers/></TelephoneNumbersAssignmentOrder>",
			false, parsed{"", false, "", nil}},
		{"CRLF line ends", "<TelephoneNumbersAssignmentOrder>\r\n<Action>ASSIGN</Action>\r\n<CustomerOrderId>a\r\nb</CustomerOrderId></TelephoneNumbersAssignmentOrder>",
			false, parsed{"a\nb", true, "ASSIGN", nil}},
		{"last Action wins", "<TelephoneNumbersAssignmentOrder><Action>UNASSIGN</Action><Action>ASSIGN</Action></TelephoneNumbersAssignmentOrder>",
			true, parsed{"", false, "ASSIGN", nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseOrderRequest([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !flatten(got).equal(tt.want) {
				t.Errorf("got %+v, want %+v", flatten(got), tt.want)
			}
			if _, fast := fastParseOrder([]byte(tt.body)); fast != tt.fast {
				t.Errorf("fast path took it: %v, want %v", fast, tt.fast)
			}
			slow, err := decodeOrderRequest([]byte(tt.body))
			if err != nil || !flatten(slow).equal(tt.want) {
				t.Errorf("decoder: %+v, %v", flatten(slow), err)
			}
		})
	}
}

func TestParseOrderRequestMalformed(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"",
		"   ",
		"ASSIGN",
		"<TelephoneNumbersAssignmentOrder>",
		"<TelephoneNumbersAssignmentOrder><Action>ASSIGN</Actin></TelephoneNumbersAssignmentOrder>",
		"<TelephoneNumbersAssignmentOrder></TelephoneNumbersAssignmentOrder><TelephoneNumbersAssignmentOrder></TelephoneNumbersAssignmentOrder>",
		"<TelephoneNumbersAssignmentOrder></TelephoneNumbersAssignmentOrder>trailing",
		"text<TelephoneNumbersAssignmentOrder></TelephoneNumbersAssignmentOrder>",
		"<Order><Action>ASSIGN</Action></Order>",
		"<TelephoneNumbersAssignmentOrder><Action>A&nbsp;</Action></TelephoneNumbersAssignmentOrder>",
		`<?xml version="1.0" encoding="ISO-8859-1"?><TelephoneNumbersAssignmentOrder></TelephoneNumbersAssignmentOrder>`,
		"<TelephoneNumbersAssignmentOrder><Action>\x00</Action></TelephoneNumbersAssignmentOrder>",
	} {
		if got, err := parseOrderRequest([]byte(body)); !errors.Is(err, errMalformed) {
			t.Errorf("%q: got %+v, %v; want errMalformed", body, flatten(got), err)
		}
	}
}

// FuzzParseOrderRequest checks the request parser never panics and that its fast path, wherever it
// takes an input, agrees exactly with encoding/xml.
func FuzzParseOrderRequest(f *testing.F) {
	guide, err := os.ReadFile("testdata/guide-request.xml")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(guide)
	f.Add([]byte(strings.ReplaceAll(string(guide), "\n", "")))
	f.Add([]byte("<TelephoneNumbersAssignmentOrder><Action>UNASSIGN</Action><CustomerOrderId>x 1-2</CustomerOrderId><TelephoneNumbers><TelephoneNumber>9195550000</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>"))
	f.Add([]byte(`<?xml version='1.0' standalone='no'?><TelephoneNumbersAssignmentOrder><Action>X</Action><TelephoneNumbers><TelephoneNumber>a&lt;</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>`))
	f.Add([]byte("<TelephoneNumbersAssignmentOrder><Action/><TelephoneNumbers/></TelephoneNumbersAssignmentOrder>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseOrderRequest(body)
		if err != nil && !errors.Is(err, errMalformed) {
			t.Fatalf("error %v does not wrap errMalformed", err)
		}
		fast, ok := fastParseOrder(body)
		if !ok {
			return
		}
		slow, err := decodeOrderRequest(body)
		if err != nil {
			t.Fatalf("fast path accepted what encoding/xml rejects (%v): %q", err, body)
		}
		if !flatten(fast).equal(flatten(slow)) || !flatten(got).equal(flatten(slow)) {
			t.Fatalf("fast %+v != decoder %+v for %q", flatten(fast), flatten(slow), body)
		}
	})
}

// orderBody builds a 5,000-number request like a client sends it.
func orderBody(n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<TelephoneNumbersAssignmentOrder><CustomerOrderId>bench-1</CustomerOrderId><Action>ASSIGN</Action><TelephoneNumbers>")
	for i := range n {
		fmt.Fprintf(&b, "<TelephoneNumber>919555%04d</TelephoneNumber>", i%10000)
	}
	b.WriteString("</TelephoneNumbers></TelephoneNumbersAssignmentOrder>")
	return []byte(b.String())
}

func BenchmarkParseOrderRequest(b *testing.B) {
	body := orderBody(MaxNumbersPerOrder)
	for _, bb := range []struct {
		name  string
		parse func([]byte) (orderRequest, error)
	}{
		{"fast", parseOrderRequest},
		{"encoding-xml", decodeOrderRequest},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, err := bb.parse(body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)*MaxNumbersPerOrder/b.Elapsed().Seconds(), "numbers/s")
		})
	}
}
