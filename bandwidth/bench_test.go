package bandwidth

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func bigOrder() Order {
	return Order{CustomerOrderID: "job-0123456789abcdef batch-0001", Action: ActionAssign, TelephoneNumbers: numbers(MaxNumbersPerOrder)}
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
