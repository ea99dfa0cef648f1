package ledger

import (
	"context"
	"time"
)

// Store records jobs durably. It is the contract every ledger driver implements: the roles its
// consumers depend on (JobWriter for the job engine, Leaser for replica ownership, JobReader for
// the read RPCs, Pinger for readiness) and Close for its owner. A Store must be safe for
// concurrent use.
//
// Every method honours ctx and wraps its errors with context; a failure means the record may not
// have been written and the pipeline treats it as its own fault. Methods that name a job return
// an error matching ErrNotFound when it does not exist; the writes and PendingWork also return
// ErrJobFinished when it has already finished, while the reads serve finished jobs as well.
// Writes are durable when they return. A Store keeps no reference to the slices or strings it is
// given (a short string may share the memory of a large network buffer).
type Store interface {
	JobWriter
	Leaser
	JobReader
	Pinger
	// Close releases the Store's resources; the Store is unusable afterwards.
	Close() error
}

// JobWriter is what the job engine records of a job's life, and what it reads back to resume
// one. The pipeline writes, per job, in this order: CreateJob; for each batch RecordBatch before
// the batch is sent, RecordCreateAttempt before each attempt to create its order, RecordOrderID
// as soon as Bandwidth names the order, RecordSettlement when it settles (or RecordBatchUnsent
// when it was never created); RecordRejections as numbers are refused; FinishJob last. Batches
// of one job are written concurrently.
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
type JobWriter interface {
	// CreateJob records a new running job owned by j.Owner until now+lease (DefaultLease when
	// lease is not positive), at Generation FirstGeneration: its writes take the Fence
	// {j.ID, j.Owner, FirstGeneration}. j.ID must be unique (ErrExists otherwise), and so must
	// j.RequestID within the account when set (ErrRequestExists); State, Counts, CreatedAt,
	// UpdatedAt, LeaseUntil and Generation are set by the Store. A request id whose job was
	// created more than RequestIDRetention ago is free again: CreateJob takes it over and
	// FindJobByRequestID returns the new job.
	CreateJob(ctx context.Context, j Job, lease time.Duration) error
	// FindJobByRequestID returns the account's job created with requestID within
	// RequestIDRetention (ErrNotFound when none). CreateJob of a job whose AccountID and
	// RequestID are already taken fails with ErrRequestExists, also under concurrent creates, so
	// at most one job exists per account and request id.
	FindJobByRequestID(ctx context.Context, accountID, requestID string) (Job, error)
	// RecordReceived records numbers accepted for the job (canonical, distinct within the job) in
	// arrival order, before they are batched, so that a job whose process died can list the ones
	// never batched as not submitted. Every number later named in RecordBatch was recorded here.
	RecordReceived(ctx context.Context, f Fence, numbers []string) error
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
	// MarkInputClosed records that the caller sent every number (it half-closed its stream) and
	// every received number is rejected or in a recorded batch.
	MarkInputClosed(ctx context.Context, f Fence) error
	// FinishJob records the job's final state, counts and not-submitted numbers. r.State must be
	// final.
	FinishJob(ctx context.Context, f Fence, r Result) error
	// PendingWork returns what a job that lost its process still has to do: its batches that
	// have not settled and are not unsent (with numbers, order id when known and create
	// attempts), the received numbers never put in a batch, in arrival order, and the numbers
	// of unsent batches. It takes no Fence: it only reads.
	PendingWork(ctx context.Context, jobID string) (PendingWork, error)
}

// Leaser is what replica ownership needs: claiming the running jobs whose lease ended, renewing
// the leases of the jobs a replica runs, and giving them up when it stops. See Store for the
// errors and JobWriter for how a claim fences out the previous owner's writes.
type Leaser interface {
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
}

// JobReader is what the read RPCs read: a job, its batches and settlements, its rejections and
// not-submitted numbers, and pages of jobs and outcomes. The reads serve running and finished
// jobs alike.
type JobReader interface {
	// GetJob returns the job as last recorded (ErrNotFound when unknown).
	GetJob(ctx context.Context, jobID string) (Job, error)
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
}

// Pinger reports whether the ledger is reachable, for readiness checks.
type Pinger interface {
	// Ping reports whether the Store can take writes.
	Ping(ctx context.Context) error
}
