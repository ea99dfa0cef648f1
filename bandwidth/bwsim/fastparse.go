package bwsim

import "bytes"

// fastParseOrder parses the common, simple shape of a create request several times faster than
// encoding/xml: an optional XML declaration, the root element, and its CustomerOrderId, Action and
// TelephoneNumbers children holding plain text, in any order, separated by white space. It reports
// false for anything else — comments, entities, attributes, other elements, unusual bytes — and the
// caller falls back to decodeOrderRequest, so it never decides that a body is malformed. Where it
// reports true, it agrees exactly with decodeOrderRequest (FuzzParseOrderRequest checks this).
func fastParseOrder(b []byte) (orderRequest, bool) {
	var req orderRequest
	p := skipSpace(b, 0)
	if bytes.HasPrefix(b[p:], []byte("<?xml ")) {
		end := bytes.Index(b[p:], []byte("?>"))
		if end < 0 || !declarationOK(b[p+len("<?xml "):p+end]) {
			return orderRequest{}, false
		}
		p = skipSpace(b, p+end+len("?>"))
	}
	p, ok := expect(b, p, "<"+elemOrder+">")
	if !ok {
		return orderRequest{}, false
	}
	for {
		p = skipSpace(b, p)
		if q, ok := expect(b, p, "</"+elemOrder+">"); ok {
			return req, skipSpace(b, q) == len(b)
		}
		var name []byte
		if name, p, ok = openTag(b, p); !ok {
			return orderRequest{}, false
		}
		var text []byte
		switch string(name) {
		case elemCustomerOrderID:
			if text, p, ok = plainText(b, p, "</"+elemCustomerOrderID+">"); !ok {
				return orderRequest{}, false
			}
			req.customerOrderID, req.hasCustomerOrderID = string(text), true
		case elemAction:
			if text, p, ok = plainText(b, p, "</"+elemAction+">"); !ok {
				return orderRequest{}, false
			}
			req.action = string(trimSpace(text))
		case elemNumbers:
			if p, ok = fastNumbers(b, p, &req.numbers); !ok {
				return orderRequest{}, false
			}
		default:
			return orderRequest{}, false
		}
	}
}

// fastNumbers parses the TelephoneNumber children of a TelephoneNumbers element whose start tag
// ends before b[p], through its end tag.
func fastNumbers(b []byte, p int, into *numberList) (int, bool) {
	const open, closeNumber, closeNumbers = "<" + elemNumber + ">", "</" + elemNumber + ">", "</" + elemNumbers + ">"
	for {
		p = skipSpace(b, p)
		if q, ok := expect(b, p, closeNumbers); ok {
			return q, true
		}
		q, ok := expect(b, p, open)
		if !ok {
			return 0, false
		}
		var text []byte
		if text, p, ok = plainText(b, q, closeNumber); !ok {
			return 0, false
		}
		into.add(trimSpace(text))
	}
}

// declarationOK accepts the attributes of the XML declarations clients send: version 1.0, UTF-8,
// standalone yes or no, each in single or double quotes.
func declarationOK(attrs []byte) bool {
	for _, f := range bytes.Fields(attrs) {
		switch string(bytes.ReplaceAll(f, []byte("'"), []byte(`"`))) {
		case `version="1.0"`, `encoding="UTF-8"`, `encoding="utf-8"`, `standalone="yes"`, `standalone="no"`:
		default:
			return false
		}
	}
	return true
}

// openTag reads a start tag without attributes at b[p], returning its name and the position after it.
func openTag(b []byte, p int) ([]byte, int, bool) {
	if p >= len(b) || b[p] != '<' {
		return nil, 0, false
	}
	for i := p + 1; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '>' && i > p+1:
			return b[p+1 : i], i + 1, true
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z':
		default:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// plainText reads character data at b[p] up to the end tag closing, which must follow it. Only
// printable ASCII without markup-significant characters, tabs and newlines are accepted.
func plainText(b []byte, p int, closing string) ([]byte, int, bool) {
	for i := p; i < len(b); i++ {
		switch c := b[i]; {
		case c == '<':
			q, ok := expect(b, i, closing)
			return b[p:i], q, ok
		case c == '&', c == '>', c == ']':
			return nil, 0, false
		case c >= 0x20 && c < 0x7f, c == '\t', c == '\n':
		default:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// expect reports whether s is at b[p] and the position after it.
func expect(b []byte, p int, s string) (int, bool) {
	if len(b)-p >= len(s) && string(b[p:p+len(s)]) == s {
		return p + len(s), true
	}
	return p, false
}

// skipSpace returns the position of the first byte at or after p that is not XML white space other
// than a carriage return (which XML normalizes, so the fast path leaves it to encoding/xml).
func skipSpace(b []byte, p int) int {
	for p < len(b) && (b[p] == ' ' || b[p] == '\t' || b[p] == '\n') {
		p++
	}
	return p
}
