package service

import (
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
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

// maxInputErrorLen bounds the caller's input_error text carried into a status.
const maxInputErrorLen = 1000

// checkFirst validates the first request message of a call. Caller mistakes are INVALID_ARGUMENT
// with one field violation per bad field; an account outside the allow-list is PERMISSION_DENIED.
// Nothing is sent anywhere before it succeeds.
func (s *Service) checkFirst(r jobRequest, action ledger.Action) (jobs.Params, error) {
	p := jobs.Params{
		AccountID:       r.GetAccountId(),
		Action:          action,
		CustomerOrderID: r.GetCustomerOrderId(),
		RequestID:       r.GetRequestId(),
		ValidateOnly:    r.GetValidateOnly(),
	}
	var c violations
	if r, ok := r.(request); ok && r.GetInputError() != "" {
		// Nothing of the upload was usable: no job is started.
		c.add("input_error", "the upload was cut short before its first message: "+truncateText(r.GetInputError(), maxInputErrorLen))
	}
	if p.AccountID == "" {
		c.add("account_id", "is required in the first message")
	} else if problem := jobs.AccountIDProblem(p.AccountID); problem != "" {
		c.add("account_id", problem)
	}
	if problem := jobs.CustomerOrderIDProblem(p.CustomerOrderID); problem != "" {
		c.add("customer_order_id", problem)
	}
	if problem := jobs.RequestIDProblem(p.RequestID); problem != "" {
		c.add("request_id", problem)
	}
	if err := c.err("the first request message is invalid"); err != nil {
		return jobs.Params{}, err
	}
	if !s.engine.Serves(p.AccountID) {
		return jobs.Params{}, accountNotAllowed(p.AccountID)
	}
	return p, nil
}

// checkLater validates a request message after the first. Fields read from the first message
// only may be omitted or repeated with the same value; a different value is a caller mistake,
// since ignoring it could, for example, submit numbers the caller meant as a dry run.
func checkLater(p jobs.Params, r jobRequest) error {
	var c violations
	if a := r.GetAccountId(); a != "" && a != p.AccountID {
		c.add("account_id", "differs from the first message's; a call works on one account")
	}
	if id := r.GetCustomerOrderId(); id != "" && id != p.CustomerOrderID {
		c.add("customer_order_id", "differs from the first message's; it is read from the first message only")
	}
	if id := r.GetRequestId(); id != "" && id != p.RequestID {
		c.add("request_id", "differs from the first message's; it is read from the first message only")
	}
	if r.GetValidateOnly() && !p.ValidateOnly {
		c.add("validate_only", "is set after the first message; it is read from the first message only")
	}
	return c.err("a later request message contradicts the first")
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
