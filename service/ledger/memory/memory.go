package memory

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

// errClosed is returned by a Store after Close.
var errClosed = errors.New("ledger: store closed")

// Store is a ledger.Store that keeps everything in process memory until the process exits. It
// serves tests and simulator runs. It is safe for concurrent use. Canonical numbers are kept as integers
// (about 10 bytes per number with its outcome), so a job of millions of numbers stays affordable.
type Store struct {
	mu       sync.Mutex
	jobs     map[string]*memJob
	requests map[[2]string]string // (account, request id) → job id
	now      func() time.Time
	closed   bool
}

var _ ledger.Store = (*Store)(nil)

type memJob struct {
	job          ledger.Job
	batches      map[int]*memBatch
	rejections   []ledger.Rejection
	received     numberList
	notSubmitted numberList
}

type memBatch struct {
	customerOrderID string
	orderID         string
	status          ledger.OrderStatus
	numbers         numberList
	settled         bool
	// unsent marks a batch never created at Bandwidth: its numbers are in the job's notSubmitted.
	unsent bool
	// result holds one entry per number: 0 unknown, 1 succeeded, 2+k failed with errors[k].
	result []uint16
	errors []codeDesc
	// createUntil is the latest create attempt's deadline; zero when none was recorded.
	createUntil time.Time
}

type codeDesc struct {
	code int
	desc string
}

// counts returns how many numbers of the batch succeeded and failed.
func (b *memBatch) counts() (succeeded, failed int64) {
	for _, r := range b.result {
		switch {
		case r == 1:
			succeeded++
		case r >= 2:
			failed++
		}
	}
	return succeeded, failed
}

// New returns an empty in-memory Store.
func New() *Store {
	return &Store{jobs: make(map[string]*memJob), requests: make(map[[2]string]string), now: time.Now}
}

// check returns an error when ctx is done or the store is closed; the caller holds m.mu.
func (m *Store) check(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("ledger: %s: %w", op, err)
	}
	if m.closed {
		return fmt.Errorf("ledger: %s: %w", op, errClosed)
	}
	return nil
}

// CreateJob implements ledger.Store.
func (m *Store) CreateJob(ctx context.Context, j ledger.Job, lease time.Duration) error {
	if j.ID == "" {
		return fmt.Errorf("ledger: create job: empty id")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "create job"); err != nil {
		return err
	}
	if _, ok := m.jobs[j.ID]; ok {
		return fmt.Errorf("ledger: create job %s: %w", j.ID, ledger.ErrExists)
	}
	now := m.now()
	key := [2]string{j.AccountID, j.RequestID}
	if j.RequestID != "" {
		if prev, ok := m.jobs[m.requests[key]]; ok && now.Sub(prev.job.CreatedAt) < ledger.RequestIDRetention {
			return fmt.Errorf("ledger: create job %s: request id %q: %w", j.ID, j.RequestID, ledger.ErrRequestExists)
		}
	}
	j.State, j.Counts, j.Failure, j.CreatedAt, j.UpdatedAt = ledger.StateRunning, ledger.Counts{}, "", now, now
	j.FinishedAt, j.InputClosed, j.LeaseUntil = time.Time{}, false, now.Add(leaseOrDefault(lease))
	j.Generation, j.PreviousOwner = ledger.FirstGeneration, ""
	j.ID, j.AccountID, j.CustomerOrderID, j.RequestID = strings.Clone(j.ID), strings.Clone(j.AccountID),
		strings.Clone(j.CustomerOrderID), strings.Clone(j.RequestID)
	j.Owner = strings.Clone(j.Owner)
	m.jobs[j.ID] = &memJob{job: j, batches: make(map[int]*memBatch)}
	if j.RequestID != "" {
		m.requests[[2]string{j.AccountID, j.RequestID}] = j.ID
	}
	return nil
}

// runningJob returns the unfinished job f fences, when f is current, and touches its UpdatedAt;
// the caller holds m.mu.
func (m *Store) runningJob(ctx context.Context, op string, f ledger.Fence) (*memJob, error) {
	if err := m.check(ctx, op); err != nil {
		return nil, err
	}
	j, ok := m.jobs[f.JobID]
	if !ok {
		return nil, fmt.Errorf("ledger: %s: job %s: %w", op, f.JobID, ledger.ErrNotFound)
	}
	if j.job.State.Final() {
		return nil, fmt.Errorf("ledger: %s: job %s: %w", op, f.JobID, ledger.ErrJobFinished)
	}
	if j.job.Owner != f.Owner || j.job.Generation != f.Generation {
		return nil, fmt.Errorf("ledger: %s: job %s: owned by %q at generation %d, not by %q at generation %d: %w",
			op, f.JobID, j.job.Owner, j.job.Generation, f.Owner, f.Generation, ledger.ErrNotOwner)
	}
	j.job.UpdatedAt = m.now()
	return j, nil
}

// batch returns a recorded batch of a running job; the caller holds m.mu.
func (m *Store) batch(ctx context.Context, op string, f ledger.Fence, seq int) (*memJob, *memBatch, error) {
	j, err := m.runningJob(ctx, op, f)
	if err != nil {
		return nil, nil, err
	}
	b, ok := j.batches[seq]
	if !ok {
		return nil, nil, fmt.Errorf("ledger: %s: batch %d of job %s: %w", op, seq, f.JobID, ledger.ErrNotFound)
	}
	return j, b, nil
}

// RecordBatch implements ledger.Store.
func (m *Store) RecordBatch(ctx context.Context, f ledger.Fence, b ledger.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record batch", f)
	if err != nil {
		return err
	}
	if _, ok := j.batches[b.Seq]; ok {
		return fmt.Errorf("ledger: record batch %d of job %s: %w", b.Seq, f.JobID, ledger.ErrExists)
	}
	j.batches[b.Seq] = &memBatch{
		customerOrderID: strings.Clone(b.CustomerOrderID),
		numbers:         packNumbers(b.Numbers),
		result:          make([]uint16, len(b.Numbers)),
	}
	return nil
}

// RecordCreateAttempt implements ledger.Store.
func (m *Store) RecordCreateAttempt(ctx context.Context, f ledger.Fence, seq int, bound time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, b, err := m.batch(ctx, "record create attempt", f, seq)
	if err != nil {
		return err
	}
	if until := m.now().Add(max(bound, 0)); until.After(b.createUntil) {
		b.createUntil = until
	}
	return nil
}

// RecordBatchUnsent implements ledger.Store.
func (m *Store) RecordBatchUnsent(ctx context.Context, f ledger.Fence, seq int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, b, err := m.batch(ctx, "record batch unsent", f, seq)
	if err != nil {
		return err
	}
	b.unsent = true
	return nil
}

// RecordOrderID implements ledger.Store.
func (m *Store) RecordOrderID(ctx context.Context, f ledger.Fence, seq int, orderID string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, b, err := m.batch(ctx, "record order id", f, seq)
	if err != nil {
		return err
	}
	b.orderID = strings.Clone(orderID)
	return nil
}

// RecordSettlement implements ledger.Store.
func (m *Store) RecordSettlement(ctx context.Context, f ledger.Fence, seq int, s ledger.Settlement) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, b, err := m.batch(ctx, "record settlement", f, seq)
	if err != nil {
		return err
	}
	oldSucceeded, oldFailed := b.counts()
	if s.OrderID != "" {
		b.orderID = strings.Clone(s.OrderID)
	}
	b.status, b.settled = ledger.OrderStatus(strings.Clone(string(s.Status))), true
	clear(b.result)
	find := b.numbers.finder()
	mark := func(nums []string, v uint16) {
		for _, n := range nums {
			if i, ok := find(n); ok {
				b.result[i] = v
			}
		}
	}
	mark(s.Succeeded, 1)
	b.errors = b.errors[:0]
	for k, e := range s.Errors {
		b.errors = append(b.errors, codeDesc{e.Code, strings.Clone(e.Description)})
		mark(e.Numbers, uint16(2+k))
	}
	succeeded, failed := b.counts()
	j.job.Counts.Succeeded += succeeded - oldSucceeded
	j.job.Counts.Failed += failed - oldFailed
	return nil
}

// RecordRejections implements ledger.Store.
func (m *Store) RecordRejections(ctx context.Context, f ledger.Fence, rs []ledger.Rejection) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record rejections", f)
	if err != nil {
		return err
	}
	for _, r := range rs {
		j.rejections = append(j.rejections, ledger.Rejection{Number: strings.Clone(r.Number), Reason: ledger.RejectionReason(strings.Clone(string(r.Reason))), Detail: strings.Clone(r.Detail)})
	}
	j.job.Counts.Rejected += int64(len(rs))
	j.job.Counts.Received += int64(len(rs))
	return nil
}

// RecordReceived implements ledger.Store.
func (m *Store) RecordReceived(ctx context.Context, f ledger.Fence, numbers []string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "record received", f)
	if err != nil {
		return err
	}
	j.received.append(numbers)
	j.job.Counts.Received += int64(len(numbers))
	return nil
}

// MarkInputClosed implements ledger.Store.
func (m *Store) MarkInputClosed(ctx context.Context, f ledger.Fence) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "mark input closed", f)
	if err != nil {
		return err
	}
	j.job.InputClosed = true
	return nil
}

// FinishJob implements ledger.Store.
func (m *Store) FinishJob(ctx context.Context, f ledger.Fence, r ledger.Result) error {
	if !r.State.Final() {
		return fmt.Errorf("ledger: finish job %s: state %q is not final", f.JobID, r.State)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.runningJob(ctx, "finish job", f)
	if err != nil {
		return err
	}
	j.job.State, j.job.Counts, j.job.Failure = r.State, r.Counts, strings.Clone(r.Failure)
	j.job.FinishedAt = j.job.UpdatedAt
	j.notSubmitted = packNumbers(r.NotSubmitted)
	return nil
}

// GetJob implements ledger.Store.
func (m *Store) GetJob(ctx context.Context, jobID string) (ledger.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "get job"); err != nil {
		return ledger.Job{}, err
	}
	j, ok := m.jobs[jobID]
	if !ok {
		return ledger.Job{}, fmt.Errorf("ledger: get job %s: %w", jobID, ledger.ErrNotFound)
	}
	return j.job, nil
}

// Ping implements ledger.Store; an in-memory Store is always reachable until closed.
func (m *Store) Ping(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.check(ctx, "ping")
}

// Close implements ledger.Store. It may be called more than once.
func (m *Store) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	return nil
}
