package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
)

// errorDomain is the ErrorInfo domain of every status the service returns.
const errorDomain = "tnassign"

// The ErrorInfo reasons the service returns.
const (
	reasonInvalidArgument    = "INVALID_ARGUMENT"
	reasonAccountNotAllowed  = "ACCOUNT_NOT_ALLOWED"
	reasonBandwidthAuth      = "BANDWIDTH_AUTH"
	reasonBandwidthThrottled = "BANDWIDTH_RATE_LIMITED"
	reasonBandwidthDown      = "BANDWIDTH_UNAVAILABLE"
	reasonShuttingDown       = "SHUTTING_DOWN"
	reasonCancelled          = "CANCELLED"
	reasonDeadlineExceeded   = "DEADLINE_EXCEEDED"
	reasonInternal           = "INTERNAL"
	reasonRequestStream      = "REQUEST_STREAM_FAILED"
	reasonJobInterrupted     = "JOB_INTERRUPTED"
	reasonJobNotFound        = "JOB_NOT_FOUND"
	reasonJobHandedOver      = "JOB_HANDED_OVER"
	reasonBandwidthConfig    = "BANDWIDTH_MISCONFIGURED"
	reasonInputCutShort      = "INPUT_CUT_SHORT"
)

// maxViolationDescription caps a field violation's description: status details travel in
// trailers, which clients cap near 8 KiB.
const maxViolationDescription = 200

// errShuttingDown stops jobs when the service shuts down.
var errShuttingDown = errors.New("service: shutting down")

// errInterrupted ends a recovered job whose process died before its caller sent every number.
var errInterrupted = errors.New("service: the job's process stopped before the caller sent every number")

// errForcedDown hands a job over when Shutdown's deadline passed before its orders settled.
var errForcedDown = errors.New("service: shut down before the job's orders settled")

// errLeaseLost hands a job over when this replica is no longer sure it owns the job: its lease
// renewals failed for too long, or another replica claimed it (or finished it).
var errLeaseLost = errors.New("service: the job's lease was lost")

// handedOver ends the call of a job this process stopped working on before it finished: the job
// stays running in the ledger and another replica, or the next start, finishes it. cause is
// errForcedDown or errLeaseLost; read is how many numbers of the call's stream the job took
// (every one of them recorded): the caller sends the numbers after those again.
type handedOver struct {
	cause error
	read  int64
}

func (e *handedOver) Error() string { return "job handed over: " + e.cause.Error() }

func (e *handedOver) Unwrap() error { return e.cause }

// inputCut stops a job whose caller said its input ended early (input_error): the job ends
// ABORTED, recorded with the reason INPUT_CUT_SHORT, and the call with INVALID_ARGUMENT.
type inputCut struct{ detail string }

func (e *inputCut) Error() string { return "the caller's input was cut short: " + e.detail }

// storeError is a ledger failure, always INTERNAL: the ledger is ours. It does not unwrap, so
// that a context error inside it is not mistaken for the caller going away.
type storeError struct {
	op  string
	err error
}

func (e *storeError) Error() string { return "ledger: " + e.op + ": " + e.err.Error() }

func storeFailure(op string, err error) error { return &storeError{op: op, err: err} }

// streamBroken is a failure to read the request stream: the caller went away, or gRPC refused
// its message. The job ends ABORTED and the call with the stream's own status.
type streamBroken struct{ err error }

func (e *streamBroken) Error() string { return "request stream: " + e.err.Error() }

// callError is an error whose gRPC status the service chose where it happened: a caller mistake or
// a refusal. Everything else is classified by statusOf.
type callError struct {
	code       codes.Code
	reason     string
	message    string
	violations []*errdetails.BadRequest_FieldViolation
}

func (e *callError) Error() string { return e.message }

// violation is one BadRequest field violation.
func violation(field, description string) *errdetails.BadRequest_FieldViolation {
	if len(description) > maxViolationDescription {
		description = description[:maxViolationDescription]
	}
	return &errdetails.BadRequest_FieldViolation{Field: field, Description: description}
}

// invalidArgument is a caller mistake: INVALID_ARGUMENT with the given field violations.
func invalidArgument(message string, vs ...*errdetails.BadRequest_FieldViolation) *callError {
	return &callError{code: codes.InvalidArgument, reason: reasonInvalidArgument, message: message, violations: vs}
}

// accountNotAllowed refuses an account outside the allow-list.
func accountNotAllowed(account string) *callError {
	return &callError{code: codes.PermissionDenied, reason: reasonAccountNotAllowed,
		message: fmt.Sprintf("account %s is not served by this deployment", account)}
}

// isAbort reports whether err means the caller went away or the service is shutting down: the
// job ends ABORTED rather than FAILED.
func isAbort(err error) bool {
	var sb *streamBroken
	var ic *inputCut
	return errors.As(err, &sb) || errors.As(err, &ic) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, errShuttingDown) || errors.Is(err, errInterrupted)
}

// jobNotFound is a job that does not exist under the account named: unknown, or another
// account's (the caller learns nothing of other accounts' jobs).
func jobNotFound(accountID, jobID string) *callError {
	return &callError{code: codes.NotFound, reason: reasonJobNotFound,
		message: fmt.Sprintf("account %s has no assignment job %q", accountID, truncateText(jobID, 64))}
}

// requestIDReused refuses a call whose request_id names an existing job of another kind.
func requestIDReused(jobID string) *callError {
	return invalidArgument("request_id was already used by a job of the account with a different action or validate_only",
		violation("request_id", "already names job "+jobID+", which has a different action or validate_only; use a new request_id"))
}

// readFailure classifies an error of a ledger read made for a caller's query: a page token
// the ledger does not accept is the caller's mistake, anything else is ours.
func readFailure(op string, err error) error {
	if errors.Is(err, ledger.ErrBadPageToken) {
		return invalidArgument("page_token is not valid for this query",
			violation("page_token", "must be the next_page_token of a previous page of the same query (same account, job and filter)"))
	}
	return storeFailure(op, err)
}

// truncateText cuts s to at most n bytes for a message.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isFatalUpstream reports whether an upstream error means no later order can succeed either, so
// the job stops taking numbers.
func isFatalUpstream(err error) bool {
	return errors.Is(err, bandwidth.ErrUnauthorized) || errors.Is(err, bandwidth.ErrRateLimited) ||
		errors.Is(err, bandwidth.ErrUnavailable) || errors.Is(err, bandwidth.ErrMisconfigured)
}

// reasonOf returns the ErrorInfo reason statusOf gives err; the ledger records it as the job's
// failure.
func reasonOf(err error) string {
	if err == nil {
		return ""
	}
	st := statusOf(err, "")
	for _, d := range status.Convert(st).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.Reason
		}
	}
	return reasonInternal
}

// statusOf turns any error of a call into the gRPC status the caller sees. It is the only place
// errors become statuses. Messages never carry internals: upstream and store errors are described
// by their kind only (they are logged in full with the job id, which the status names).
func statusOf(err error, jobID string) error {
	if err == nil {
		return nil
	}
	var (
		code    codes.Code
		reason  string
		message string
		ce      *callError
		sb      *streamBroken
		ho      *handedOver
		ic      *inputCut
	)
	switch {
	case errors.As(err, &ho):
		// UNAVAILABLE: this server can no longer serve the call. The reason tells the caller
		// that the job goes on, so that it follows the job rather than resend its numbers.
		why := "this replica lost the job's lease to another one"
		if errors.Is(ho.cause, errForcedDown) {
			why = "the service shut down before the job's orders settled"
		}
		code, reason = codes.Unavailable, reasonJobHandedOver
		message = why + fmt.Sprintf("; the job goes on under another replica or after a restart: follow it with WatchAssignmentJob."+
			" It took the first %d numbers of this call (numbers_read): do not resend those; send any later ones again in a new call", ho.read)
	case errors.As(err, &sb):
		st, _ := status.FromError(sb.err)
		switch code = st.Code(); code {
		case codes.Canceled:
			reason, message = reasonCancelled, "the call was cancelled"
		case codes.DeadlineExceeded:
			reason, message = reasonDeadlineExceeded, "the call's deadline expired"
		default:
			if code == codes.Unknown || code == codes.OK {
				code = codes.Canceled
			}
			reason, message = reasonRequestStream, "reading the request stream failed: "+st.Message()
		}
	case errors.As(err, &ic):
		code, reason = codes.InvalidArgument, reasonInputCutShort
		message = "the upload was cut short: " + ic.detail + "; the numbers before it were taken, nothing after it was read"
	case errors.As(err, &ce):
		code, reason, message = ce.code, ce.reason, ce.message
	case errors.Is(err, bandwidth.ErrMisconfigured):
		// The deployment's Bandwidth URL is wrong (or names no account): no order can succeed.
		code, reason = codes.FailedPrecondition, reasonBandwidthConfig
		message = "this service's Bandwidth API URL is misconfigured: " + misconfiguration(err)
	case errors.Is(err, bandwidth.ErrForbidden):
		// The operator's credentials, not the caller's, are at fault; UNAUTHENTICATED would tell
		// the caller to fix its own. FAILED_PRECONDITION: do not retry until the deployment is fixed.
		code, reason = codes.FailedPrecondition, reasonBandwidthAuth
		message = "Bandwidth does not allow this service's credentials to act on the account"
	case errors.Is(err, bandwidth.ErrUnauthorized):
		code, reason = codes.FailedPrecondition, reasonBandwidthAuth
		message = "Bandwidth refused this service's credentials"
	case errors.Is(err, bandwidth.ErrRateLimited):
		code, reason = codes.ResourceExhausted, reasonBandwidthThrottled
		message = "Bandwidth kept throttling requests past the retry budget; retry later"
	case errors.Is(err, bandwidth.ErrUnavailable):
		code, reason = codes.Unavailable, reasonBandwidthDown
		message = "Bandwidth is unavailable past the retry budget; retry later"
	case errors.Is(err, errShuttingDown):
		code, reason, message = codes.Unavailable, reasonShuttingDown, "the service is shutting down; retry"
	case errors.Is(err, errInterrupted):
		code, reason, message = codes.Aborted, reasonJobInterrupted, "the job's process stopped before every number was received"
	case errors.Is(err, context.Canceled):
		code, reason, message = codes.Canceled, reasonCancelled, "the call was cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		code, reason, message = codes.DeadlineExceeded, reasonDeadlineExceeded, "the call's deadline expired"
	default:
		code, reason, message = codes.Internal, reasonInternal, "internal error"
	}
	if jobID != "" {
		message += " (job " + jobID + ")"
	}
	info := &errdetails.ErrorInfo{Reason: reason, Domain: errorDomain}
	if jobID != "" {
		info.Metadata = map[string]string{"job_id": jobID}
		if ho != nil {
			info.Metadata["numbers_read"] = strconv.FormatInt(ho.read, 10)
		}
	}
	details := []protoadapt.MessageV1{info}
	if ce != nil && len(ce.violations) > 0 {
		details = append(details, &errdetails.BadRequest{FieldViolations: ce.violations})
	}
	st := status.New(code, message)
	if withDetails, derr := st.WithDetails(details...); derr == nil {
		st = withDetails
	}
	return st.Err()
}

// misconfiguration describes a bandwidth.ErrMisconfigured error to the caller: the client's
// message names the request's method and URL (never credentials) and what to check.
func misconfiguration(err error) string {
	msg := err.Error()
	marker := bandwidth.ErrMisconfigured.Error() + ": "
	if i := strings.Index(msg, marker); i >= 0 {
		msg = msg[i+len(marker):]
	}
	return truncateText(msg, 400)
}
