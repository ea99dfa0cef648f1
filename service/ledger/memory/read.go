package memory

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// job returns a job whatever its state; the caller holds m.mu.
func (m *Store) job(ctx context.Context, op, id string) (*memJob, error) {
	if err := m.check(ctx, op); err != nil {
		return nil, err
	}
	j, ok := m.jobs[id]
	if !ok {
		return nil, fmt.Errorf("ledger: %s: job %s: %w", op, id, ledger.ErrNotFound)
	}
	return j, nil
}

// FindJobByRequestID implements ledger.Store.
func (m *Store) FindJobByRequestID(ctx context.Context, accountID, requestID string) (ledger.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "find job by request id"); err != nil {
		return ledger.Job{}, err
	}
	if requestID != "" {
		j, ok := m.jobs[m.requests[[2]string{accountID, requestID}]]
		if ok && m.now().Sub(j.job.CreatedAt) < ledger.RequestIDRetention {
			return j.job, nil
		}
	}
	return ledger.Job{}, fmt.Errorf("ledger: find job by request id %q: %w", requestID, ledger.ErrNotFound)
}

// ListJobs implements ledger.Store.
func (m *Store) ListJobs(ctx context.Context, accountID string, q ledger.JobQuery) (ledger.JobPage, error) {
	size := codec.PageSize(q.PageSize, ledger.DefaultJobPageSize, ledger.MaxJobPageSize)
	fp := codec.Fingerprint("jobs", accountID, string(q.State))
	var afterID string
	var afterNanos int64
	if q.PageToken != "" {
		id, ints, err := codec.DecodeToken(q.PageToken, fp, 1)
		if err != nil {
			return ledger.JobPage{}, fmt.Errorf("ledger: list jobs: %w", ledger.ErrBadPageToken)
		}
		afterID, afterNanos = id, ints[0]
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "list jobs"); err != nil {
		return ledger.JobPage{}, err
	}
	var all []ledger.Job
	for _, j := range m.jobs {
		if j.job.AccountID == accountID && (q.State == "" || j.job.State == q.State) {
			all = append(all, j.job)
		}
	}
	newestFirst := func(a, b ledger.Job) int {
		return cmp.Or(cmp.Compare(b.CreatedAt.UnixNano(), a.CreatedAt.UnixNano()), strings.Compare(b.ID, a.ID))
	}
	slices.SortFunc(all, newestFirst)
	if q.PageToken != "" {
		mark := ledger.Job{ID: afterID, CreatedAt: time.Unix(0, afterNanos)}
		i, _ := slices.BinarySearchFunc(all, mark, newestFirst)
		for i < len(all) && newestFirst(all[i], mark) <= 0 {
			i++
		}
		all = all[i:]
	}
	var page ledger.JobPage
	if len(all) > size {
		last := all[size-1]
		page.NextPageToken = codec.EncodeToken(fp, last.ID, last.CreatedAt.UnixNano())
		all = all[:size]
	}
	page.Jobs = all
	return page, nil
}

// ListBatches implements ledger.Store.
func (m *Store) ListBatches(ctx context.Context, jobID string) ([]ledger.BatchInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "list batches", jobID)
	if err != nil {
		return nil, err
	}
	out := make([]ledger.BatchInfo, 0, len(j.batches))
	for seq, b := range j.batches {
		_, failed := b.counts()
		out = append(out, ledger.BatchInfo{Seq: seq, CustomerOrderID: b.customerOrderID, OrderID: b.orderID,
			Status: b.status, Total: b.numbers.len(), Failed: int(failed), Settled: b.settled, Unsent: b.unsent})
	}
	slices.SortFunc(out, func(a, b ledger.BatchInfo) int { return cmp.Compare(a.Seq, b.Seq) })
	return out, nil
}

// Settlement implements ledger.Store.
func (m *Store) Settlement(ctx context.Context, jobID string, seq int) (ledger.Settlement, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "settlement", jobID)
	if err != nil {
		return ledger.Settlement{}, err
	}
	b, ok := j.batches[seq]
	if !ok || !b.settled {
		return ledger.Settlement{}, fmt.Errorf("ledger: settlement of batch %d of job %s: %w", seq, jobID, ledger.ErrNotFound)
	}
	s := ledger.Settlement{OrderID: b.orderID, Status: b.status, Errors: make([]ledger.NumberError, len(b.errors))}
	for k, e := range b.errors {
		s.Errors[k] = ledger.NumberError{Code: e.code, Description: e.desc}
	}
	for i, r := range b.result {
		switch {
		case r == 1:
			s.Succeeded = append(s.Succeeded, b.numbers.at(i))
		case r >= 2:
			s.Errors[r-2].Numbers = append(s.Errors[r-2].Numbers, b.numbers.at(i))
		}
	}
	return s, nil
}

// Rejections implements ledger.Store.
func (m *Store) Rejections(ctx context.Context, jobID string, from, limit int) ([]ledger.Rejection, int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "rejections", jobID)
	if err != nil {
		return nil, 0, err
	}
	from = min(max(from, 0), len(j.rejections))
	end := min(from+max(limit, 0), len(j.rejections))
	return slices.Clone(j.rejections[from:end]), len(j.rejections), nil
}

// NotSubmitted implements ledger.Store.
func (m *Store) NotSubmitted(ctx context.Context, jobID string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "not submitted", jobID)
	if err != nil {
		return nil, err
	}
	return j.notSubmitted.strings(), nil
}

// ClaimJobs implements ledger.Store.
func (m *Store) ClaimJobs(ctx context.Context, owner string, lease time.Duration, limit int) ([]ledger.Job, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "claim jobs"); err != nil {
		return nil, err
	}
	now := m.now()
	var expired []*memJob
	for _, j := range m.jobs {
		if !j.job.State.Final() && !j.job.LeaseUntil.After(now) {
			expired = append(expired, j)
		}
	}
	slices.SortFunc(expired, func(a, b *memJob) int {
		return cmp.Or(a.job.LeaseUntil.Compare(b.job.LeaseUntil), strings.Compare(a.job.ID, b.job.ID))
	})
	out := make([]ledger.Job, 0, min(len(expired), max(limit, 0)))
	for _, j := range expired[:min(len(expired), max(limit, 0))] {
		previous := j.job.Owner
		j.job.Owner, j.job.LeaseUntil = strings.Clone(owner), now.Add(leaseOrDefault(lease))
		j.job.Generation++
		claimed := j.job
		claimed.PreviousOwner = previous
		out = append(out, claimed)
	}
	return out, nil
}

// RenewLeases implements ledger.Store.
func (m *Store) RenewLeases(ctx context.Context, owner string, jobIDs []string, lease time.Duration) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "renew leases"); err != nil {
		return nil, err
	}
	until := m.now().Add(leaseOrDefault(lease))
	var renewed []string
	seen := make(map[string]bool, len(jobIDs))
	for _, id := range jobIDs {
		j, ok := m.jobs[id]
		if ok && !seen[id] && !j.job.State.Final() && j.job.Owner == owner {
			seen[id] = true
			j.job.LeaseUntil = until
			renewed = append(renewed, j.job.ID)
		}
	}
	return renewed, nil
}

// ReleaseLeases implements ledger.Store.
func (m *Store) ReleaseLeases(ctx context.Context, owner string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := m.check(ctx, "release leases"); err != nil {
		return err
	}
	now := m.now()
	for _, j := range m.jobs {
		if !j.job.State.Final() && j.job.Owner == owner {
			j.job.LeaseUntil = now
		}
	}
	return nil
}

// PendingWork implements ledger.Store.
func (m *Store) PendingWork(ctx context.Context, jobID string) (ledger.PendingWork, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "pending work", jobID)
	if err != nil {
		return ledger.PendingWork{}, err
	}
	if j.job.State.Final() {
		return ledger.PendingWork{}, fmt.Errorf("ledger: pending work: job %s: %w", jobID, ledger.ErrJobFinished)
	}
	var w ledger.PendingWork
	now := m.now()
	batched := make(map[string]struct{})
	for seq, b := range j.batches {
		for i := range b.numbers.len() {
			batched[b.numbers.at(i)] = struct{}{}
		}
		if !b.settled && !b.unsent {
			w.Batches = append(w.Batches, ledger.PendingBatch{Seq: seq, CustomerOrderID: b.customerOrderID,
				Numbers: b.numbers.strings(), OrderID: b.orderID,
				CreateAttempted: !b.createUntil.IsZero(), CreateWait: max(b.createUntil.Sub(now), 0)})
		}
	}
	slices.SortFunc(w.Batches, func(a, b ledger.PendingBatch) int { return cmp.Compare(a.Seq, b.Seq) })
	seqs := slices.Sorted(maps.Keys(j.batches))
	for _, seq := range seqs {
		if b := j.batches[seq]; b.unsent {
			w.Unsent = append(w.Unsent, b.numbers.strings()...)
		}
	}
	for i := range j.received.len() {
		if n := j.received.at(i); !hasKey(batched, n) {
			w.Unbatched = append(w.Unbatched, n)
		}
	}
	return w, nil
}

func hasKey(m map[string]struct{}, k string) bool { _, ok := m[k]; return ok }

// leaseOrDefault returns lease, or DefaultLease when lease is not positive.
func leaseOrDefault(lease time.Duration) time.Duration {
	if lease <= 0 {
		return ledger.DefaultLease
	}
	return lease
}
