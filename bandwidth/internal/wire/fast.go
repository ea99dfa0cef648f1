package wire

import (
	"encoding/xml"
	"strconv"
	"strings"
)

// The order response is decoded on every create and every poll, and a 5,000-number response costs
// encoding/xml tens of thousands of allocations. The fast path below fills the same wire structs
// from xmlScanner's tokens, following encoding/xml's unmarshalling rules for them: a field takes
// the character data directly inside its element (nested elements are skipped), a repeated scalar
// element overwrites, a repeated struct element merges into the same struct, a slice element
// appends, and unknown elements are skipped. All text of one document lives in one string, so the
// numbers cost no allocation each.
//
// encoding/xml stays the reference: a document the scanner does not accept, whether malformed or
// using a construct it leaves alone, is decoded again by Unmarshal, so the result and the error are
// always the strict decoder's. FuzzDecodeFastVsStrict holds the two to the same answers.

// DecodeOrderResponse decodes a TelephoneNumbersAssignmentOrderResponse into w exactly as
// Unmarshal does, quickly for the documents Bandwidth sends.
func DecodeOrderResponse(data []byte, w *OrderResponse) error {
	if err := scanOrderResponse(data, w); err == nil {
		return nil
	}
	*w = OrderResponse{}
	return Unmarshal(data, w)
}

// DecodeOrderList decodes a TelephoneNumbersAssignmentOrders document into w exactly as
// Unmarshal does, quickly for the documents Bandwidth sends.
func DecodeOrderList(data []byte, w *OrderList) error {
	if err := scanOrderList(data, w); err == nil {
		return nil
	}
	*w = OrderList{}
	return Unmarshal(data, w)
}

// scanOrderResponse is the fast path of DecodeOrderResponse. On error w may be partly filled;
// the error is errScanUnsupported, or a syntax error that Unmarshal also reports in its own words.
func scanOrderResponse(data []byte, w *OrderResponse) error {
	d, err := newFastDecoder(data)
	if err != nil {
		return err
	}
	const root = "TelephoneNumbersAssignmentOrderResponse"
	if err := d.root(root); err != nil {
		return err
	}
	w.XMLName = xml.Name{Local: root}
	err = d.fields(func(name []byte) (err error) {
		switch string(name) {
		case "OrderCreateDate":
			w.OrderCreateDate, err = d.text()
		case "AccountId":
			w.AccountID, err = d.text()
		case "CreatedByUser":
			w.CreatedByUser, err = d.text()
		case "OrderId":
			w.OrderID, err = d.text()
		case "ProcessingStatus":
			w.ProcessingStatus, err = d.text()
		case "OrderStatus":
			w.OrderStatus, err = d.text()
		case "TotalQuantity":
			w.TotalQuantity, err = d.text()
		case "FailedQuantity":
			w.FailedQuantity, err = d.text()
		case "TelephoneNumbersAssignmentOrder":
			err = d.order(&w.Order, capacityHint(w.TotalQuantity, len(data)))
		case "Errors":
			err = d.numberErrors(&w.Errors)
		case "ResponseStatus":
			if w.ResponseStatus == nil {
				w.ResponseStatus = new(ResponseStatus)
			}
			err = d.responseStatus(w.ResponseStatus)
		case "ErrorList":
			err = d.errorList(&w.ErrorList)
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	return d.epilogue()
}

// scanOrderList is the fast path of DecodeOrderList, with scanOrderResponse's error contract.
func scanOrderList(data []byte, w *OrderList) error {
	d, err := newFastDecoder(data)
	if err != nil {
		return err
	}
	const root = "TelephoneNumbersAssignmentOrders"
	if err := d.root(root); err != nil {
		return err
	}
	w.XMLName = xml.Name{Local: root}
	err = d.fields(func(name []byte) (err error) {
		switch string(name) {
		case "TotalCount":
			w.TotalCount, err = d.text()
		case "TelephoneNumbersAssignmentOrderSummary":
			w.Orders = append(w.Orders, OrderSummary{})
			err = d.orderSummary(&w.Orders[len(w.Orders)-1])
		default:
			err = d.skip()
		}
		return err
	})
	if err != nil {
		return err
	}
	return d.epilogue()
}

// capacityHint returns the order's TotalQuantity as the expected number of its numbers, or 0 when
// it is not known yet. It is only a hint, bounded by how many numbers docLen bytes can hold.
func capacityHint(totalQuantity string, docLen int) int {
	n, err := strconv.Atoi(strings.TrimSpace(totalQuantity))
	if err != nil || n <= 0 {
		return 0
	}
	return min(n, docLen/len("<TelephoneNumber></TelephoneNumber>"))
}

// order decodes a TelephoneNumbersAssignmentOrder, expecting about hint numbers.
func (d *fastDecoder) order(o *Order, hint int) error {
	return d.fields(func(name []byte) (err error) {
		switch string(name) {
		case "CustomerOrderId":
			o.CustomerOrderID, err = d.text()
		case "Action":
			o.Action, err = d.text()
		case "TelephoneNumbers":
			err = d.numbers(&o.TelephoneNumbers, hint)
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *fastDecoder) numberErrors(dst *[]NumberError) error {
	return d.each("Error", func() error {
		*dst = append(*dst, NumberError{})
		e := &(*dst)[len(*dst)-1]
		return d.fields(func(name []byte) (err error) {
			switch string(name) {
			case "Code":
				e.Code, err = d.text()
			case "Description":
				e.Description, err = d.text()
			case "TelephoneNumbers":
				err = d.numbers(&e.TelephoneNumbers, 0)
			default:
				err = d.skip()
			}
			return err
		})
	})
}

// numbers appends the text of each TelephoneNumber element of a TelephoneNumbers element to dst,
// which is given a capacity of hint when its first number arrives. (It stays nil without numbers,
// as under encoding/xml.)
func (d *fastDecoder) numbers(dst *[]string, hint int) error {
	return d.each("TelephoneNumber", func() error {
		n, err := d.text()
		if *dst == nil && hint > 0 {
			*dst = make([]string, 0, hint)
		}
		*dst = append(*dst, n)
		return err
	})
}

func (d *fastDecoder) responseStatus(r *ResponseStatus) error {
	return d.fields(func(name []byte) (err error) {
		switch string(name) {
		case "ErrorCode":
			r.ErrorCode, err = d.text()
		case "Description":
			r.Description, err = d.text()
		default:
			err = d.skip()
		}
		return err
	})
}

func (d *fastDecoder) errorList(dst *[]Error) error {
	return d.each("Error", func() error {
		*dst = append(*dst, Error{})
		e := &(*dst)[len(*dst)-1]
		return d.fields(func(name []byte) (err error) {
			switch string(name) {
			case "Code":
				e.Code, err = d.text()
			case "Description":
				e.Description, err = d.text()
			default:
				err = d.skip()
			}
			return err
		})
	})
}

func (d *fastDecoder) orderSummary(s *OrderSummary) error {
	return d.fields(func(name []byte) error {
		var dst *string
		switch string(name) {
		case "OrderId":
			dst = &s.OrderID
		case "accountId":
			dst = &s.AccountID
		case "AccountId":
			dst = &s.AccountIDUpper
		case "CustomerOrderId":
			dst = &s.CustomerOrderID
		case "userId":
			dst = &s.UserID
		case "UserId":
			dst = &s.UserIDUpper
		case "OrderDate":
			dst = &s.OrderDate
		case "OrderType":
			dst = &s.OrderType
		case "OrderStatus":
			dst = &s.OrderStatus
		case "ProcessingStatus":
			dst = &s.ProcessingStatus
		case "Action":
			dst = &s.Action
		case "TotalQuantity":
			dst = &s.TotalQuantity
		case "FailedQuantity":
			dst = &s.FailedQuantity
		default:
			return d.skip()
		}
		var err error
		*dst, err = d.text()
		return err
	})
}
