package ledger

import (
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
	// ErrRequestExists means the account already has a job with the same request id.
	ErrRequestExists = errors.New("ledger: request id already used")
	// ErrBadPageToken means a page token was malformed or belongs to another query.
	ErrBadPageToken = errors.New("ledger: bad page token")
	// ErrNotOwner means a write's Fence no longer matches the job: another replica claimed it since.
	ErrNotOwner = errors.New("ledger: job owned by another replica")
)

// RequestIDRetention is how long, at least, a Store remembers a job's request id.
const RequestIDRetention = 24 * time.Hour

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
	// FinishedAt is when FinishJob recorded the final state; zero while the job runs.
	FinishedAt time.Time
	// InputClosed is set by MarkInputClosed: the caller sent every number, and each received
	// number is now rejected or in a recorded batch.
	InputClosed bool
	// Owner is the replica that runs the job (CreateJob's j.Owner, or the last ClaimJobs caller);
	// LeaseUntil is when its lease ends unless renewed. Both are set by the Store.
	Owner      string
	LeaseUntil time.Time
	// Generation is the job's lease generation, set by the Store: FirstGeneration when created,
	// incremented by every ClaimJobs of the job. Owner and Generation make the Fence of the
	// job's writes.
	Generation int64
	// PreviousOwner is, in ClaimJobs' result only, the owner the job had before that claim;
	// empty everywhere else.
	PreviousOwner string
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
	Status OrderStatus
	// Succeeded are the numbers of the batch that succeeded.
	Succeeded []string
	// Errors are the failed numbers, grouped by code. A code of 0 marks a failure the service
	// determined (for example an order whose outcome is unknown), not one Bandwidth reported.
	Errors []NumberError
}

// OrderStatus is a Bandwidth order's final ProcessingStatus, spelled as Bandwidth spells it.
type OrderStatus string

// The final statuses of an order.
const (
	StatusComplete OrderStatus = "COMPLETE"
	StatusPartial  OrderStatus = "PARTIAL"
	StatusFailed   OrderStatus = "FAILED"
)

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
	// Reason is ReasonInvalidFormat or ReasonDuplicate.
	Reason RejectionReason
	// Detail explains the rejection to a person.
	Detail string
}

// RejectionReason is why a number was refused before reaching Bandwidth.
type RejectionReason string

// The reasons of a rejection.
const (
	// ReasonInvalidFormat: the caller's text is not a telephone number.
	ReasonInvalidFormat RejectionReason = "INVALID_FORMAT"
	// ReasonDuplicate: the number was already received for the job.
	ReasonDuplicate RejectionReason = "DUPLICATE"
)

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

// DefaultLease is the lease CreateJob, ClaimJobs and RenewLeases use when given one that is not
// positive.
const DefaultLease = 30 * time.Second

// Page sizes of ListJobs and ListOutcomes: a PageSize that is not positive means the default, and
// larger ones are capped at the maximum.
const (
	DefaultJobPageSize     = 100
	MaxJobPageSize         = 1000
	DefaultOutcomePageSize = 1000
	MaxOutcomePageSize     = 10000
)

// JobQuery selects a page of jobs.
type JobQuery struct {
	// State filters by state; empty means every state.
	State State
	// PageSize is the maximum number of jobs returned; the Store caps it (at most 1,000).
	PageSize int
	// PageToken is the previous page's NextPageToken; empty for the first page.
	PageToken string
}

// JobPage is a page of jobs.
type JobPage struct {
	Jobs []Job
	// NextPageToken is empty on the last page.
	NextPageToken string
}

// BatchInfo summarizes one batch of a job.
type BatchInfo struct {
	Seq             int
	CustomerOrderID string
	// OrderID is Bandwidth's order id; empty until RecordOrderID (or a settlement) names it.
	OrderID string
	// Status is the final status once settled; empty before.
	Status OrderStatus
	// Total is the number of numbers in the batch; Failed those settled as failed.
	Total, Failed int
	// Settled is set by RecordSettlement; Unsent by RecordBatchUnsent.
	Settled, Unsent bool
}

// OutcomeResult is what happened to one number of a job.
type OutcomeResult string

// Result values of an Outcome.
const (
	ResultSucceeded    OutcomeResult = "succeeded"
	ResultFailed       OutcomeResult = "failed"
	ResultRejected     OutcomeResult = "rejected"
	ResultNotSubmitted OutcomeResult = "not_submitted"
)

// Outcome is what happened to one number of a job.
type Outcome struct {
	// Number is canonical, or the caller's text for a rejection.
	Number string
	// Result is one of the Result constants.
	Result OutcomeResult
	// Code and Description are the failure's (Code 0 for a failure the service determined);
	// for a rejection Description is its detail.
	Code        int
	Description string
	// Reason is a rejection's reason (ReasonInvalidFormat or ReasonDuplicate).
	Reason RejectionReason
	// OrderID and CustomerOrderID name the number's batch, when it had one.
	OrderID, CustomerOrderID string
}

// OutcomeQuery selects a page of outcomes.
type OutcomeQuery struct {
	// Result filters by result; empty means every result.
	Result OutcomeResult
	// PageSize is the maximum number of outcomes returned; the Store caps it (at most 10,000).
	PageSize int
	// PageToken is the previous page's NextPageToken; empty for the first page.
	PageToken string
}

// OutcomePage is a page of outcomes.
type OutcomePage struct {
	Outcomes []Outcome
	// NextPageToken is empty on the last page.
	NextPageToken string
}

// PendingWork is what remains of a job whose process died.
type PendingWork struct {
	// Batches are the recorded batches neither settled nor unsent, by Seq.
	Batches []PendingBatch
	// Unbatched are received numbers never put in a batch, in arrival order.
	Unbatched []string
	// Unsent are the numbers of the batches RecordBatchUnsent marked, by Seq and position: not
	// submitted, like Unbatched, but already counted in a batch.
	Unsent []string
}

// PendingBatch is a batch that may or may not exist at Bandwidth yet.
type PendingBatch struct {
	Seq             int
	CustomerOrderID string
	Numbers         []string
	// OrderID is empty when the process died before Bandwidth's answer was recorded: the
	// order must be looked up by CustomerOrderID before it is ever sent again.
	OrderID string
	// CreateAttempted reports that RecordCreateAttempt recorded some attempt to create the
	// batch's order: the order may exist at Bandwidth even though OrderID is empty.
	CreateAttempted bool
	// CreateWait is, as of the PendingWork read and by the Store's clock (the database's for SQL
	// stores, so that replicas with skewed clocks agree), how long until the latest recorded
	// attempt's deadline passes: until then an earlier attempt may still create the order, and
	// the batch must not be sent again. It is 0 when the deadline passed or no attempt was
	// recorded. A batch recorded by a release that did not record create attempts reports
	// CreateAttempted true and CreateWait 0: an attempt may have been made, long enough ago.
	CreateWait time.Duration
}
