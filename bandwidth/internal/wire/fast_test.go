package wire

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// readGolden returns a golden document of the client's testdata.
func readGolden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// bigResponse is the guide's PARTIAL response grown to an order of maxNumbers numbers, a tenth of
// them failed: the size of response the client decodes most.
func bigResponse(t testing.TB) []byte {
	const guideNumber = "<TelephoneNumber>9199918388</TelephoneNumber>"
	var all, failed strings.Builder
	for i, tn := range testNumbers(maxNumbers) {
		line := "<TelephoneNumber>" + tn + "</TelephoneNumber>\n"
		all.WriteString(line)
		if i%10 == 0 {
			failed.WriteString(line)
		}
	}
	s := string(readGolden(t, "guide_response_partial.xml"))
	s = strings.Replace(s, guideNumber, all.String(), 1) // the order's numbers
	s = strings.Replace(s, guideNumber, failed.String(), 1)
	s = strings.Replace(s, "<TotalQuantity>4</TotalQuantity>", "<TotalQuantity>"+strconv.Itoa(maxNumbers)+"</TotalQuantity>", 1)
	return []byte(s)
}

// checkScanner fails t unless the scanner's verdict on data agrees with encoding/xml's: a document
// the scanner accepts must decode to the same wire struct under Unmarshal, and a document it
// rejects as malformed must be rejected by Unmarshal too. Refusing a construct
// (errScanUnsupported) is always allowed. The combined decoder must match Unmarshal exactly.
func checkScanner[W any](t testing.TB, data []byte, scan, combined func([]byte, *W) error) {
	t.Helper()
	var strict, fast, both W
	serr := Unmarshal(data, &strict)
	ferr := scan(data, &fast)
	switch {
	case ferr == nil && serr != nil:
		t.Fatalf("scanner accepted %q, which encoding/xml rejects: %v", data, serr)
	case ferr == nil && !reflect.DeepEqual(fast, strict):
		t.Fatalf("scanner decoded %q to\n%+v\nencoding/xml to\n%+v", data, fast, strict)
	case ferr != nil && serr == nil && !errors.Is(ferr, errScanUnsupported):
		t.Fatalf("scanner rejected %q (%v), which encoding/xml accepts", data, ferr)
	}
	berr := combined(data, &both)
	if fmt.Sprint(berr) != fmt.Sprint(serr) || !reflect.DeepEqual(both, strict) {
		t.Fatalf("fast path on %q: %+v, %v; encoding/xml: %+v, %v", data, both, berr, strict, serr)
	}
}

// checkFastVsStrict holds both fast decoders to encoding/xml's answers on data. (The client's
// conversion of a decoded document is a function of the wire struct and the document alone, so
// equal structs and errors here mean equal orders and lists there.)
func checkFastVsStrict(t testing.TB, data []byte) {
	t.Helper()
	checkScanner(t, data, scanOrderResponse, DecodeOrderResponse)
	checkScanner(t, data, scanOrderList, DecodeOrderList)
}

const (
	respOpen  = "<TelephoneNumbersAssignmentOrderResponse>"
	respClose = "</TelephoneNumbersAssignmentOrderResponse>"
)

// resp wraps body in an order response root.
func resp(body string) string { return respOpen + body + respClose }

// scannerCases are documents that exercise each rule the scanner shares with encoding/xml, valid
// and not. They are the table of TestScanMatchesStrict and seeds of FuzzDecodeFastVsStrict.
var scannerCases = []struct{ name, doc string }{
	{"minimal", resp("<OrderId>a</OrderId><OrderStatus>RECEIVED</OrderStatus>")},
	{"self-closing root", "<TelephoneNumbersAssignmentOrderResponse/>"},
	{"self-closing fields", resp("<OrderId/><ResponseStatus/><Errors><Error/></Errors>")},
	{"entities", resp("<OrderId>&lt;&gt;&amp;&apos;&quot;</OrderId>")},
	{"numeric references", resp("<OrderId>&#65;&#x42;&#x0043;&#000068;&#x10FFFF;&#xd800;</OrderId>")},
	{"reference to NUL", resp("<OrderId>&#0;</OrderId>")},
	{"reference to U+FFFE", resp("<OrderId>&#xFFFE;</OrderId>")},
	{"reference out of range", resp("<OrderId>&#x110000;</OrderId>")},
	{"reference overflow", resp("<OrderId>&#99999999999999999999999;</OrderId>")},
	{"uppercase X reference", resp("<OrderId>&#X41;</OrderId>")},
	{"empty reference", resp("<OrderId>&#;&#x;</OrderId>")},
	{"unknown entity", resp("<OrderId>&nbsp;</OrderId>")},
	{"entity without semicolon", resp("<OrderId>&amp</OrderId>")},
	{"bare ampersand", resp("<OrderId>a & b</OrderId>")},
	{"CDATA", resp("<OrderId><![CDATA[<a>&amp;]]]></OrderId>")},
	{"CDATA unterminated", resp("<OrderId><![CDATA[abc</OrderId>")},
	{"bad CDATA opener", resp("<OrderId><![CDAT[x]]></OrderId>")},
	{"]]> in text", resp("<OrderId>a]]>b</OrderId>")},
	{"]> in text", resp("<OrderId>a]>b]]</OrderId>")},
	{"line ends", resp("<OrderId>a\r\nb\rc\n\r</OrderId><Description>\r<!---->\n</Description>")},
	{"CR in CDATA", resp("<OrderId><![CDATA[a\r\nb\r]]></OrderId>")},
	{"CR reference", resp("<OrderId>&#13;\n&#xD;</OrderId>")},
	{"split text", resp("<OrderId>a<!--c-->b<?pi x?>c<![CDATA[d]]>e<x>skip<y/></x>f</OrderId>")},
	{"repeated scalar", resp("<OrderId>a</OrderId><OrderId>b</OrderId><OrderId/>")},
	{"merged structs", resp("<ResponseStatus><ErrorCode>1</ErrorCode></ResponseStatus><ResponseStatus><Description>d</Description></ResponseStatus>")},
	{"merged orders", resp("<TelephoneNumbersAssignmentOrder><TelephoneNumbers><TelephoneNumber>1</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder><TelephoneNumbersAssignmentOrder><Action>x</Action><TelephoneNumbers><TelephoneNumber>2</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>")},
	{"error lists", resp("<ErrorList><Error><Code>1</Code></Error><Other/><Error><Description>x</Description></Error></ErrorList><Errors><Error><TelephoneNumbers><TelephoneNumber>3</TelephoneNumber><Other>4</Other></TelephoneNumbers></Error></Errors>")},
	{"misplaced elements", resp("<Error><Code>1</Code></Error><TelephoneNumber>5</TelephoneNumber><Errors><Errors><Error/></Errors></Errors>")},
	{"attributes", resp(`<OrderId a="1" b='2'c = "&amp;>" d="]]>">x</OrderId>`)},
	{"attribute without value", resp(`<OrderId a>x</OrderId>`)},
	{"unquoted attribute", resp(`<OrderId a=1>x</OrderId>`)},
	{"< in attribute", resp(`<OrderId a="<">x</OrderId>`)},
	{"bad entity in attribute", resp(`<OrderId a="&x;">x</OrderId>`)},
	{"namespace declaration", `<TelephoneNumbersAssignmentOrderResponse xmlns="urn:x"><OrderId>a</OrderId>` + respClose},
	{"prefixed elements", `<p:TelephoneNumbersAssignmentOrderResponse xmlns:p="urn:x"><p:OrderId>a</p:OrderId></p:TelephoneNumbersAssignmentOrderResponse>`},
	{"undeclared prefix", resp("<q:OrderId>a</q:OrderId>")},
	{"mismatched end tag", resp("<OrderId>a</OrderI>")},
	{"space in end tag", resp("<OrderId>a</OrderId \n>")},
	{"space in start tag", resp("<OrderId\t>a</OrderId>")},
	{"bad name", resp("<1OrderId>a</1OrderId>")},
	{"non-ASCII name", resp("<Ordér>a</Ordér>")},
	{"declarations", "<?xml version='1.0' encoding='utf-8'?>\n<?xml version=\"1.0\"?>" + resp("<?xml encoding=\"UTF-8\"?>") + "<?xml?>"},
	{"version 1.1", `<?xml version="1.1"?>` + resp("")},
	{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?>` + resp("")},
	{"odd declaration", `<?xml versionx="2" version=1.1 version="1.0"?>` + resp("")},
	{"other instruction", `<?xml-stylesheet href="a"?><?a:b?>` + resp("")},
	{"unterminated instruction", `<?xml version="1.0"` + resp("")},
	{"instruction without target", `<? x?>` + resp("")},
	{"DOCTYPE", `<!DOCTYPE r [<!ENTITY e "x">]>` + resp("")},
	{"comments", "<!---->" + resp("<!-- a - b -->") + "<!--x-->"},
	{"double hyphen in comment", resp("<!-- a -- b -->")},
	{"comment ending --->", resp("<!-- a --->")},
	{"bad comment opener", resp("<!-x-->")},
	{"BOM and text before root", "\ufeffjunk &amp; more" + resp("")},
	{"text after root", resp("") + "x"},
	{"entity after root", resp("") + "&amp;"},
	{"space after root", resp("") + " \r\n\t&#xA0;<![CDATA[ ]]>"},
	{"second root", resp("") + resp("")},
	{"end tag before root", "</a>" + resp("")},
	{"wrong root", "<TelephoneNumbersAssignmentOrder/>"},
	{"empty", ""},
	{"only space", " \n"},
	{"truncated", resp("<OrderId>a</OrderId>")[:40]},
	{"lone <", resp("") + "<"},
	{"control character", resp("<OrderId>a\x01</OrderId>")},
	{"invalid UTF-8", resp("<OrderId>a\xff</OrderId>")},
	{"U+FFFF", resp("<OrderId>a\uffff</OrderId>")},
	{"NUL in text", resp("<OrderId>a\x00b</OrderId>")},
	{"NUL in directive", "<!\x00>" + resp("")},
	{"capacity hint without numbers", resp("<TotalQuantity>3</TotalQuantity><TelephoneNumbersAssignmentOrder><TelephoneNumbers/><TelephoneNumbers><X/></TelephoneNumbers></TelephoneNumbersAssignmentOrder>")},
	{"capacity hint", resp("<TotalQuantity>2</TotalQuantity><TelephoneNumbersAssignmentOrder><TelephoneNumbers><TelephoneNumber>1</TelephoneNumber><TelephoneNumber>2</TelephoneNumber><TelephoneNumber>3</TelephoneNumber></TelephoneNumbers></TelephoneNumbersAssignmentOrder>")},
	{"list", "<TelephoneNumbersAssignmentOrders><TotalCount>1</TotalCount><TelephoneNumbersAssignmentOrderSummary><OrderId>o</OrderId><accountId>1</accountId><AccountId>2</AccountId><OrderStatus>COMPLETE</OrderStatus><Extra/></TelephoneNumbersAssignmentOrderSummary><TelephoneNumbersAssignmentOrderSummary/></TelephoneNumbersAssignmentOrders>"},
}

func TestScanMatchesStrict(t *testing.T) {
	t.Parallel()
	for _, tt := range scannerCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFastVsStrict(t, []byte(tt.doc))
		})
	}
}

// TestScanGolden checks that the scanner itself, not the fallback, decodes every golden document
// and the benchmark's large response.
func TestScanGolden(t *testing.T) {
	t.Parallel()
	docs := map[string][]byte{"bigResponse": bigResponse(t)}
	for _, name := range []string{"guide_response_partial.xml", "guide_response_error.xml", "not_found_response.xml"} {
		docs[name] = readGolden(t, name)
	}
	for name, doc := range docs {
		var w OrderResponse
		if err := scanOrderResponse(doc, &w); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		checkFastVsStrict(t, doc)
	}
	var l OrderList
	if err := scanOrderList(readGolden(t, "list_response.xml"), &l); err != nil {
		t.Errorf("list_response.xml: %v", err)
	}
}

// variants returns doc rewritten in ways Bandwidth or a proxy might, and in ways it should not:
// other line ends, escaped or CDATA-wrapped digits, interleaved comments, attributes, truncation.
func variants(doc []byte) [][]byte {
	s := string(doc)
	return [][]byte{
		[]byte(strings.ReplaceAll(s, "\n", "\r\n")),
		[]byte(strings.ReplaceAll(s, "\n", "\r")),
		[]byte(strings.ReplaceAll(s, "9", "&#57;")),
		[]byte(strings.ReplaceAll(s, "1", "&#x31;")),
		[]byte(strings.ReplaceAll(s, "<TelephoneNumber>", "<TelephoneNumber><![CDATA[")),
		[]byte(strings.ReplaceAll(s, "</TelephoneNumber>", "<!-- n --></TelephoneNumber>")),
		[]byte(strings.ReplaceAll(s, "<TelephoneNumber>", `<TelephoneNumber type="tn">`)),
		[]byte(strings.ReplaceAll(s, "<TelephoneNumber>", `<TelephoneNumber>&#x20;`)),
		[]byte(strings.ReplaceAll(s, "<Errors>", `<Errors><Extra><Error><Code>1</Code></Error></Extra>`)),
		[]byte(strings.Replace(s, `encoding="UTF-8"`, `encoding="ISO-8859-1"`, 1)),
		[]byte(strings.Replace(s, "?>", "?>\n<!DOCTYPE x>", 1)),
		[]byte("\ufeff" + s),
		[]byte(s + "<!-- trailer -->\n"),
		[]byte(s + "junk"),
		doc[:len(doc)/2],
		doc[:len(doc)-2],
		bytes.ToLower(doc),
	}
}

func FuzzDecodeFastVsStrict(f *testing.F) {
	for _, name := range []string{"guide_response_partial.xml", "guide_response_error.xml", "not_found_response.xml", "list_response.xml", "guide_request.xml"} {
		doc := readGolden(f, name)
		f.Add(doc)
		for _, v := range variants(doc) {
			f.Add(v)
		}
	}
	for _, tt := range scannerCases {
		f.Add([]byte(tt.doc))
	}
	f.Add([]byte{0, 8, 20, 3, 9, 4, 1, 9, 10, 11, 21, 1, 1, 12, 22, 1, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFastVsStrict(t, data)
		checkFastVsStrict(t, buildDocument(data))
	})
}

// Vocabularies of buildDocument: every element name the wire structs know, some they do not, and
// text, markup and attributes that each exercise a rule.
var (
	fuzzNames = []string{
		"TelephoneNumbersAssignmentOrderResponse", "TelephoneNumbersAssignmentOrders",
		"TelephoneNumbersAssignmentOrderSummary", "TelephoneNumbersAssignmentOrder", "TelephoneNumbers",
		"TelephoneNumber", "Errors", "ErrorList", "Error", "ResponseStatus", "Code", "ErrorCode",
		"Description", "OrderId", "ProcessingStatus", "OrderStatus", "TotalQuantity", "TotalCount",
		"FailedQuantity", "CustomerOrderId", "Action", "accountId", "AccountId", "userId", "OrderDate",
		"X", "p:OrderId",
	}
	fuzzTexts = []string{
		"9199918388", " 5 ", "PARTIAL", "&amp;&#x41;&#66;", "a\r\nb\r", "]]", "&#xD800;", "\t\n",
		"<![CDATA[c&d\r]]>", "<!-- c -->", "<?pi x?>", `<?xml version="1.0"?>`, "\u00e9", "&bad;", "]]>",
	}
	fuzzAttrs = []string{"", ` a="1"`, ` b='&lt;'`, ` xmlns="urn:x"`, ` c="\r\n"`, " d", ` e="<"`}
)

// fuzzChildren returns the child elements the wire structs know under parent, and an unknown one.
func fuzzChildren(parent string) []string {
	switch parent {
	case "TelephoneNumbersAssignmentOrderResponse":
		return []string{"OrderCreateDate", "AccountId", "OrderId", "ProcessingStatus", "OrderStatus", "TotalQuantity",
			"FailedQuantity", "TelephoneNumbersAssignmentOrder", "Errors", "ResponseStatus", "ErrorList", "X"}
	case "TelephoneNumbersAssignmentOrders":
		return []string{"TotalCount", "TelephoneNumbersAssignmentOrderSummary", "X"}
	case "TelephoneNumbersAssignmentOrderSummary":
		return []string{"OrderId", "accountId", "AccountId", "userId", "UserId", "OrderStatus", "ProcessingStatus",
			"Action", "TotalQuantity", "FailedQuantity", "OrderDate", "CustomerOrderId", "OrderType", "X"}
	case "TelephoneNumbersAssignmentOrder":
		return []string{"CustomerOrderId", "Action", "TelephoneNumbers", "X"}
	case "TelephoneNumbers":
		return []string{"TelephoneNumber", "TelephoneNumber", "X"}
	case "Errors", "ErrorList":
		return []string{"Error", "X"}
	case "Error":
		return []string{"Code", "Description", "TelephoneNumbers", "X"}
	case "ResponseStatus":
		return []string{"ErrorCode", "Description", "X"}
	}
	return fuzzNames
}

// buildDocument interprets data as instructions that build a mostly well-formed document from the
// vocabularies, choosing children mostly among those the current element's struct knows, so that
// the fuzzer explores element structure (repeats, merges, nesting, paths) rather than only
// byte-level syntax.
func buildDocument(data []byte) []byte {
	var b bytes.Buffer
	pick := func(list []string, i int) string {
		if i < len(data) {
			return list[int(data[i])%len(list)]
		}
		return list[0]
	}
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	open := []string{fuzzNames[0]}
	if len(data) > 0 && data[0]%2 == 1 {
		open[0] = fuzzNames[1]
	}
	b.WriteString("<" + open[0] + ">")
	for i := 1; i < len(data); i += 2 {
		children := fuzzChildren(open[len(open)-1])
		switch op := data[i] % 8; op {
		case 0, 1, 2, 6: // open an element
			list := children
			if op == 6 {
				list = fuzzNames
			}
			name := pick(list, i+1)
			attrs := ""
			if op == 6 {
				attrs = pick(fuzzAttrs, i+2)
			}
			b.WriteString("<" + name + attrs + ">")
			open = append(open, name)
		case 3, 4: // close the current element
			if len(open) > 1 {
				b.WriteString("</" + open[len(open)-1] + ">")
				open = open[:len(open)-1]
			}
		case 5: // a child holding text, or text
			if i+2 < len(data) && data[i+2]%2 == 0 {
				name := pick(children, i+1)
				b.WriteString("<" + name + ">" + pick(fuzzTexts, i+2) + "</" + name + ">")
			} else {
				b.WriteString(pick(fuzzTexts, i+1))
			}
		case 7: // empty element
			b.WriteString("<" + pick(children, i+1) + "/>")
		}
	}
	for len(open) > 0 {
		b.WriteString("</" + open[len(open)-1] + ">")
		open = open[:len(open)-1]
	}
	return b.Bytes()
}
