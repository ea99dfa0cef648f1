package service

import (
	"fmt"
)

// jobRequest is what the requests that start a job have in common.
type jobRequest interface {
	GetAccountId() string
	GetTelephoneNumbers() []string
	GetCustomerOrderId() string
	GetRequestId() string
	GetValidateOnly() bool
}

// request is what AssignNumbersRequest and UnassignNumbersRequest have in common.
type request interface {
	jobRequest
	GetInputError() string
}

// Limits on the first message's fields.
const (
	maxAccountIDLen       = 20
	maxCustomerOrderIDLen = 32
	maxRequestIDLen       = 128
	maxInputErrorLen      = 1000
)

// jobParams are the settings a job takes from its first request message.
type jobParams struct {
	accountID       string
	customerOrderID string
	requestID       string
	validateOnly    bool
}

// checkFirst validates the first request message of a call. Caller mistakes are INVALID_ARGUMENT
// with one field violation per bad field; an account outside the allow-list is PERMISSION_DENIED.
// Nothing is sent anywhere before it succeeds.
func (s *Service) checkFirst(r jobRequest) (jobParams, error) {
	p := jobParams{
		accountID:       r.GetAccountId(),
		customerOrderID: r.GetCustomerOrderId(),
		requestID:       r.GetRequestId(),
		validateOnly:    r.GetValidateOnly(),
	}
	var c violations
	if r, ok := r.(request); ok && r.GetInputError() != "" {
		// Nothing of the upload was usable: no job is started.
		c.add("input_error", "the upload was cut short before its first message: "+truncateText(r.GetInputError(), maxInputErrorLen))
	}
	if p.accountID == "" {
		c.add("account_id", "is required in the first message")
	} else if problem := accountIDProblem(p.accountID); problem != "" {
		c.add("account_id", problem)
	}
	if problem := customerOrderIDProblem(p.customerOrderID); problem != "" {
		c.add("customer_order_id", problem)
	}
	if problem := requestIDProblem(p.requestID); problem != "" {
		c.add("request_id", problem)
	}
	if err := c.err("the first request message is invalid"); err != nil {
		return jobParams{}, err
	}
	if _, ok := s.accounts[p.accountID]; !ok {
		return jobParams{}, accountNotAllowed(p.accountID)
	}
	return p, nil
}

// checkLater validates a request message after the first. Fields read from the first message
// only may be omitted or repeated with the same value; a different value is a caller mistake,
// since ignoring it could, for example, submit numbers the caller meant as a dry run.
func (p jobParams) checkLater(r jobRequest) error {
	var c violations
	if a := r.GetAccountId(); a != "" && a != p.accountID {
		c.add("account_id", "differs from the first message's; a call works on one account")
	}
	if id := r.GetCustomerOrderId(); id != "" && id != p.customerOrderID {
		c.add("customer_order_id", "differs from the first message's; it is read from the first message only")
	}
	if id := r.GetRequestId(); id != "" && id != p.requestID {
		c.add("request_id", "differs from the first message's; it is read from the first message only")
	}
	if r.GetValidateOnly() && !p.validateOnly {
		c.add("validate_only", "is set after the first message; it is read from the first message only")
	}
	return c.err("a later request message contradicts the first")
}

// accountIDProblem describes what is wrong with a Bandwidth account id, or returns "".
func accountIDProblem(id string) string {
	if len(id) > maxAccountIDLen {
		return fmt.Sprintf("must be at most %d digits", maxAccountIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return "must be the Bandwidth account id: digits only"
		}
	}
	return ""
}

// customerOrderIDProblem describes what is wrong with a caller's customer order id, or returns "".
// The empty id is valid.
func customerOrderIDProblem(id string) string {
	if len(id) > maxCustomerOrderIDLen {
		return fmt.Sprintf("must be at most %d characters", maxCustomerOrderIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '-') {
			return "may hold only letters, digits, spaces and dashes"
		}
	}
	return ""
}

// requestIDProblem describes what is wrong with a request id, or returns "". The empty id is
// valid.
func requestIDProblem(id string) string {
	if len(id) > maxRequestIDLen {
		return fmt.Sprintf("must be at most %d characters", maxRequestIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x20 || id[i] > 0x7e {
			return "may hold only printable ASCII characters"
		}
	}
	return ""
}

// violations collects field violations for one INVALID_ARGUMENT.
type violations struct {
	items []fieldViolation
}

type fieldViolation struct{ field, description string }

func (c *violations) add(field, description string) {
	c.items = append(c.items, fieldViolation{field, description})
}

// err returns nil without violations, and the INVALID_ARGUMENT error otherwise.
func (c *violations) err(message string) error {
	if len(c.items) == 0 {
		return nil
	}
	e := invalidArgument(message)
	for _, v := range c.items {
		e.violations = append(e.violations, violation(v.field, v.description))
	}
	return e
}
