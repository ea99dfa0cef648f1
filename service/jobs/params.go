package jobs

import (
	"fmt"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
)

// Params are a job's settings, fixed when it starts.
type Params struct {
	// AccountID is the Bandwidth account the job works on: one of Config.Accounts.
	AccountID string
	// Action is what the job does to its numbers: ledger.ActionAssign or ledger.ActionUnassign.
	Action ledger.Action
	// CustomerOrderID starts the CustomerOrderId of every order of the job; "" means the job
	// id's 32 hex digits. See CustomerOrderIDProblem.
	CustomerOrderID string
	// RequestID makes starting the job idempotent within the account (AIP-155): a job with the
	// same request id is returned instead of a new one. "" means none.
	RequestID string
	// ValidateOnly makes the job a dry run: its numbers are checked, none is sent.
	ValidateOnly bool
}

// bandwidthAction is the Bandwidth order action of a job's action.
func bandwidthAction(a ledger.Action) bandwidth.Action {
	if a == ledger.ActionUnassign {
		return bandwidth.ActionUnassign
	}
	return bandwidth.ActionAssign
}

// Limits on Params' fields.
const (
	maxAccountIDLen       = 20
	maxCustomerOrderIDLen = 32
	maxRequestIDLen       = 128
)

// AccountIDProblem describes what is wrong with a Bandwidth account id, or returns "". The
// empty id is not checked here: whether it is required is the caller's rule.
func AccountIDProblem(id string) string {
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

// CustomerOrderIDProblem describes what is wrong with a job's customer order id, or returns "".
// The empty id is valid. Followed by "-" and a batch's sequence number, it must fit Bandwidth's
// 40-character CustomerOrderId in its character set.
func CustomerOrderIDProblem(id string) string {
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

// RequestIDProblem describes what is wrong with a request id, or returns "". The empty id is
// valid.
func RequestIDProblem(id string) string {
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

// check reports whether p is a job the engine can start.
func (e *Engine) check(p Params) error {
	switch {
	case p.Action != ledger.ActionAssign && p.Action != ledger.ActionUnassign:
		return fmt.Errorf("jobs: unknown action %q", p.Action)
	case AccountIDProblem(p.AccountID) != "" || CustomerOrderIDProblem(p.CustomerOrderID) != "" || RequestIDProblem(p.RequestID) != "":
		return fmt.Errorf("jobs: invalid job parameters %+v", p)
	case !e.Serves(p.AccountID):
		return fmt.Errorf("%w: %s", ErrAccountNotAllowed, p.AccountID)
	}
	return nil
}
