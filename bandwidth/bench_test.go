package bandwidth

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// stdlibOrder is the order request as encoding/xml would write it: the alternative the hand-written
// encoder is measured against.
type stdlibOrder struct {
	XMLName          xml.Name `xml:"TelephoneNumbersAssignmentOrder"`
	CustomerOrderID  string   `xml:"CustomerOrderId,omitempty"`
	Action           string   `xml:"Action"`
	TelephoneNumbers []string `xml:"TelephoneNumbers>TelephoneNumber"`
}

func encodeOrderStdlib(o Order) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xmlHeader)
	err := xml.NewEncoder(&buf).Encode(stdlibOrder{CustomerOrderID: o.CustomerOrderID, Action: string(o.Action), TelephoneNumbers: o.TelephoneNumbers})
	return buf.Bytes(), err
}

func TestEncodeOrderMatchesStdlib(t *testing.T) {
	t.Parallel()
	for _, o := range []Order{
		{CustomerOrderID: "job-1 batch 2", Action: ActionAssign, TelephoneNumbers: numbers(3)},
		{Action: ActionUnassign, TelephoneNumbers: numbers(1)},
		{CustomerOrderID: `<&>"'`, Action: ActionAssign, TelephoneNumbers: numbers(2)},
	} {
		std, err := encodeOrderStdlib(o)
		if err != nil {
			t.Fatal(err)
		}
		var a, b wireOrder
		if err := unmarshal(encodeOrder(o), &a); err != nil {
			t.Fatal(err)
		}
		if err := unmarshal(std, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("hand-written %+v, encoding/xml %+v", a, b)
		}
	}
}

func bigOrder() Order {
	return Order{CustomerOrderID: "job-0123456789abcdef batch-0001", Action: ActionAssign, TelephoneNumbers: numbers(MaxNumbersPerOrder)}
}

func BenchmarkEncodeOrder(b *testing.B) {
	o := bigOrder()
	b.ReportAllocs()
	b.SetBytes(int64(len(encodeOrder(o))))
	for b.Loop() {
		encodeOrder(o)
	}
	b.ReportMetric(float64(len(o.TelephoneNumbers))*float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
}

func BenchmarkEncodeOrderStdlib(b *testing.B) {
	o := bigOrder()
	enc, _ := encodeOrderStdlib(o)
	b.ReportAllocs()
	b.SetBytes(int64(len(enc)))
	for b.Loop() {
		if _, err := encodeOrderStdlib(o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(o.TelephoneNumbers))*float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
}

// bigResponse is a final PARTIAL response to a 5,000-number order with 10 % of the numbers failed
// under three error codes.
func bigResponse() []byte {
	o := bigOrder()
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n<TelephoneNumbersAssignmentOrderResponse>\n")
	sb.WriteString("  <OrderCreateDate>2016-01-15T11:36:52.727Z</OrderCreateDate>\n  <AccountId>9900000</AccountId>\n  <CreatedByUser>api</CreatedByUser>\n")
	sb.WriteString("  <OrderId>65e03a35-6b97-48a5-8126-f47bad02df2a</OrderId>\n  <ProcessingStatus>PARTIAL</ProcessingStatus>\n")
	fmt.Fprintf(&sb, "  <TotalQuantity>%d</TotalQuantity>\n  <FailedQuantity>%d</FailedQuantity>\n", len(o.TelephoneNumbers), len(o.TelephoneNumbers)/10)
	sb.WriteString("  <TelephoneNumbersAssignmentOrder>\n    <CustomerOrderId>" + o.CustomerOrderID + "</CustomerOrderId>\n    <Action>ASSIGN</Action>\n    <TelephoneNumbers>\n")
	for _, n := range o.TelephoneNumbers {
		sb.WriteString("      <TelephoneNumber>" + n + "</TelephoneNumber>\n")
	}
	sb.WriteString("    </TelephoneNumbers>\n  </TelephoneNumbersAssignmentOrder>\n  <Errors>\n")
	for i, code := range []int{5076, 5130, 5131} {
		fmt.Fprintf(&sb, "    <Error>\n      <Code>%d</Code>\n      <Description>Error number %d.</Description>\n      <TelephoneNumbers>\n", code, i)
		for j := i; j < len(o.TelephoneNumbers); j += 30 {
			sb.WriteString("        <TelephoneNumber>" + o.TelephoneNumbers[j] + "</TelephoneNumber>\n")
		}
		sb.WriteString("      </TelephoneNumbers>\n    </Error>\n")
	}
	sb.WriteString("  </Errors>\n</TelephoneNumbersAssignmentOrderResponse>\n")
	return []byte(sb.String())
}

// BenchmarkDecodeOrderResponse measures the client's decoder, the scanner-based fast path, on
// bigResponse; BenchmarkDecodeOrderResponseStrict measures encoding/xml on the same document.
func BenchmarkDecodeOrderResponse(b *testing.B) {
	benchmarkDecodeOrderResponse(b, decodeOrderResponse)
}

func BenchmarkDecodeOrderResponseStrict(b *testing.B) {
	benchmarkDecodeOrderResponse(b, decodeOrderResponseStrict)
}

func benchmarkDecodeOrderResponse(b *testing.B, decode func([]byte, int) (*OrderResponse, error)) {
	doc := bigResponse()
	r, err := decode(doc, 200)
	if err != nil || len(r.Order.TelephoneNumbers) != MaxNumbersPerOrder || len(r.Errors) != 3 {
		b.Fatalf("bad fixture: %v", err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := decode(doc, 200); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(MaxNumbersPerOrder)*float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkDecodeOrderList and BenchmarkDecodeOrderListStrict compare the two decoders on a list
// of 1,000 summaries, the most Bandwidth returns.
func BenchmarkDecodeOrderList(b *testing.B) {
	benchmarkDecodeOrderList(b, decodeOrderList)
}

func BenchmarkDecodeOrderListStrict(b *testing.B) {
	benchmarkDecodeOrderList(b, decodeOrderListStrict)
}

func benchmarkDecodeOrderList(b *testing.B, decode func([]byte) (*OrderList, error)) {
	golden, err := os.ReadFile(filepath.Join("testdata", "list_response.xml"))
	if err != nil {
		b.Fatal(err)
	}
	s := string(golden)
	first := s[strings.Index(s, "<TelephoneNumbersAssignmentOrderSummary>"):strings.Index(s, "</TelephoneNumbersAssignmentOrderSummary>")]
	first += "</TelephoneNumbersAssignmentOrderSummary>\n"
	var sb strings.Builder
	sb.WriteString(s[:strings.Index(s, "<TelephoneNumbersAssignmentOrderSummary>")])
	sb.WriteString(strings.Repeat(first, 1000))
	sb.WriteString("</TelephoneNumbersAssignmentOrders>\n")
	doc := []byte(sb.String())
	if l, err := decode(doc); err != nil || len(l.Orders) != 1000 {
		b.Fatalf("bad fixture: %v", err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := decode(doc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(1000*float64(b.N)/b.Elapsed().Seconds(), "orders/s")
}

// BenchmarkValidateOrder measures Order.Validate on a valid 5,000-number order, which runs once per
// order created; it should not allocate.
func BenchmarkValidateOrder(b *testing.B) {
	o := bigOrder()
	b.ReportAllocs()
	for b.Loop() {
		if err := o.Validate(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(o.TelephoneNumbers))*float64(b.N)/b.Elapsed().Seconds(), "numbers/s")
}
