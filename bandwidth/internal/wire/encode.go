package wire

import "unicode/utf8"

// The order request is written by hand rather than with encoding/xml: it has a fixed shape, its
// numbers are digits the client has validated, and appending bytes is several times faster and
// allocates once (see BenchmarkEncodeOrder and BenchmarkEncodeOrderStdlib). Element order follows
// Bandwidth's guide: CustomerOrderId, Action, TelephoneNumbers.

const (
	xmlHeader         = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	orderOpen         = "<TelephoneNumbersAssignmentOrder>"
	orderClose        = "</TelephoneNumbersAssignmentOrder>"
	customerOrderOpen = "<CustomerOrderId>"
	customerOrderEnd  = "</CustomerOrderId>"
	actionOpen        = "<Action>"
	actionClose       = "</Action>"
	numbersOpen       = "<TelephoneNumbers>"
	numbersClose      = "</TelephoneNumbers>"
	numberOpen        = "<TelephoneNumber>"
	numberClose       = "</TelephoneNumber>"
)

// EncodeOrder returns o as a TelephoneNumbersAssignmentOrder document. Text is escaped whatever it
// holds, so the output is well-formed XML even for an order that was not validated.
func EncodeOrder(o Order) []byte {
	size := len(xmlHeader) + len(orderOpen) + len(orderClose) +
		len(customerOrderOpen) + len(customerOrderEnd) + len(o.CustomerOrderID) +
		len(actionOpen) + len(actionClose) + len(o.Action) +
		len(numbersOpen) + len(numbersClose) +
		len(o.TelephoneNumbers)*(len(numberOpen)+len(numberClose)+10)
	b := make([]byte, 0, size)
	b = append(b, xmlHeader...)
	b = append(b, orderOpen...)
	if o.CustomerOrderID != "" {
		b = append(b, customerOrderOpen...)
		b = appendEscaped(b, o.CustomerOrderID)
		b = append(b, customerOrderEnd...)
	}
	b = append(b, actionOpen...)
	b = appendEscaped(b, o.Action)
	b = append(b, actionClose...)
	b = append(b, numbersOpen...)
	for _, tn := range o.TelephoneNumbers {
		b = append(b, numberOpen...)
		b = appendEscaped(b, tn)
		b = append(b, numberClose...)
	}
	b = append(b, numbersClose...)
	b = append(b, orderClose...)
	return b
}

// appendEscaped appends s as XML character data. Markup characters become entities, white space
// other than the space becomes character references (so it survives attribute-value and line-end
// normalisation), and bytes that are not valid UTF-8 or characters XML forbids become U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	if plainText(s) {
		return append(b, s...)
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '&':
			b = append(b, "&amp;"...)
		case r == '<':
			b = append(b, "&lt;"...)
		case r == '>':
			b = append(b, "&gt;"...)
		case r == '"':
			b = append(b, "&quot;"...)
		case r == '\'':
			b = append(b, "&apos;"...)
		case r == '\t':
			b = append(b, "&#x9;"...)
		case r == '\n':
			b = append(b, "&#xA;"...)
		case r == '\r':
			b = append(b, "&#xD;"...)
		case r == utf8.RuneError && size == 1, !xmlChar(r):
			b = utf8.AppendRune(b, utf8.RuneError)
		default:
			b = utf8.AppendRune(b, r)
		}
	}
	return b
}

// plainText reports whether s is printable ASCII without markup characters, the common case that
// needs no escaping.
func plainText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '&' || c == '<' || c == '>' || c == '"' || c == '\'' {
			return false
		}
	}
	return true
}

// xmlChar reports whether r is a character XML 1.0 allows (production [2] Char).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}
