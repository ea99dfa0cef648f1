package ledger

import (
	"context"
	"errors"
	"time"
)

// Errors a Store returns, wrapped with context; test them with errors.Is.
var (
	// ErrNotFound means the job (or the batch of a job) does not exist.
	ErrNotFound = errors.New("ledger: not found")
	// ErrExists means a job with the same id was already created.
	ErrExists = errors.New("ledger: already exists")
	// ErrJobFinished means the job already has a final state and takes no more records.
	ErrJobFinished = errors.New("ledger: job already finished")
)

// Action is what a job does to its numbers.
type Action string

// The actions of a job.
const (
	ActionAssign   Action = "assign"
	ActionUnassign Action = "unassign"
)

// State is a job's state. StateRunning is the only non-final state.
type State string

// The states of a job.
const (
	StateRunning   State = "running"
	StateSucceeded State = "succeeded"
	StatePartial   State = "partial"
	StateFailed    State = "failed"
	StateAborted   State = "aborted"
)

// Final reports whether s is a final state.
func (s State) Final() bool {
	return s == StateSucceeded || s == StatePartial || s == StateFailed || s == StateAborted
}

// Job is one AssignNumbers or UnassignNumbers call as the ledger records it.
type Job struct {
	// ID is the job id (a UUIDv7 string); unique.
	ID string
	// AccountID is the Bandwidth account the job works on.
	AccountID string
	// Action is what the job does to its numbers.
	Action Action
	// CustomerOrderID is the caller's tracking id; empty when none was given.
	CustomerOrderID string
	// RequestID is the caller's idempotency key; empty when none was given.
	RequestID string
	// ValidateOnly marks a dry run: nothing is sent to Bandwidth.
	ValidateOnly bool
	// State is StateRunning until FinishJob records the final state.
	State State
	// Counts are the job's number counts; they are final once State is final.
	Counts Counts
	// Failure is the reason (an UPPER_SNAKE ErrorInfo reason) a failed or aborted job stopped
	// early; empty otherwise.
	Failure string
	// CreatedAt and UpdatedAt are set by the Store.
	CreatedAt, UpdatedAt time.Time
}

// Counts are the number counts of a job. For a finished job,
// Received = Rejected + Succeeded + Failed + NotSubmitted.
type Counts struct {
	Received, Rejected, Succeeded, Failed, NotSubmitted int64
}

// Batch is one Bandwidth order of a job, recorded before it is sent.
type Batch struct {
	// Seq numbers the job's batches from 1, in the order they were formed; unique within the job.
	Seq int
	// CustomerOrderID is the CustomerOrderId sent with the order; unique within the job.
	CustomerOrderID string
	// Numbers are the order's numbers in canonical 10-digit form, at most 5,000, distinct.
	Numbers []string
}

// Settlement is how a batch ended.
type Settlement struct {
	// OrderID is Bandwidth's order id; empty when Bandwidth refused the request or the order's
	// creation could not be confirmed.
	OrderID string
	// Status is the order's final ProcessingStatus (COMPLETE, PARTIAL or FAILED).
	Status string
	// Succeeded are the numbers of the batch that succeeded.
	Succeeded []string
	// Errors are the failed numbers, grouped by code. A code of 0 marks a failure the service
	// determined (for example an order whose outcome is unknown), not one Bandwidth reported.
	Errors []NumberError
}

// NumberError is one failure code of a settled batch and the numbers it applies to.
type NumberError struct {
	Code        int
	Description string
	Numbers     []string
}

// Rejection is a number refused before reaching Bandwidth.
type Rejection struct {
	// Number is the caller's text, as given.
	Number string
	// Reason is "INVALID_FORMAT" or "DUPLICATE".
	Reason string
	// Detail explains the rejection to a person.
	Detail string
}

// Result is a job's end.
type Result struct {
	// State is the final state; never StateRunning.
	State State
	// Counts are the final counts.
	Counts Counts
	// NotSubmitted are the numbers received but never sent to Bandwidth, canonical when they
	// were normalized and as given otherwise.
	NotSubmitted []string
	// Failure is the reason a failed or aborted job stopped early; empty otherwise.
	Failure string
}

// Store records jobs durably. The pipeline writes, per job, in this order: CreateJob; for each
// batch RecordBatch before the batch is sent, RecordOrderID as soon as Bandwidth names the order,
// RecordSettlement when it settles (or RecordBatchUnsent when it was never created);
// RecordRejections as numbers are refused; FinishJob last.
// Batches of one job are written concurrently; a Store must be safe for concurrent use.
//
// Every method honours ctx and wraps its errors with context; a failure means the record may not
// have been written and the pipeline treats it as its own fault. Methods that name a job return
// an error matching ErrNotFound when it does not exist and ErrJobFinished when it has already
// finished (except GetJob). A Store keeps no reference to the slices or strings it is given (a
// short string may share the memory of a large network buffer).
type Store interface {
	// CreateJob records a new running job. j.ID must be unique (ErrExists otherwise); State,
	// Counts, CreatedAt and UpdatedAt are set by the Store.
	CreateJob(ctx context.Context, j Job) error
	// RecordBatch records a batch and its numbers before it is sent to Bandwidth. Its numbers
	// count as submitted with an unknown outcome until RecordSettlement. A Seq already recorded
	// for the job is ErrExists.
	RecordBatch(ctx context.Context, jobID string, b Batch) error
	// RecordBatchUnsent records that a recorded batch was never created at Bandwidth (it was
	// refused before any order existed), so its numbers are not submitted: they are listed in
	// FinishJob's Result.NotSubmitted and have no outcome of their own.
	RecordBatchUnsent(ctx context.Context, jobID string, seq int) error
	// RecordOrderID records Bandwidth's order id for a recorded batch (ErrNotFound otherwise), so
	// that an order can be polled to its end even after a restart.
	RecordOrderID(ctx context.Context, jobID string, seq int, orderID string) error
	// RecordSettlement records how a recorded batch ended. Numbers named in s that are not in the
	// batch are ignored; numbers of the batch named nowhere in s keep an unknown outcome.
	RecordSettlement(ctx context.Context, jobID string, seq int, s Settlement) error
	// RecordRejections records numbers refused before reaching Bandwidth, in the order given.
	RecordRejections(ctx context.Context, jobID string, rs []Rejection) error
	// FinishJob records the job's final state, counts and not-submitted numbers. r.State must be
	// final.
	FinishJob(ctx context.Context, jobID string, r Result) error
	// GetJob returns the job as last recorded (ErrNotFound when unknown).
	GetJob(ctx context.Context, jobID string) (Job, error)
	// Ping reports whether the Store can take writes.
	Ping(ctx context.Context) error
}
