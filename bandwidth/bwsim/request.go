package bwsim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Element names of the create request body.
const (
	elemOrder           = "TelephoneNumbersAssignmentOrder"
	elemCustomerOrderID = "CustomerOrderId"
	elemAction          = "Action"
	elemNumbers         = "TelephoneNumbers"
	elemNumber          = "TelephoneNumber"
)

// orderRequest is a decoded TelephoneNumbersAssignmentOrder. Validation is the caller's job.
type orderRequest struct {
	customerOrderID    string
	hasCustomerOrderID bool
	action             string
	numbers            numberList
}

// numberList stores telephone numbers compactly: their bytes back to back, and where each ends.
type numberList struct {
	blob []byte
	ends []uint32
}

func (l *numberList) add(tn []byte) {
	l.blob = append(l.blob, tn...)
	l.ends = append(l.ends, uint32(len(l.blob)))
}

func (l *numberList) len() int { return len(l.ends) }

// errMalformed marks a body that is not a well-formed TelephoneNumbersAssignmentOrder.
var errMalformed = errors.New("malformed order request")

// parseOrderRequest decodes a create request body. Semantics: the root element must be
// TelephoneNumbersAssignmentOrder (any namespace); of its children, the last CustomerOrderId and
// Action count, and the TelephoneNumber children of every TelephoneNumbers child are collected in
// order. An element's value is its own character data (nested elements are ignored); Action and
// numbers are trimmed of XML white space, CustomerOrderId is not. Unknown elements and attributes are
// ignored; child order is free. Errors wrap errMalformed.
func parseOrderRequest(body []byte) (orderRequest, error) {
	if req, ok := fastParseOrder(body); ok {
		return req, nil
	}
	return decodeOrderRequest(body)
}

// decodeOrderRequest is parseOrderRequest on encoding/xml's tokenizer: complete, and the reference
// the fast path is checked against.
func decodeOrderRequest(body []byte) (orderRequest, error) {
	var req orderRequest
	d := xml.NewDecoder(bytes.NewReader(body))
	// stack holds the local names of the open elements; text collects the character data of the
	// innermost element of interest.
	var stack []string
	var text []byte
	seenRoot := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return orderRequest{}, fmt.Errorf("%w: %v", errMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				if seenRoot || t.Name.Local != elemOrder {
					return orderRequest{}, fmt.Errorf("%w: unexpected element <%s>", errMalformed, t.Name.Local)
				}
				seenRoot = true
			}
			stack = append(stack, t.Name.Local)
			if interesting(stack) {
				text = text[:0]
			}
		case xml.EndElement:
			if interesting(stack) {
				switch len(stack) {
				case 2:
					switch stack[1] {
					case elemCustomerOrderID:
						req.customerOrderID, req.hasCustomerOrderID = string(text), true
					case elemAction:
						req.action = string(trimSpace(text))
					}
				case 3:
					req.numbers.add(trimSpace(text))
				}
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			switch {
			case interesting(stack):
				text = append(text, t...)
			case len(stack) == 0 && len(trimSpace(t)) > 0:
				return orderRequest{}, fmt.Errorf("%w: text outside the root element", errMalformed)
			}
		}
	}
	if !seenRoot {
		return orderRequest{}, fmt.Errorf("%w: no <%s> element", errMalformed, elemOrder)
	}
	return req, nil
}

// interesting reports whether the innermost open element is one whose character data is a value:
// a CustomerOrderId or Action child of the root, or a TelephoneNumber in a TelephoneNumbers child.
func interesting(stack []string) bool {
	switch len(stack) {
	case 2:
		return stack[1] == elemCustomerOrderID || stack[1] == elemAction
	case 3:
		return stack[1] == elemNumbers && stack[2] == elemNumber
	}
	return false
}

// trimSpace trims XML white space.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
