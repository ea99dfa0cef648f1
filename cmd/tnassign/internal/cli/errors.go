package cli

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

// codeName returns the gRPC code of err, for example "Unavailable".
func codeName(err error) string {
	return status.Code(err).String()
}

// replay is the advice after a call that may have done part of its work.
const replay = "re-run the same command to resume: the request id makes the server replay what it already did"

// callHint turns the call's error into one line: what happened and what to
// do. started says the server had accepted the job.
//
// tnassignd says why a call failed by the reason of the status's ErrorInfo
// (tnassignv1.ErrorReason), which tells apart causes that share a code and
// not a remedy: a missing caller token and Bandwidth refusing tnassignd's
// credentials, a full per-caller job cap and Bandwidth's throttling. The code
// decides only for statuses without a reason: gRPC's own (an unreachable
// server, a deadline reached on this side) and those of other servers.
func callHint(err error, o options, c connection, started bool) string {
	st := status.Convert(err)
	msg := statusText(st)
	again := "run the same command again"
	if started {
		again = replay
	}
	if reason, meta, ok := errorinfo.Of(err); ok {
		if hint := accessHint(reason, meta, msg, c, o.account); hint != "" {
			return hint
		}
		switch reason {
		case tnassignv1.ErrorReason_INVALID_ARGUMENT:
			return fmt.Sprintf("the server refused the request: %s; fix --account or --customer-order-id", msg)
		case tnassignv1.ErrorReason_INPUT_CUT_SHORT:
			return fmt.Sprintf("the server took the numbers only up to an error in the input: %s; fix --file, then %s", msg, again)
		case tnassignv1.ErrorReason_TOO_MANY_NUMBERS:
			return fmt.Sprintf("too many numbers for one job: %s; split --file into files of at most %s numbers and run each",
				msg, orDefault(meta["limit"], "that many"))
		case tnassignv1.ErrorReason_TOO_MANY_JOBS:
			return fmt.Sprintf("too many jobs for this caller: %s; \"tnassign job list --account %s --state running\" lists them: %s once one has finished",
				msg, o.account, again)
		case tnassignv1.ErrorReason_REQUEST_TOO_LARGE, tnassignv1.ErrorReason_REQUEST_STREAM_FAILED:
			if st.Code() == codes.ResourceExhausted {
				return fmt.Sprintf("the server could not read a request message: %s; lower --batch, then %s", msg, again)
			}
			return fmt.Sprintf("the server could not read the request stream: %s; %s", msg, again)
		case tnassignv1.ErrorReason_BANDWIDTH_AUTH:
			return fmt.Sprintf("Bandwidth refused tnassignd's credentials: %s; ask the tnassignd operator to check its Bandwidth credentials, then %s", msg, again)
		case tnassignv1.ErrorReason_BANDWIDTH_MISCONFIGURED:
			return fmt.Sprintf("tnassignd's Bandwidth API URL is wrong: %s; ask the tnassignd operator to check its --bandwidth-url, then %s", msg, again)
		case tnassignv1.ErrorReason_BANDWIDTH_RATE_LIMITED:
			return fmt.Sprintf("Bandwidth is throttling: %s; wait a few minutes, then %s", msg, again)
		case tnassignv1.ErrorReason_BANDWIDTH_UNAVAILABLE:
			return fmt.Sprintf("Bandwidth is unavailable: %s; wait a few minutes, then %s", msg, again)
		case tnassignv1.ErrorReason_JOB_HANDED_OVER:
			return handedOverHint(meta, o)
		case tnassignv1.ErrorReason_JOB_INTERRUPTED:
			return fmt.Sprintf("the job was interrupted: %s; %s", msg, again)
		case tnassignv1.ErrorReason_SHUTTING_DOWN:
			return fmt.Sprintf("tnassignd is shutting down: %s; %s once it is back (or against another replica)", msg, again)
		case tnassignv1.ErrorReason_CANCELLED:
			return "the call was cancelled; " + again
		case tnassignv1.ErrorReason_DEADLINE_EXCEEDED:
			return deadlineHint(o, again)
		case tnassignv1.ErrorReason_INTERNAL:
			return fmt.Sprintf("tnassignd failed: %s; %s, and tell the tnassignd operator if it happens again", msg, again)
		}
	}
	switch st.Code() {
	case codes.Unavailable:
		if !started {
			return connectionHint(st, c)
		}
		return fmt.Sprintf("the call ended: %s (Unavailable); %s", msg, replay)
	case codes.InvalidArgument:
		return fmt.Sprintf("the server refused the request: %s; fix --account or --customer-order-id", msg)
	case codes.PermissionDenied:
		return fmt.Sprintf("permission denied for account %s: %s; check --account, or ask the tnassignd operator to allow it", o.account, msg)
	case codes.Unauthenticated:
		return fmt.Sprintf("tnassignd did not accept this caller: %s; ask the tnassignd operator how to authenticate", msg)
	case codes.DeadlineExceeded:
		return deadlineHint(o, replay)
	case codes.Canceled:
		return "the call was cancelled; " + replay
	case codes.Unimplemented:
		return fmt.Sprintf("the server at %s does not serve tnassign.v1.AssignmentService (%s); check --server", o.server, msg)
	default:
		return fmt.Sprintf("the call failed: %s (%s); %s", msg, st.Code(), again)
	}
}

// jobHint turns a job RPC's error into one line saying what to do, by the
// status's reason as callHint does.
func jobHint(err error, o jobOptions, c connection) string {
	st, ok := status.FromError(err)
	if !ok {
		return err.Error()
	}
	msg := statusText(st)
	if reason, meta, ok := errorinfo.Of(err); ok {
		if hint := accessHint(reason, meta, msg, c, o.account); hint != "" {
			return hint
		}
		switch reason {
		case tnassignv1.ErrorReason_JOB_NOT_FOUND:
			return fmt.Sprintf("account %s has no job %q; list the jobs with \"tnassign job list --account %s\"", o.account, o.jobID, o.account)
		case tnassignv1.ErrorReason_INVALID_ARGUMENT:
			return fmt.Sprintf("the server refused the request: %s; check --account and the job id", msg)
		case tnassignv1.ErrorReason_SHUTTING_DOWN:
			return fmt.Sprintf("tnassignd is shutting down: %s; run the command again once it is back (or against another replica)", msg)
		case tnassignv1.ErrorReason_INTERNAL:
			return fmt.Sprintf("tnassignd failed: %s; run the command again, and tell the tnassignd operator if it happens again", msg)
		}
	}
	switch st.Code() {
	case codes.NotFound:
		return fmt.Sprintf("account %s has no job %q; list the jobs with \"tnassign job list --account %s\"", o.account, o.jobID, o.account)
	case codes.Unavailable:
		return connectionHint(st, c)
	case codes.PermissionDenied:
		return fmt.Sprintf("permission denied for account %s: %s; check --account", o.account, st.Message())
	default:
		return fmt.Sprintf("%s (%s)", st.Message(), st.Code())
	}
}

// accessHint is the hint for the refusals every command can meet, about who
// the caller is, what its token allows and what the deployment serves; ""
// for any other reason.
func accessHint(reason tnassignv1.ErrorReason, meta map[string]string, msg string, c connection, account string) string {
	server := c.server
	switch reason {
	case tnassignv1.ErrorReason_TOKEN_MISSING:
		return fmt.Sprintf("no caller token: %s; tnassignd at %s requires one: put yours in the %s environment variable,"+
			" or in a file named by --token-file FILE (ask the tnassignd operator for one)", msg, server, EnvToken)
	case tnassignv1.ErrorReason_TOKEN_UNKNOWN:
		return fmt.Sprintf("unknown caller token: %s; tnassignd at %s does not know the token from --token-file or %s: ask the tnassignd operator for a valid token",
			msg, server, EnvToken)
	case tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED:
		return fmt.Sprintf("the caller token may not use account %s: %s; check --account, or ask the tnassignd operator to grant the token that account",
			orDefault(meta["account_id"], account), msg)
	case tnassignv1.ErrorReason_ACTION_NOT_PERMITTED:
		return fmt.Sprintf("the caller token may not %s: %s; ask the tnassignd operator to grant the token the %s action",
			orDefault(meta["action"], "do this"), msg, orDefault(meta["action"], "needed"))
	case tnassignv1.ErrorReason_ACCOUNT_NOT_ALLOWED:
		return fmt.Sprintf("tnassignd does not serve account %s: %s; check --account, or ask the tnassignd operator to add it to --accounts", account, msg)
	case tnassignv1.ErrorReason_METHOD_NOT_PERMITTED:
		return fmt.Sprintf("tnassignd at %s refuses this call: %s; use a tnassign of the same release as tnassignd", server, msg)
	}
	return ""
}

// handedOverHint tells the caller of a handed-over job where it goes on and
// which numbers it took.
func handedOverHint(meta map[string]string, o options) string {
	jobID := orDefault(meta["job_id"], "JOB_ID")
	hint := fmt.Sprintf("tnassignd stopped working on job %s before it finished; the job goes on: follow it with \"tnassign job watch --account %s %s\"",
		jobID, o.account, jobID)
	if read := meta["numbers_read"]; read != "" {
		hint += fmt.Sprintf(". It took the first %s numbers of this run (numbers_read); send the numbers after those again in a new run", read)
	}
	return hint
}

// deadlineHint is the hint for a call that ran out of time.
func deadlineHint(o options, again string) string {
	if o.timeout > 0 {
		return fmt.Sprintf("--timeout %v reached; raise --timeout, or %s", o.timeout, again)
	}
	return "the call's deadline expired; " + again
}

// statusText is the status's message, or its field violations when it has
// some: they say what to fix.
func statusText(st *status.Status) string {
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
	return msg
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
