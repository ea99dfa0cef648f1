package guard

import (
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

// Refusal builds a status in the service's shape: code, message and one
// ErrorInfo (reason, domain "tnassign", optional metadata). The daemon's own
// refusals (here and in the gateway) all come from it; their reasons are the
// values of tnassignv1.ErrorReason documented as the guard's and gateway's:
// TOKEN_MISSING, TOKEN_UNKNOWN, ACCOUNT_NOT_PERMITTED, ACTION_NOT_PERMITTED,
// METHOD_NOT_PERMITTED, TOO_MANY_NUMBERS, TOO_MANY_JOBS (also for too many
// watches, and a full gateway) and REQUEST_TOO_LARGE.
func Refusal(code codes.Code, reason tnassignv1.ErrorReason, message string, meta map[string]string) *status.Status {
	return errorinfo.New(code, reason, message, meta)
}

func unauthenticated(reason tnassignv1.ErrorReason, message string) error {
	return Refusal(codes.Unauthenticated, reason, message, nil).Err()
}

func accountDenied(t *Token, action Action, account string) error {
	return Refusal(codes.PermissionDenied, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED,
		fmt.Sprintf("token %q may not act on account %s", t.Name, account),
		map[string]string{"token": t.Name, "account_id": account, "action": string(action)}).Err()
}

func actionDenied(t *Token, action Action) error {
	return Refusal(codes.PermissionDenied, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED,
		fmt.Sprintf("token %q may not %s", t.Name, action),
		map[string]string{"token": t.Name, "action": string(action)}).Err()
}

func tooManyNumbers(limit int) error {
	return Refusal(codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_NUMBERS,
		fmt.Sprintf("a job may hold at most %d numbers (--max-numbers-per-job); the message that went over was not taken", limit),
		map[string]string{"limit": fmt.Sprint(limit)}).Err()
}

func tooManyJobs(limit int) error {
	return Refusal(codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS,
		fmt.Sprintf("this caller already runs %d jobs (--max-jobs-per-caller); retry when one has finished", limit),
		map[string]string{"limit": fmt.Sprint(limit)}).Err()
}

// tooManyWatches refuses a watch over the caller's limit. The API has no
// reason of its own for it (the proto is not this package's to change), so
// it reuses TOO_MANY_JOBS, the per-caller limit's, with the metadata
// "limit" and "kind": "watches" to tell it apart.
func tooManyWatches(limit int) error {
	return Refusal(codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS,
		fmt.Sprintf("this caller already has %d watches open (--max-watches-per-caller); retry when one has ended", limit),
		map[string]string{"limit": fmt.Sprint(limit), "kind": "watches"}).Err()
}

func refuseMethod() error {
	return Refusal(codes.PermissionDenied, tnassignv1.ErrorReason_METHOD_NOT_PERMITTED, "this method has no access policy and is refused", nil).Err()
}
