package jobs

import (
	"context"
	"errors"

	"github.com/tnassign/tnassign/bandwidth"
)

// Reason is why a job stopped early, as the ledger records it (ledger.Result.Failure) and as
// Finished reports it. Its values are names of the API's ErrorReason enum: the reason a
// caller's status carries for the same error.
type Reason string

// The reasons the engine itself gives. An InputError carries the reason its caller chose.
const (
	ReasonBandwidthAuth          Reason = "BANDWIDTH_AUTH"
	ReasonBandwidthMisconfigured Reason = "BANDWIDTH_MISCONFIGURED"
	ReasonBandwidthRateLimited   Reason = "BANDWIDTH_RATE_LIMITED"
	ReasonBandwidthUnavailable   Reason = "BANDWIDTH_UNAVAILABLE"
	ReasonShuttingDown           Reason = "SHUTTING_DOWN"
	ReasonJobInterrupted         Reason = "JOB_INTERRUPTED"
	ReasonJobHandedOver          Reason = "JOB_HANDED_OVER"
	ReasonCancelled              Reason = "CANCELLED"
	ReasonDeadlineExceeded       Reason = "DEADLINE_EXCEEDED"
	ReasonInternal               Reason = "INTERNAL"
	// ReasonInvalidArgument is a caller's mistake: a RequestIDReusedError.
	ReasonInvalidArgument Reason = "INVALID_ARGUMENT"
)

// Reasons returns every Reason constant of the package.
func Reasons() []Reason {
	return []Reason{
		ReasonBandwidthAuth, ReasonBandwidthMisconfigured, ReasonBandwidthRateLimited, ReasonBandwidthUnavailable,
		ReasonShuttingDown, ReasonJobInterrupted, ReasonJobHandedOver, ReasonCancelled, ReasonDeadlineExceeded,
		ReasonInternal, ReasonInvalidArgument,
	}
}

var (
	// ErrShuttingDown refuses new jobs and stops running ones when the engine shuts down.
	ErrShuttingDown = errors.New("jobs: shutting down")
	// ErrInterrupted ends a recovered job whose process died before its caller sent every
	// number.
	ErrInterrupted = errors.New("jobs: the job's process stopped before the caller sent every number")
	// ErrAccountNotAllowed refuses a job for an account outside Config.Accounts.
	ErrAccountNotAllowed = errors.New("jobs: account not served")
	// ErrForcedDown hands a job over when Shutdown's deadline passed before its orders settled.
	ErrForcedDown = errors.New("jobs: shut down before the job's orders settled")
	// ErrLeaseLost hands a job over when this replica is no longer sure it owns the job: its
	// lease renewals failed for too long, or another replica claimed it (or finished it).
	ErrLeaseLost = errors.New("jobs: the job's lease was lost")
	// ErrLedgerFailed hands a job over when the ledger did not record the outcome of one of its
	// batches or its end: the job cannot end while the ledger shows it unfinished.
	ErrLedgerFailed = errors.New("jobs: the ledger did not record an order's outcome")
)

// HandedOverError ends the run of a job this process stopped working on before it finished:
// the job stays running in the ledger and another replica, or the next start, finishes it.
// Cause is ErrForcedDown, ErrLeaseLost or ErrLedgerFailed; Read is how many numbers of the
// job's input it took (every one of them recorded): its caller sends the numbers after those
// again.
type HandedOverError struct {
	Cause error
	Read  int64
}

func (e *HandedOverError) Error() string { return "job handed over: " + e.Cause.Error() }

func (e *HandedOverError) Unwrap() error { return e.Cause }

// InputError is an error of a job's Input that ends the job early: the caller went away, cut
// its input short, or sent something the job cannot take. The numbers returned with it are
// recorded and counted as not submitted.
type InputError struct {
	// Reason is recorded as the job's failure reason.
	Reason Reason
	// CallerGone makes the job end ABORTED (the caller went away or cut its input short)
	// rather than FAILED.
	CallerGone bool
	// Err is the underlying error, for the caller's status.
	Err error
}

func (e *InputError) Error() string { return "job input: " + e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// StoreError is a ledger failure. It does not unwrap, so that a context error inside it is not
// mistaken for the caller going away.
type StoreError struct {
	// Op names the ledger operation that failed.
	Op  string
	Err error
}

func (e *StoreError) Error() string { return "ledger: " + e.Op + ": " + e.Err.Error() }

func storeFailure(op string, err error) error { return &StoreError{Op: op, Err: err} }

// RequestIDReusedError refuses a job whose request id names an existing job of the account
// with a different action or ValidateOnly: replaying a dry run as if it were the real job, or
// an assignment as an unassignment, would mislead.
type RequestIDReusedError struct {
	// JobID is the existing job's id.
	JobID string
}

func (e *RequestIDReusedError) Error() string {
	return "jobs: request id already names job " + e.JobID + ", which has a different action or validate_only"
}

// ReasonOf is the Reason a job that stopped for err records; "" for nil.
func ReasonOf(err error) Reason {
	var (
		ho *HandedOverError
		ie *InputError
		ru *RequestIDReusedError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ho):
		return ReasonJobHandedOver
	case errors.As(err, &ie):
		return ie.Reason
	case errors.As(err, &ru):
		return ReasonInvalidArgument
	case errors.Is(err, bandwidth.ErrMisconfigured):
		return ReasonBandwidthMisconfigured
	case errors.Is(err, bandwidth.ErrForbidden), errors.Is(err, bandwidth.ErrUnauthorized):
		return ReasonBandwidthAuth
	case errors.Is(err, bandwidth.ErrRateLimited):
		return ReasonBandwidthRateLimited
	case errors.Is(err, bandwidth.ErrUnavailable):
		return ReasonBandwidthUnavailable
	case errors.Is(err, ErrShuttingDown):
		return ReasonShuttingDown
	case errors.Is(err, ErrInterrupted):
		return ReasonJobInterrupted
	case errors.Is(err, context.Canceled):
		return ReasonCancelled
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonDeadlineExceeded
	}
	return ReasonInternal
}

// isAbort reports whether err means the caller went away or the engine is shutting down: the
// job ends ABORTED rather than FAILED.
func isAbort(err error) bool {
	var ie *InputError
	return errors.As(err, &ie) && ie.CallerGone || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, ErrShuttingDown) || errors.Is(err, ErrInterrupted)
}

// isFatalUpstream reports whether an upstream error means no later order can succeed either, so
// the job stops taking numbers.
func isFatalUpstream(err error) bool {
	return errors.Is(err, bandwidth.ErrUnauthorized) || errors.Is(err, bandwidth.ErrRateLimited) ||
		errors.Is(err, bandwidth.ErrUnavailable) || errors.Is(err, bandwidth.ErrMisconfigured)
}
