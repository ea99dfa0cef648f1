package bandwidth

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tnassign/tnassign/tn"
)

// Action is an order's action as Bandwidth spells it in orders.
type Action string

// The actions Bandwidth accepts in a numbersAssignment order.
const (
	ActionAssign   Action = "ASSIGN"
	ActionUnassign Action = "UNASSIGN"
)

// Valid reports whether a is ActionAssign or ActionUnassign.
func (a Action) Valid() bool { return a == ActionAssign || a == ActionUnassign }

// listValue is the spelling of a in the list endpoint's action filter (ASSIGNED/UNASSIGNED).
func (a Action) listValue() string { return string(a) + "ED" }

// Status is an order's processing status.
type Status string

// The processing statuses of a numbersAssignment order. RECEIVED and PROCESSING are transient;
// COMPLETE (every number succeeded), PARTIAL (some failed) and FAILED (all failed) are final.
const (
	StatusReceived   Status = "RECEIVED"
	StatusProcessing Status = "PROCESSING"
	StatusComplete   Status = "COMPLETE"
	StatusPartial    Status = "PARTIAL"
	StatusFailed     Status = "FAILED"
)

// ParseStatus returns the Status spelled s, ignoring case and surrounding white space. An unknown
// status is an error: a client that guessed would report numbers as settled when they are not.
func ParseStatus(s string) (Status, error) {
	switch st := Status(strings.ToUpper(strings.TrimSpace(s))); st {
	case StatusReceived, StatusProcessing, StatusComplete, StatusPartial, StatusFailed:
		return st, nil
	}
	return "", fmt.Errorf("bandwidth: unknown order status %q", truncate(s, 40))
}

// Final reports whether s is a final status (COMPLETE, PARTIAL or FAILED): the order will not change.
func (s Status) Final() bool {
	return s == StatusComplete || s == StatusPartial || s == StatusFailed
}

// Order is the body of a create request (TelephoneNumbersAssignmentOrder), and the request as echoed
// back in an OrderResponse.
type Order struct {
	// CustomerOrderID is the caller's id for the order, matching ^[A-Za-z0-9 -]{1,40}$. Bandwidth
	// treats it as optional; this client requires it on create, because it is how an order whose
	// creation went unacknowledged is found again instead of being sent twice.
	CustomerOrderID string
	// Action is ActionAssign or ActionUnassign.
	Action Action
	// TelephoneNumbers are 1 to MaxNumbersPerOrder distinct numbers of exactly 10 digits
	// (NPANXXXXXX, the Dashboard API v1 form).
	TelephoneNumbers []string
}

// Limits Bandwidth documents for an order, enforced by Order.Validate before anything is sent.
const (
	// MaxNumbersPerOrder is the largest number of telephone numbers one order may carry.
	MaxNumbersPerOrder = 5000
	// MaxCustomerOrderIDLen is the longest CustomerOrderId Bandwidth accepts.
	MaxCustomerOrderIDLen = 40
)

// Validate checks o against the limits Bandwidth documents, so that a doomed order is refused
// locally instead of costing a request: 1 to 5,000 numbers, each exactly 10 ASCII digits and none
// repeated; a valid Action; a CustomerOrderID of 1 to 40 letters, digits, spaces and dashes. The
// error is a *ValidationError describing the first problem found; it matches ErrInvalidOrder.
func (o Order) Validate() error {
	if err := validateCustomerOrderID(o.CustomerOrderID); err != nil {
		return err
	}
	if !o.Action.Valid() {
		return &ValidationError{Field: "Action", Problem: fmt.Sprintf("must be ASSIGN or UNASSIGN, not %q", truncate(string(o.Action), 20))}
	}
	n := len(o.TelephoneNumbers)
	if n == 0 {
		return &ValidationError{Field: "TelephoneNumbers", Problem: "at least one number is required"}
	}
	if n > MaxNumbersPerOrder {
		return &ValidationError{Field: "TelephoneNumbers", Problem: fmt.Sprintf("%d numbers exceed the maximum of %d per order", n, MaxNumbersPerOrder)}
	}
	if i, problem := checkNumbers(o.TelephoneNumbers); problem != "" {
		// Field names are built here only: formatting one per number cost more than the checks.
		return &ValidationError{Field: "TelephoneNumbers[" + strconv.Itoa(i) + "]", Problem: problem}
	}
	return nil
}

// checkNumbers' hash table has numberSlots slots: a power of two at least 1.6 times
// MaxNumbersPerOrder, so that the table is never full and probe sequences stay short.
const (
	numberSlotBits = 13
	numberSlots    = 1 << numberSlotBits
)

// A compile-time check that the table is large enough: the constant would be negative otherwise.
const _ uint = numberSlots - MaxNumbersPerOrder*8/5

// checkNumbers returns the index of the first number that is not exactly 10 ASCII digits or that
// repeats an earlier one, with the problem, or "" when all are valid. tns holds at most
// MaxNumbersPerOrder numbers.
//
// It runs on every order and must not allocate: duplicates are found with an open-addressing table
// of indexes into tns, which lives on the stack (16 KiB), keyed by the number's value.
func checkNumbers(tns []string) (int, string) {
	var slots [numberSlots]uint16 // index+1 into tns; 0 is empty
	for i, s := range tns {
		n, ok := tn.ParseCanonical(s)
		if !ok {
			return i, strconv.Quote(truncate(s, 20)) + " is not exactly 10 digits"
		}
		// Fibonacci hashing: the top bits of the product spread consecutive numbers apart.
		h := (uint64(n) * 0x9E3779B97F4A7C15) >> (64 - numberSlotBits)
		for {
			j := slots[h]
			if j == 0 {
				slots[h] = uint16(i + 1)
				break
			}
			if tns[j-1] == s {
				return i, s + " appears more than once"
			}
			h = (h + 1) & (numberSlots - 1)
		}
	}
	return 0, ""
}

func validateCustomerOrderID(id string) error {
	if id == "" {
		return &ValidationError{Field: "CustomerOrderID", Problem: "is required"}
	}
	if len(id) > MaxCustomerOrderIDLen {
		return &ValidationError{Field: "CustomerOrderID", Problem: fmt.Sprintf("is %d characters long; the maximum is %d", len(id), MaxCustomerOrderIDLen)}
	}
	for i := 0; i < len(id); i++ {
		if !isCustomerOrderIDByte(id[i]) {
			return &ValidationError{Field: "CustomerOrderID", Problem: "may hold only letters, digits, spaces and dashes"}
		}
	}
	return nil
}

func isCustomerOrderIDByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '-'
}

// NumberError is one <Error> of an order: one Bandwidth error code and the numbers it applies to.
// Bandwidth groups per-number failures by code, so an order has at most one NumberError per code.
type NumberError struct {
	Code             int
	Description      string
	TelephoneNumbers []string
}

// OrderResponse is a TelephoneNumbersAssignmentOrderResponse: the order as returned by a create
// (HTTP 201) or a read (HTTP 200).
type OrderResponse struct {
	OrderID       string
	AccountID     string
	CreatedByUser string
	// OrderCreateDate is zero when Bandwidth sent none or sent one this client cannot read.
	OrderCreateDate time.Time
	// Status comes from ProcessingStatus, or OrderStatus when only that is present.
	Status         Status
	TotalQuantity  int
	FailedQuantity int
	// Order is the request as Bandwidth echoed it.
	Order Order
	// Errors are the per-number failures, one entry per error code. They are the normal content
	// of a PARTIAL or FAILED order, not a failure of the call.
	Errors []NumberError
}

// OrderSummary is one TelephoneNumbersAssignmentOrderSummary of a list. Summaries carry no numbers.
type OrderSummary struct {
	OrderID         string
	AccountID       string
	CustomerOrderID string
	UserID          string
	// OrderDate is zero when Bandwidth sent none or sent one this client cannot read.
	OrderDate      time.Time
	OrderType      string
	Status         Status
	Action         Action
	TotalQuantity  int
	FailedQuantity int
}

// ListFilter selects orders for ListOrders. Zero fields are not sent; all set fields must match.
type ListFilter struct {
	// CustomerOrderID selects orders created with this CustomerOrderId.
	CustomerOrderID string
	// TelephoneNumber selects orders that contain this number.
	TelephoneNumber string
	// OrderIDFragment selects orders whose OrderId starts with it.
	OrderIDFragment string
	// Statuses selects orders in any of these statuses.
	Statuses []Status
	// Action is ActionAssign or ActionUnassign; it is sent as ASSIGNED or UNASSIGNED, the list
	// endpoint's spelling.
	Action Action
	// The creation and modification date ranges, inclusive. Only the calendar date of each time, in
	// the time's own location, is sent (yyyy-MM-dd).
	CreatedFrom, CreatedTo, ModifiedFrom, ModifiedTo time.Time
}

// OrderList is a TelephoneNumbersAssignmentOrders document. Bandwidth returns at most 1,000 orders
// per list, so TotalCount may exceed len(Orders); narrow the filter to see the rest.
type OrderList struct {
	TotalCount int
	Orders     []OrderSummary
}

// truncate shortens untrusted text before it is quoted in an error or log.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
