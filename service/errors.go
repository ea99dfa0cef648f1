package service

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// The ErrorInfo reasons the service returns: values of the API's ErrorReason enum, whose doc
// comments say when each is sent. The domain is errorinfo.Domain.
const (
	reasonInvalidArgument    = tnassignv1.ErrorReason_INVALID_ARGUMENT
	reasonAccountNotAllowed  = tnassignv1.ErrorReason_ACCOUNT_NOT_ALLOWED
	reasonBandwidthAuth      = tnassignv1.ErrorReason_BANDWIDTH_AUTH
	reasonBandwidthThrottled = tnassignv1.ErrorReason_BANDWIDTH_RATE_LIMITED
	reasonBandwidthDown      = tnassignv1.ErrorReason_BANDWIDTH_UNAVAILABLE
	reasonShuttingDown       = tnassignv1.ErrorReason_SHUTTING_DOWN
	reasonCancelled          = tnassignv1.ErrorReason_CANCELLED
	reasonDeadlineExceeded   = tnassignv1.ErrorReason_DEADLINE_EXCEEDED
	reasonInternal           = tnassignv1.ErrorReason_INTERNAL
	reasonRequestStream      = tnassignv1.ErrorReason_REQUEST_STREAM_FAILED
	reasonJobInterrupted     = tnassignv1.ErrorReason_JOB_INTERRUPTED
	reasonJobNotFound        = tnassignv1.ErrorReason_JOB_NOT_FOUND
	reasonJobHandedOver      = tnassignv1.ErrorReason_JOB_HANDED_OVER
	reasonBandwidthConfig    = tnassignv1.ErrorReason_BANDWIDTH_MISCONFIGURED
	reasonInputCutShort      = tnassignv1.ErrorReason_INPUT_CUT_SHORT
)

// maxViolationDescription caps a field violation's description: status details travel in
// trailers, which clients cap near 8 KiB.
const maxViolationDescription = 200

// inputCut stops a job whose caller said its input ended early (input_error): the job ends
// ABORTED, recorded with the reason INPUT_CUT_SHORT, and the call with INVALID_ARGUMENT.
type inputCut struct{ detail string }

func (e *inputCut) Error() string { return "the caller's input was cut short: " + e.detail }

// storeFailure is a failed ledger read made for a caller's query: INTERNAL, like the engine's
// ledger failures.
func storeFailure(op string, err error) error { return &jobs.StoreError{Op: op, Err: err} }

// streamBroken is a failure to read the request stream: the caller went away, or gRPC refused
// its message. The job ends ABORTED and the call with the stream's own status.
type streamBroken struct{ err error }

func (e *streamBroken) Error() string { return "request stream: " + e.err.Error() }

// callError is an error whose gRPC status the service chose where it happened: a caller mistake or
// a refusal. Everything else is classified by statusOf.
type callError struct {
	code       codes.Code
	reason     tnassignv1.ErrorReason
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

// jobNotFound is a job that does not exist under the account named: unknown, or another
// account's (the caller learns nothing of other accounts' jobs).
func jobNotFound(accountID, jobID string) *callError {
	return &callError{code: codes.NotFound, reason: reasonJobNotFound,
		message: fmt.Sprintf("account %s has no assignment job %q", accountID, truncateText(jobID, 64))}
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

// inputError wraps an error of a caller's stream for the engine (see jobs.InputError): the job
// records the reason the caller's status carries, and ends ABORTED when callerGone.
func inputError(err error, callerGone bool) error {
	return &jobs.InputError{Reason: jobs.Reason(errorinfo.Reason(classify(err).reason)), CallerGone: callerGone, Err: err}
}

// statusOf turns any error of a call into the gRPC status the caller sees. It is the only place
// errors become statuses. Messages never carry internals: upstream and store errors are described
// by their kind only (they are logged in full with the job id, which the status names).
func statusOf(err error, jobID string) error {
	if err == nil {
		return nil
	}
	v := classify(err)
	var meta map[string]string
	if jobID != "" {
		v.message += " (job " + jobID + ")"
		meta = map[string]string{"job_id": jobID}
		if v.handedOver != nil {
			meta["numbers_read"] = strconv.FormatInt(v.handedOver.Read, 10)
		}
	}
	var extra []protoadapt.MessageV1
	if len(v.violations) > 0 {
		extra = append(extra, &errdetails.BadRequest{FieldViolations: v.violations})
	}
	return errorinfo.New(v.code, v.reason, v.message, meta, extra...).Err()
}

// verdict is what statusOf tells the caller about an error.
type verdict struct {
	code    codes.Code
	reason  tnassignv1.ErrorReason
	message string // without the job id
	// violations are a caller mistake's BadRequest field violations.
	violations []*errdetails.BadRequest_FieldViolation
	// handedOver is set for JOB_HANDED_OVER: its numbers_read goes in the metadata.
	handedOver *jobs.HandedOverError
}

// classify decides the verdict on err. The errors of the call itself (the caller's mistakes,
// its stream) come first; the engine's are classified by the reason the engine records for them
// (jobs.ReasonOf), so that a job's stored failure reason and its caller's status agree.
func classify(err error) verdict {
	var (
		ce *callError
		sb *streamBroken
		ho *jobs.HandedOverError
		ic *inputCut
		ru *jobs.RequestIDReusedError
	)
	switch {
	case errors.As(err, &ho):
		// UNAVAILABLE: this server can no longer serve the call. The reason tells the caller
		// that the job goes on, so that it follows the job rather than resend its numbers.
		why := "this replica lost the job's lease to another one"
		switch {
		case errors.Is(ho.Cause, jobs.ErrForcedDown):
			why = "the service shut down before the job's orders settled"
		case errors.Is(ho.Cause, jobs.ErrLedgerFailed):
			why = "this replica could not record an order's outcome in its ledger"
		}
		return verdict{code: codes.Unavailable, reason: reasonJobHandedOver, handedOver: ho,
			message: why + fmt.Sprintf("; the job goes on under another replica or after a restart: follow it with WatchAssignmentJob."+
				" It took the first %d numbers of this call (numbers_read): do not resend those; send any later ones again in a new call", ho.Read)}
	case errors.As(err, &sb):
		st, _ := status.FromError(sb.err)
		switch code := st.Code(); code {
		case codes.Canceled:
			return verdict{code: code, reason: reasonCancelled, message: "the call was cancelled"}
		case codes.DeadlineExceeded:
			return verdict{code: code, reason: reasonDeadlineExceeded, message: "the call's deadline expired"}
		case codes.Unknown, codes.OK:
			return verdict{code: codes.Canceled, reason: reasonRequestStream, message: "reading the request stream failed: " + st.Message()}
		default:
			return verdict{code: code, reason: reasonRequestStream, message: "reading the request stream failed: " + st.Message()}
		}
	case errors.As(err, &ic):
		return verdict{code: codes.InvalidArgument, reason: reasonInputCutShort,
			message: "the upload was cut short: " + ic.detail + "; the numbers before it were taken, nothing after it was read"}
	case errors.As(err, &ce):
		return verdict{code: ce.code, reason: ce.reason, message: ce.message, violations: ce.violations}
	case errors.Is(err, jobs.ErrAccountNotAllowed):
		// The handlers check the allow-list first; the engine checks it again.
		return verdict{code: codes.PermissionDenied, reason: reasonAccountNotAllowed, message: "the account is not served by this deployment"}
	case errors.As(err, &ru):
		return verdict{code: codes.InvalidArgument, reason: reasonInvalidArgument,
			message: "request_id was already used by a job of the account with a different action or validate_only",
			violations: []*errdetails.BadRequest_FieldViolation{violation("request_id",
				"already names job "+ru.JobID+", which has a different action or validate_only; use a new request_id")}}
	}
	switch jobs.ReasonOf(err) {
	case jobs.ReasonBandwidthMisconfigured:
		// The deployment's Bandwidth URL is wrong (or names no account): no order can succeed.
		return verdict{code: codes.FailedPrecondition, reason: reasonBandwidthConfig,
			message: "this service's Bandwidth API URL is misconfigured: " + misconfiguration(err)}
	case jobs.ReasonBandwidthAuth:
		// The operator's credentials, not the caller's, are at fault; UNAUTHENTICATED would tell
		// the caller to fix its own. FAILED_PRECONDITION: do not retry until the deployment is fixed.
		if errors.Is(err, bandwidth.ErrForbidden) {
			return verdict{code: codes.FailedPrecondition, reason: reasonBandwidthAuth,
				message: "Bandwidth does not allow this service's credentials to act on the account"}
		}
		return verdict{code: codes.FailedPrecondition, reason: reasonBandwidthAuth, message: "Bandwidth refused this service's credentials"}
	case jobs.ReasonBandwidthRateLimited:
		return verdict{code: codes.ResourceExhausted, reason: reasonBandwidthThrottled,
			message: "Bandwidth kept throttling requests past the retry budget; retry later"}
	case jobs.ReasonBandwidthUnavailable:
		return verdict{code: codes.Unavailable, reason: reasonBandwidthDown, message: "Bandwidth is unavailable past the retry budget; retry later"}
	case jobs.ReasonShuttingDown:
		return verdict{code: codes.Unavailable, reason: reasonShuttingDown, message: "the service is shutting down; retry"}
	case jobs.ReasonJobInterrupted:
		return verdict{code: codes.Aborted, reason: reasonJobInterrupted, message: "the job's process stopped before every number was received"}
	case jobs.ReasonCancelled:
		return verdict{code: codes.Canceled, reason: reasonCancelled, message: "the call was cancelled"}
	case jobs.ReasonDeadlineExceeded:
		return verdict{code: codes.DeadlineExceeded, reason: reasonDeadlineExceeded, message: "the call's deadline expired"}
	}
	return verdict{code: codes.Internal, reason: reasonInternal, message: "internal error"}
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
