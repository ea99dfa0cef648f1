package guard

import (
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errorDomain is the ErrorInfo domain, the same as the service's.
const errorDomain = "tnassign"

// The ErrorInfo reasons of the guard's refusals.
const (
	ReasonTokenMissing        = "TOKEN_MISSING"
	ReasonTokenUnknown        = "TOKEN_UNKNOWN"
	ReasonAccountNotPermitted = "ACCOUNT_NOT_PERMITTED"
	ReasonActionNotPermitted  = "ACTION_NOT_PERMITTED"
	ReasonMethodNotPermitted  = "METHOD_NOT_PERMITTED"
	ReasonTooManyNumbers      = "TOO_MANY_NUMBERS"
	ReasonTooManyJobs         = "TOO_MANY_JOBS"
	ReasonRequestTooLarge     = "REQUEST_TOO_LARGE"
)

// Refusal builds a status in the service's shape: code, message and one
// ErrorInfo (reason, domain "tnassign", optional metadata). The daemon's own
// refusals (here and in the gateway) all come from it.
func Refusal(code codes.Code, reason, message string, meta map[string]string) *status.Status {
	st := status.New(code, message)
	if d, err := st.WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: errorDomain, Metadata: meta}); err == nil {
		st = d
	}
	return st
}

func unauthenticated(reason, message string) error {
	return Refusal(codes.Unauthenticated, reason, message, nil).Err()
}

func accountDenied(t *Token, action Action, account string) error {
	return Refusal(codes.PermissionDenied, ReasonAccountNotPermitted,
		fmt.Sprintf("token %q may not act on account %s", t.Name, account),
		map[string]string{"token": t.Name, "account_id": account, "action": string(action)}).Err()
}

func actionDenied(t *Token, action Action) error {
	return Refusal(codes.PermissionDenied, ReasonActionNotPermitted,
		fmt.Sprintf("token %q may not %s", t.Name, action),
		map[string]string{"token": t.Name, "action": string(action)}).Err()
}

func tooManyNumbers(limit int) error {
	return Refusal(codes.ResourceExhausted, ReasonTooManyNumbers,
		fmt.Sprintf("a job may hold at most %d numbers (--max-numbers-per-job); the message that went over was not taken", limit),
		map[string]string{"limit": fmt.Sprint(limit)}).Err()
}

func tooManyJobs(limit int) error {
	return Refusal(codes.ResourceExhausted, ReasonTooManyJobs,
		fmt.Sprintf("this caller already runs %d jobs (--max-jobs-per-caller); retry when one has finished", limit),
		map[string]string{"limit": fmt.Sprint(limit)}).Err()
}

func refuseMethod() error {
	return Refusal(codes.PermissionDenied, ReasonMethodNotPermitted, "this method has no access policy and is refused", nil).Err()
}
