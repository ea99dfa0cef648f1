package wire

import (
	"bytes"
	"encoding/xml"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// maxNumbers is the most numbers an order holds (bandwidth.MaxNumbersPerOrder).
const maxNumbers = 5000

// testNumbers returns n distinct ten-digit numbers.
func testNumbers(n int) []string {
	tns := make([]string, n)
	for i := range tns {
		tns[i] = strconv.Itoa(9190000000 + i)
	}
	return tns
}

// bigOrder is an order of the most numbers Bandwidth accepts.
func bigOrder() Order {
	return Order{CustomerOrderID: "job-0123456789abcdef batch-0001", Action: "ASSIGN", TelephoneNumbers: testNumbers(maxNumbers)}
}

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
	err := xml.NewEncoder(&buf).Encode(stdlibOrder{CustomerOrderID: o.CustomerOrderID, Action: o.Action, TelephoneNumbers: o.TelephoneNumbers})
	return buf.Bytes(), err
}

func TestEncodeOrderMatchesStdlib(t *testing.T) {
	t.Parallel()
	for _, o := range []Order{
		{CustomerOrderID: "job-1 batch 2", Action: "ASSIGN", TelephoneNumbers: testNumbers(3)},
		{Action: "UNASSIGN", TelephoneNumbers: testNumbers(1)},
		{CustomerOrderID: `<&>"'`, Action: "ASSIGN", TelephoneNumbers: testNumbers(2)},
	} {
		std, err := encodeOrderStdlib(o)
		if err != nil {
			t.Fatal(err)
		}
		var a, b Order
		if err := Unmarshal(EncodeOrder(o), &a); err != nil {
			t.Fatal(err)
		}
		if err := Unmarshal(std, &b); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("hand-written %+v, encoding/xml %+v", a, b)
		}
	}
}

func BenchmarkEncodeOrder(b *testing.B) {
	o := bigOrder()
	b.ReportAllocs()
	b.SetBytes(int64(len(EncodeOrder(o))))
	for b.Loop() {
		EncodeOrder(o)
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

func TestEncodeOrderEscapes(t *testing.T) {
	t.Parallel()
	// Orders are validated before encoding, but the encoder must stay well-formed regardless.
	for _, id := range []string{`a&b<c>"d'e`, "tab\tnl\ncr\r", "bad\xffutf8\x00ctl", "日本-ok", ""} {
		o := Order{CustomerOrderID: id, Action: "UNASSIGN", TelephoneNumbers: []string{"1234567890", "<x/>"}}
		var w Order
		if err := Unmarshal(EncodeOrder(o), &w); err != nil {
			t.Errorf("encoding of %q is not well-formed: %v", id, err)
			continue
		}
		if w.TelephoneNumbers[1] != "<x/>" || w.Action != "UNASSIGN" {
			t.Errorf("round trip of %q: %+v", id, w)
		}
		if strings.ToValidUTF8(id, "") == id && !strings.ContainsAny(id, "\x00") && w.CustomerOrderID != id {
			t.Errorf("CustomerOrderId %q came back as %q", id, w.CustomerOrderID)
		}
	}
}

func FuzzEncodeOrder(f *testing.F) {
	f.Add("12345", "9199918388", "4158714245")
	f.Add("a&b<c>", "\x00\xff", "]]>")
	f.Fuzz(func(t *testing.T, id, n1, n2 string) {
		enc := EncodeOrder(Order{CustomerOrderID: id, Action: "ASSIGN", TelephoneNumbers: []string{n1, n2}})
		var w Order
		if err := Unmarshal(enc, &w); err != nil {
			t.Fatalf("not well-formed for %q %q %q: %v\n%s", id, n1, n2, err, enc)
		}
		// Text made of XML characters other than CR (which XML normalizes) round-trips exactly;
		// the decoded fields are trimmed, as the client trims what it reads.
		for _, pair := range [][2]string{{id, w.CustomerOrderID}, {n1, w.TelephoneNumbers[0]}, {n2, w.TelephoneNumbers[1]}} {
			if validXMLText(pair[0]) && pair[0] != pair[1] {
				t.Fatalf("%q came back as %q", pair[0], pair[1])
			}
		}
	})
}

func validXMLText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !xmlChar(r) {
			return false
		}
	}
	return true
}
