package cli

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// codeName returns the gRPC code of err, for example "Unavailable".
func codeName(err error) string {
	return status.Code(err).String()
}

// callHint turns the call's error into one line: what happened and what to
// do. started says the server had accepted the job.
func callHint(err error, o options, started bool) string {
	st := status.Convert(err)
	msg := st.Message()
	for _, d := range st.Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			var vs []string
			for _, v := range br.GetFieldViolations() {
				vs = append(vs, v.GetField()+": "+v.GetDescription())
			}
			if len(vs) > 0 {
				msg = strings.Join(vs, "; ")
			}
		}
	}
	replay := "re-run the same command to resume: the request id makes the server replay what it already did"
	switch st.Code() {
	case codes.Unavailable:
		if !started {
			return fmt.Sprintf("cannot reach tnassignd at %s (%s); check --server and that tnassignd is running", o.server, msg)
		}
		return fmt.Sprintf("the call ended: %s (Unavailable); %s", msg, replay)
	case codes.InvalidArgument:
		return fmt.Sprintf("the server refused the request: %s; fix --account or --customer-order-id", msg)
	case codes.PermissionDenied:
		return fmt.Sprintf("permission denied for account %s: %s; check --account, or ask the tnassignd operator to allow it", o.account, msg)
	case codes.Unauthenticated:
		return fmt.Sprintf("authentication failed: %s; ask the tnassignd operator to check its Bandwidth credentials", msg)
	case codes.ResourceExhausted:
		return fmt.Sprintf("Bandwidth is throttling: %s; wait a few minutes, then %s", msg, replay)
	case codes.DeadlineExceeded:
		return fmt.Sprintf("--timeout %v reached; raise --timeout, or %s", o.timeout, replay)
	case codes.Canceled:
		return "the call was cancelled; " + replay
	case codes.Unimplemented:
		return fmt.Sprintf("the server at %s does not serve tnassign.v1.AssignmentService (%s); check --server", o.server, msg)
	default:
		return fmt.Sprintf("the call failed: %s (%s); %s", msg, st.Code(), replay)
	}
}
