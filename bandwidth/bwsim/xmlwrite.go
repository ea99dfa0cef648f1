package bwsim

import (
	"strconv"
	"time"
)

// The simulator writes its XML by hand, indented like Bandwidth's documented samples, with elements
// in the documented order. It shares nothing with package bandwidth's encoding on purpose.

const (
	xmlDeclaration = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	timeLayout     = "2006-01-02T15:04:05.000Z"
	actionAssign   = "ASSIGN"
	actionUnassign = "UNASSIGN"
	rootResponse   = "TelephoneNumbersAssignmentOrderResponse"
	rootList       = "TelephoneNumbersAssignmentOrders"
)

// xmlWriter appends indented XML to a byte slice.
type xmlWriter struct {
	b []byte
}

func (w *xmlWriter) indent(depth int) {
	for range depth {
		w.b = append(w.b, "    "...)
	}
}

func (w *xmlWriter) open(depth int, name string) {
	w.indent(depth)
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.b = append(w.b, ">\n"...)
}

func (w *xmlWriter) close(depth int, name string) {
	w.indent(depth)
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ">\n"...)
}

// text writes <name>value</name> on its own line, escaping value.
func (w *xmlWriter) text(depth int, name, value string) {
	w.indent(depth)
	w.b = append(w.b, '<')
	w.b = append(w.b, name...)
	w.b = append(w.b, '>')
	w.b = appendEscaped(w.b, value)
	w.b = append(w.b, "</"...)
	w.b = append(w.b, name...)
	w.b = append(w.b, ">\n"...)
}

func (w *xmlWriter) int(depth int, name string, v int) {
	w.text(depth, name, strconv.Itoa(v))
}

// appendEscaped appends s with the characters XML gives meaning to replaced by references. The
// simulator only writes text that arrived in well-formed XML or came from its configuration, so no
// invalid characters need handling beyond escaping carriage returns, which XML would normalize.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var ref string
		switch s[i] {
		case '&':
			ref = "&amp;"
		case '<':
			ref = "&lt;"
		case '>':
			ref = "&gt;"
		case '"':
			ref = "&quot;"
		case '\r':
			ref = "&#xD;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, ref...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// formatTime formats t as Bandwidth does: ISO-8601 in UTC with milliseconds.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// appendOrder writes the TelephoneNumbersAssignmentOrderResponse of o showing status st. Per-number
// outcomes are revealed only when st is final.
func appendOrder(b []byte, o *order, st status) []byte {
	w := xmlWriter{b: append(b, xmlDeclaration...)}
	w.open(0, rootResponse)
	w.text(1, "OrderCreateDate", formatTime(o.created))
	w.text(1, "AccountId", o.accountID)
	w.text(1, "CreatedByUser", o.user)
	w.text(1, "OrderId", o.idText)
	w.text(1, "ProcessingStatus", st.String())
	w.int(1, "TotalQuantity", o.total())
	if st.final() && o.failed > 0 {
		w.int(1, "FailedQuantity", o.failed)
	}
	w.open(1, elemOrder)
	if o.hasCustomerID {
		w.text(2, elemCustomerOrderID, o.customerOrderID)
	}
	w.text(2, elemAction, o.action())
	w.open(2, elemNumbers)
	for i := range o.total() {
		w.text(3, elemNumber, o.number(i))
	}
	w.close(2, elemNumbers)
	w.close(1, elemOrder)
	if st.final() && len(o.errors) > 0 {
		w.open(1, "Errors")
		for _, g := range o.errors {
			w.open(2, "Error")
			w.int(3, "Code", g.code)
			w.text(3, "Description", numberErrorText(g.code))
			w.open(3, elemNumbers)
			for _, i := range g.indexes {
				w.text(4, elemNumber, o.number(int(i)))
			}
			w.close(3, elemNumbers)
			w.close(2, "Error")
		}
		w.close(1, "Errors")
	}
	w.close(0, rootResponse)
	return w.b
}

// appendResponseStatus writes a request-level error: root wrapping a ResponseStatus. A zero code is
// left out, as in Bandwidth's 404 sample.
func appendResponseStatus(b []byte, root string, code int, description string) []byte {
	w := xmlWriter{b: append(b, xmlDeclaration...)}
	w.open(0, root)
	w.open(1, "ResponseStatus")
	if code != 0 {
		w.int(2, "ErrorCode", code)
	}
	w.text(2, "Description", description)
	w.close(1, "ResponseStatus")
	w.close(0, root)
	return w.b
}

// summary is what a list entry shows of an order, captured under the simulator's read lock.
type summary struct {
	o  *order
	st status
}

// appendList writes a TelephoneNumbersAssignmentOrders document.
func appendList(b []byte, total int, orders []summary) []byte {
	w := xmlWriter{b: append(b, xmlDeclaration...)}
	w.open(0, rootList)
	w.int(1, "TotalCount", total)
	for _, s := range orders {
		o := s.o
		w.open(1, "TelephoneNumbersAssignmentOrderSummary")
		w.text(2, "accountId", o.accountID)
		if o.hasCustomerID {
			w.text(2, elemCustomerOrderID, o.customerOrderID)
		}
		w.int(2, "TotalQuantity", o.total())
		if s.st.final() && o.failed > 0 {
			w.int(2, "FailedQuantity", o.failed)
		}
		w.text(2, "userId", o.user)
		w.text(2, "OrderDate", formatTime(o.created))
		w.text(2, "OrderType", "NUMBERS_ASSIGNMENT_ORDER")
		w.text(2, "OrderStatus", s.st.String())
		w.text(2, elemAction, o.action())
		w.text(2, "OrderId", o.idText)
		w.close(1, "TelephoneNumbersAssignmentOrderSummary")
	}
	w.close(0, rootList)
	return w.b
}
