package bandwidth

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tnassign/tnassign/bandwidth/internal/wire"
)

// The client's side of the wire format: package wire reads and writes Bandwidth's documents as
// text, and the functions below convert that text to the client's types by hand, so that every
// value is checked and a hostile document yields an error, never a panic or a silently wrong number.

// errorDoc is the code and description of an error document.
type errorDoc struct {
	code        int
	description string
}

// encodeOrder returns o as a TelephoneNumbersAssignmentOrder document, escaped whatever it holds.
func encodeOrder(o Order) []byte {
	return wire.EncodeOrder(wire.Order{CustomerOrderID: o.CustomerOrderID, Action: string(o.Action), TelephoneNumbers: o.TelephoneNumbers})
}

// decodeOrderResponse decodes a TelephoneNumbersAssignmentOrderResponse holding an order. A
// document that carries only an error shape yields an *APIError with the given HTTP status.
func decodeOrderResponse(data []byte, httpStatus int) (*OrderResponse, error) {
	var w wire.OrderResponse
	if err := wire.DecodeOrderResponse(data, &w); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	return orderResponseFrom(&w, data, httpStatus)
}

// orderResponseFrom converts and checks a decoded order response; data is the document, which is
// read again for its error shape when it holds no order.
func orderResponseFrom(w *wire.OrderResponse, data []byte, httpStatus int) (*OrderResponse, error) {
	if strings.TrimSpace(w.OrderID) == "" {
		if w.ResponseStatus != nil || len(w.ErrorList) > 0 {
			ed, _ := decodeErrorDoc(data)
			return nil, &APIError{HTTPStatus: httpStatus, Code: ed.code, Description: sanitize(ed.description, 300)}
		}
		return nil, errors.New("order response: no OrderId")
	}
	r := &OrderResponse{
		OrderID:         strings.TrimSpace(w.OrderID),
		AccountID:       strings.TrimSpace(w.AccountID),
		CreatedByUser:   strings.TrimSpace(w.CreatedByUser),
		OrderCreateDate: parseTime(w.OrderCreateDate),
	}
	var err error
	if r.Status, err = pickStatus(w.ProcessingStatus, w.OrderStatus); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	if r.TotalQuantity, err = parseCount("TotalQuantity", w.TotalQuantity); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	if r.FailedQuantity, err = parseCount("FailedQuantity", w.FailedQuantity); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	if r.Order, err = orderFrom(w.Order); err != nil {
		return nil, fmt.Errorf("order response: %w", err)
	}
	if len(w.Errors) > 0 {
		r.Errors = make([]NumberError, len(w.Errors))
		for i, we := range w.Errors {
			code, err := parseCode(we.Code)
			if err != nil {
				return nil, fmt.Errorf("order response: Errors/Error[%d]: %w", i, err)
			}
			r.Errors[i] = NumberError{Code: code, Description: strings.TrimSpace(we.Description), TelephoneNumbers: trimAll(we.TelephoneNumbers)}
		}
	}
	return r, nil
}

// decodeOrderList decodes a TelephoneNumbersAssignmentOrders document.
func decodeOrderList(data []byte) (*OrderList, error) {
	var w wire.OrderList
	if err := wire.DecodeOrderList(data, &w); err != nil {
		return nil, fmt.Errorf("order list: %w", err)
	}
	return orderListFrom(&w)
}

// orderListFrom converts and checks a decoded order list.
func orderListFrom(w *wire.OrderList) (*OrderList, error) {
	l := &OrderList{}
	var err error
	if l.TotalCount, err = parseCount("TotalCount", w.TotalCount); err != nil {
		return nil, fmt.Errorf("order list: %w", err)
	}
	if len(w.Orders) > 0 {
		l.Orders = make([]OrderSummary, len(w.Orders))
	}
	for i, ws := range w.Orders {
		s := OrderSummary{
			OrderID:         strings.TrimSpace(ws.OrderID),
			AccountID:       strings.TrimSpace(firstNonEmpty(ws.AccountID, ws.AccountIDUpper)),
			CustomerOrderID: strings.TrimSpace(ws.CustomerOrderID),
			UserID:          strings.TrimSpace(firstNonEmpty(ws.UserID, ws.UserIDUpper)),
			OrderDate:       parseTime(ws.OrderDate),
			OrderType:       strings.TrimSpace(ws.OrderType),
		}
		if s.OrderID == "" {
			return nil, fmt.Errorf("order list: summary %d: no OrderId", i)
		}
		if s.Status, err = pickStatus(ws.OrderStatus, ws.ProcessingStatus); err != nil {
			return nil, fmt.Errorf("order list: summary %d: %w", i, err)
		}
		if s.Action, err = parseAction(ws.Action); err != nil {
			return nil, fmt.Errorf("order list: summary %d: %w", i, err)
		}
		if s.TotalQuantity, err = parseCount("TotalQuantity", ws.TotalQuantity); err != nil {
			return nil, fmt.Errorf("order list: summary %d: %w", i, err)
		}
		if s.FailedQuantity, err = parseCount("FailedQuantity", ws.FailedQuantity); err != nil {
			return nil, fmt.Errorf("order list: summary %d: %w", i, err)
		}
		l.Orders[i] = s
	}
	return l, nil
}

// decodeErrorDoc extracts the first code and description of an error document of any documented
// shape. It fails when data is not XML or holds no error.
func decodeErrorDoc(data []byte) (errorDoc, error) {
	we, err := wire.DecodeError(data)
	if err != nil {
		return errorDoc{}, err
	}
	// A code that is not a number is dropped rather than failing: the description still helps.
	c, _ := parseCode(we.Code)
	return errorDoc{code: c, description: strings.TrimSpace(we.Description)}, nil
}

func orderFrom(w wire.Order) (Order, error) {
	a, err := parseAction(w.Action)
	if err != nil {
		return Order{}, err
	}
	return Order{CustomerOrderID: strings.TrimSpace(w.CustomerOrderID), Action: a, TelephoneNumbers: trimAll(w.TelephoneNumbers)}, nil
}

// pickStatus parses the first non-empty of the given status elements; a missing status is an error.
func pickStatus(primary, secondary string) (Status, error) {
	s := strings.TrimSpace(primary)
	if s == "" {
		s = strings.TrimSpace(secondary)
	}
	if s == "" {
		return "", errors.New("no ProcessingStatus or OrderStatus")
	}
	return ParseStatus(s)
}

// parseAction accepts an empty action (absent element) or a valid one.
func parseAction(s string) (Action, error) {
	a := Action(strings.ToUpper(strings.TrimSpace(s)))
	switch a {
	case "", ActionAssign, ActionUnassign:
		return a, nil
	case ActionAssign + "ED", ActionUnassign + "ED":
		return a[:len(a)-2], nil
	}
	return "", fmt.Errorf("unknown action %q", truncate(s, 20))
}

// maxCount bounds quantities: no order holds more, and it keeps int arithmetic far from overflow.
const maxCount = 1 << 40

// parseCount parses a non-negative quantity; an absent element counts as 0.
func parseCount(name, s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > maxCount {
		return 0, fmt.Errorf("%s %q is not a count", name, truncate(s, 20))
	}
	return int(n), nil
}

// parseCode parses an error code; an absent element is 0.
func parseCode(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("error code %q is not a number", truncate(s, 20))
	}
	return int(n), nil
}

// parseTime reads a timestamp, returning the zero time for an absent or unreadable one: dates are
// informational and must not make an otherwise good order unreadable.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	// The forms Bandwidth uses or might: ISO-8601 with and without a zone, or a bare date.
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func trimAll(ss []string) []string {
	for i, s := range ss {
		ss[i] = strings.TrimSpace(s)
	}
	return ss
}

func firstNonEmpty(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
