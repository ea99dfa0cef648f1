package wire

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Order is a TelephoneNumbersAssignmentOrder: the order request, and the order inside a response.
type Order struct {
	CustomerOrderID  string   `xml:"CustomerOrderId"`
	Action           string   `xml:"Action"`
	TelephoneNumbers []string `xml:"TelephoneNumbers>TelephoneNumber"`
}

// NumberError is one Errors/Error of an order response: a failure shared by some of its numbers.
type NumberError struct {
	Code             string   `xml:"Code"`
	Description      string   `xml:"Description"`
	TelephoneNumbers []string `xml:"TelephoneNumbers>TelephoneNumber"`
}

// ResponseStatus is the ResponseStatus error shape.
type ResponseStatus struct {
	ErrorCode   string `xml:"ErrorCode"`
	Description string `xml:"Description"`
}

// Error is one ErrorList/Error or Errors/Error of an error document.
type Error struct {
	Code        string `xml:"Code"`
	Description string `xml:"Description"`
}

// OrderResponse is a TelephoneNumbersAssignmentOrderResponse: an order, or a request-level error
// in ResponseStatus or ErrorList.
type OrderResponse struct {
	XMLName          xml.Name        `xml:"TelephoneNumbersAssignmentOrderResponse"`
	OrderCreateDate  string          `xml:"OrderCreateDate"`
	AccountID        string          `xml:"AccountId"`
	CreatedByUser    string          `xml:"CreatedByUser"`
	OrderID          string          `xml:"OrderId"`
	ProcessingStatus string          `xml:"ProcessingStatus"`
	OrderStatus      string          `xml:"OrderStatus"`
	TotalQuantity    string          `xml:"TotalQuantity"`
	FailedQuantity   string          `xml:"FailedQuantity"`
	Order            Order           `xml:"TelephoneNumbersAssignmentOrder"`
	Errors           []NumberError   `xml:"Errors>Error"`
	ResponseStatus   *ResponseStatus `xml:"ResponseStatus"`
	ErrorList        []Error         `xml:"ErrorList>Error"`
}

// OrderSummary is one TelephoneNumbersAssignmentOrderSummary of an order list. Bandwidth spells
// accountId and userId both ways; each spelling has its field.
type OrderSummary struct {
	OrderID          string `xml:"OrderId"`
	AccountID        string `xml:"accountId"`
	AccountIDUpper   string `xml:"AccountId"`
	CustomerOrderID  string `xml:"CustomerOrderId"`
	UserID           string `xml:"userId"`
	UserIDUpper      string `xml:"UserId"`
	OrderDate        string `xml:"OrderDate"`
	OrderType        string `xml:"OrderType"`
	OrderStatus      string `xml:"OrderStatus"`
	ProcessingStatus string `xml:"ProcessingStatus"`
	Action           string `xml:"Action"`
	TotalQuantity    string `xml:"TotalQuantity"`
	FailedQuantity   string `xml:"FailedQuantity"`
}

// OrderList is a TelephoneNumbersAssignmentOrders document, the answer to an order search.
type OrderList struct {
	XMLName    xml.Name       `xml:"TelephoneNumbersAssignmentOrders"`
	TotalCount string         `xml:"TotalCount"`
	Orders     []OrderSummary `xml:"TelephoneNumbersAssignmentOrderSummary"`
}

// errorDoc accepts every error shape Bandwidth documents, under any root element:
// ResponseStatus{ErrorCode?,Description}, ErrorList/Error{Code,Description},
// Errors/Error{Code,Description}, or a bare root carrying ErrorCode/Description.
type errorDoc struct {
	ResponseStatus *ResponseStatus `xml:"ResponseStatus"`
	ErrorList      []Error         `xml:"ErrorList>Error"`
	Errors         []Error         `xml:"Errors>Error"`
	ErrorCode      string          `xml:"ErrorCode"`
	Description    string          `xml:"Description"`
}

// Unmarshal decodes one XML document strictly with encoding/xml: the whole input must be
// well-formed, with nothing but white space, comments or processing instructions after the root
// element.
func Unmarshal(data []byte, v any) error {
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		switch t := tok.(type) {
		case xml.Comment, xml.ProcInst:
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return errors.New("text after the root element")
			}
		default:
			return errors.New("content after the root element")
		}
	}
}

// DecodeError returns the first error of an error document of any documented shape, as the text
// of its code and description. It fails when data is not XML or holds no error.
func DecodeError(data []byte) (Error, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return Error{}, errors.New("empty error document")
	}
	var w errorDoc
	if err := Unmarshal(data, &w); err != nil {
		return Error{}, fmt.Errorf("error document: %w", err)
	}
	switch {
	case w.ResponseStatus != nil:
		return Error{Code: w.ResponseStatus.ErrorCode, Description: w.ResponseStatus.Description}, nil
	case len(w.ErrorList) > 0:
		return w.ErrorList[0], nil
	case len(w.Errors) > 0:
		return w.Errors[0], nil
	case w.ErrorCode != "" || w.Description != "":
		return Error{Code: w.ErrorCode, Description: w.Description}, nil
	}
	return Error{}, errors.New("error document: no error element")
}
