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
// batch RecordBatch before the batch is sent, RecordCreateAttempt before each attempt to create
// its order, RecordOrderID as soon as Bandwidth names the order, RecordSettlement when it settles
// (or RecordBatchUnsent when it was never created); RecordRejections as numbers are refused;
// FinishJob last. Batches of one job are written concurrently; a Store must be safe for
// concurrent use.
//
// Every method honours ctx and wraps its errors with context; a failure means the record may not
// have been written and the pipeline treats it as its own fault. Methods that name a job return
// an error matching ErrNotFound when it does not exist; the writes and PendingWork also return
// ErrJobFinished when it has already finished, while the reads serve finished jobs as well.
// Writes are durable when they return. A Store keeps no reference to the slices or strings it is
// given (a short string may share the memory of a large network buffer).
//
// The writes to a running job (Record*, MarkInputClosed, FinishJob) are fenced: they take the
// writer's Fence, and the Store checks it atomically with the write, in the same transaction.
// When the job's Owner or Generation differ from the Fence's (another replica, or the same
// replica after a restart, claimed the job since), the write changes nothing and returns an error
// matching ErrNotOwner. Errors take precedence in this order: an unknown job is ErrNotFound, a
// finished one ErrJobFinished, a stale Fence ErrNotOwner, and only then come the write's own
// errors (an unknown batch, a Seq already recorded). A write racing with a ClaimJobs of its job
// either lands before the claim or is refused: never after it. Only a claim fences a writer out:
// a lease that ended (or that ReleaseLeases ended) without anyone claiming the job leaves its
// owner's writes landing.
type Store interface {
	// CreateJob records a new running job owned by j.Owner until now+lease (DefaultLease when
	// lease is not positive), at Generation FirstGeneration: its writes take the Fence
	// {j.ID, j.Owner, FirstGeneration}. j.ID must be unique (ErrExists otherwise), and so must
	// j.RequestID within the account when set (ErrRequestExists); State, Counts, CreatedAt,
	// UpdatedAt, LeaseUntil and Generation are set by the Store. A request id whose job was
	// created more than RequestIDRetention ago is free again: CreateJob takes it over and
	// FindJobByRequestID returns the new job.
	CreateJob(ctx context.Context, j Job, lease time.Duration) error
	// RecordBatch records a batch and its numbers before it is sent to Bandwidth. Its numbers
	// count as submitted with an unknown outcome until RecordSettlement. A Seq already recorded
	// for the job is ErrExists. The batch starts with no create attempt.
	RecordBatch(ctx context.Context, f Fence, b Batch) error
	// RecordCreateAttempt records that an attempt to create the order of the recorded batch seq
	// (ErrNotFound otherwise) starts now and is over, on the sender's side, within bound: past
	// that, the attempt cannot create an order any more. The batch's create deadline becomes the
	// later of the one recorded and the Store's now+bound (now when bound is not positive), so
	// that PendingWork tells the batch's next owner how long to wait before an earlier attempt
	// can no longer create an order behind its back.
	RecordCreateAttempt(ctx context.Context, f Fence, seq int, bound time.Duration) error
	// RecordBatchUnsent records that a recorded batch was never created at Bandwidth (it was
	// refused before any order existed), so its numbers are not submitted: they are listed in
	// FinishJob's Result.NotSubmitted (and, while the job runs, in PendingWork's Unsent) and have
	// no outcome of their own.
	RecordBatchUnsent(ctx context.Context, f Fence, seq int) error
	// RecordOrderID records Bandwidth's order id for a recorded batch (ErrNotFound otherwise), so
	// that an order can be polled to its end even after a restart.
	RecordOrderID(ctx context.Context, f Fence, seq int, orderID string) error
	// RecordSettlement records how a recorded batch ended. Numbers named in s that are not in the
	// batch are ignored; numbers of the batch named nowhere in s keep an unknown outcome.
	RecordSettlement(ctx context.Context, f Fence, seq int, s Settlement) error
	// RecordRejections records numbers refused before reaching Bandwidth, in the order given.
	RecordRejections(ctx context.Context, f Fence, rs []Rejection) error
	// FinishJob records the job's final state, counts and not-submitted numbers. r.State must be
	// final.
	FinishJob(ctx context.Context, f Fence, r Result) error
	// GetJob returns the job as last recorded (ErrNotFound when unknown).
	GetJob(ctx context.Context, jobID string) (Job, error)
	// Ping reports whether the Store can take writes.
	Ping(ctx context.Context) error

	// FindJobByRequestID returns the account's job created with requestID within
	// RequestIDRetention (ErrNotFound when none). CreateJob of a job whose AccountID and
	// RequestID are already taken fails with ErrRequestExists, also under concurrent creates, so
	// at most one job exists per account and request id.
	FindJobByRequestID(ctx context.Context, accountID, requestID string) (Job, error)
	// RecordReceived records numbers accepted for the job (canonical, distinct within the job) in
	// arrival order, before they are batched, so that a job whose process died can list the ones
	// never batched as not submitted. Every number later named in RecordBatch was recorded here.
	RecordReceived(ctx context.Context, f Fence, numbers []string) error
	// MarkInputClosed records that the caller sent every number (it half-closed its stream) and
	// every received number is rejected or in a recorded batch.
	MarkInputClosed(ctx context.Context, f Fence) error

	// ListJobs returns a page of the account's jobs, newest first, filtered by q.State when it
	// is set. The page token is opaque; a token from another account or filter is ErrBadPageToken.
	ListJobs(ctx context.Context, accountID string, q JobQuery) (JobPage, error)
	// ListBatches returns the job's batches ordered by Seq (ErrNotFound for an unknown job).
	ListBatches(ctx context.Context, jobID string) ([]BatchInfo, error)
	// Settlement returns a settled batch's record as RecordSettlement received it, with
	// Succeeded and Errors' numbers in the batch's order (ErrNotFound when the job or batch is
	// unknown or the batch has not settled).
	Settlement(ctx context.Context, jobID string, seq int) (Settlement, error)
	// Rejections returns up to limit of the job's rejections starting at index from (0-based, in
	// recorded order), and the total recorded so far.
	Rejections(ctx context.Context, jobID string, from, limit int) ([]Rejection, int, error)
	// NotSubmitted returns the numbers FinishJob listed as not submitted (empty while running).
	NotSubmitted(ctx context.Context, jobID string) ([]string, error)
	// ListOutcomes returns a page of the job's per-number outcomes known so far: numbers of
	// settled batches by batch Seq and position, then rejections in recorded order, then the
	// not-submitted numbers; numbers still waiting for their batch to settle are left out.
	// q.Result filters; the page token is opaque (ErrBadPageToken when it does not fit).
	ListOutcomes(ctx context.Context, jobID string, q OutcomeQuery) (OutcomePage, error)

	// ClaimJobs takes over up to limit running jobs whose lease has ended (their replica died or
	// stopped), making owner their Owner until now+lease (DefaultLease when lease is not
	// positive) and incrementing their Generation, and returns them with PreviousOwner set to
	// the owner each had before. From then on only the Fence {ID, owner, Generation} of a
	// returned job writes to it; the previous owner's writes are refused with ErrNotOwner, also
	// when owner is the previous owner itself (a restarted replica). Concurrent callers never
	// get the same job.
	ClaimJobs(ctx context.Context, owner string, lease time.Duration, limit int) ([]Job, error)
	// RenewLeases extends to now+lease the leases of those of the jobs named by jobIDs that are
	// running and owned by owner, and returns their ids (in no particular order; none for no
	// jobIDs). A job missing from the result is no longer owner's: finished, or claimed by
	// another replica after its lease ended. owner's jobs not named keep their lease, so that a
	// job owner stopped working on is claimed once it ends. A lease of a millisecond gives the
	// named jobs up: they can be claimed at once. Generations do not change.
	RenewLeases(ctx context.Context, owner string, jobIDs []string, lease time.Duration) ([]string, error)
	// ReleaseLeases ends now the lease of every running job owned by owner, so that ClaimJobs
	// (of any replica, owner's next start included) takes them over without waiting. Owners and
	// generations do not change: until a claim, owner's writes still land.
	ReleaseLeases(ctx context.Context, owner string) error
	// PendingWork returns what a job that lost its process still has to do: its batches that
	// have not settled and are not unsent (with numbers, order id when known and create
	// attempts), the received numbers never put in a batch, in arrival order, and the numbers
	// of unsent batches. It takes no Fence: it only reads.
	PendingWork(ctx context.Context, jobID string) (PendingWork, error)
	// Close releases the Store's resources; the Store is unusable afterwards.
	Close() error
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
	Status string
	// Total is the number of numbers in the batch; Failed those settled as failed.
	Total, Failed int
	// Settled is set by RecordSettlement; Unsent by RecordBatchUnsent.
	Settled, Unsent bool
}

// Result values of an Outcome.
const (
	ResultSucceeded    = "succeeded"
	ResultFailed       = "failed"
	ResultRejected     = "rejected"
	ResultNotSubmitted = "not_submitted"
)

// Outcome is what happened to one number of a job.
type Outcome struct {
	// Number is canonical, or the caller's text for a rejection.
	Number string
	// Result is one of the Result constants.
	Result string
	// Code and Description are the failure's (Code 0 for a failure the service determined);
	// for a rejection Description is its detail.
	Code        int
	Description string
	// Reason is a rejection's reason ("INVALID_FORMAT" or "DUPLICATE").
	Reason string
	// OrderID and CustomerOrderID name the number's batch, when it had one.
	OrderID, CustomerOrderID string
}

// OutcomeQuery selects a page of outcomes.
type OutcomeQuery struct {
	// Result filters by result; empty means every result.
	Result string
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
