package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

const jobColumns = `id, account_id, action, customer_order_id, request_id, validate_only, state,
	received, rejected, succeeded, failed, not_submitted, failure,
	created_at, updated_at, finished_at, input_closed, owner, lease_until, lease_gen`

// scanJob reads the jobColumns of one row, and then the columns of more.
func scanJob(r Row, more ...any) (ledger.Job, error) {
	var j ledger.Job
	var action, state string
	var created, updated, finished, lease int64
	err := r.Scan(append([]any{&j.ID, &j.AccountID, &action, &j.CustomerOrderID, &j.RequestID, &j.ValidateOnly, &state,
		&j.Counts.Received, &j.Counts.Rejected, &j.Counts.Succeeded, &j.Counts.Failed, &j.Counts.NotSubmitted, &j.Failure,
		&created, &updated, &finished, &j.InputClosed, &j.Owner, &lease, &j.Generation}, more...)...)
	if err != nil {
		return ledger.Job{}, err
	}
	j.Action, j.State = ledger.Action(action), ledger.State(state)
	j.CreatedAt, j.UpdatedAt, j.LeaseUntil = time.UnixMicro(created), time.UnixMicro(updated), time.UnixMicro(lease)
	if finished != 0 {
		j.FinishedAt = time.UnixMicro(finished)
	}
	return j, nil
}

// micros converts a duration to microseconds, at least one.
func micros(d time.Duration) int64 { return max(d.Microseconds(), 1) }

// CreateJob implements ledger.Store.
func (s *Store) CreateJob(ctx context.Context, j ledger.Job, lease time.Duration) error {
	if j.ID == "" {
		return errors.New("ledger: create job: empty id")
	}
	return wrap("create job "+j.ID, s.write(ctx, func(t tx) error {
		if j.RequestID != "" {
			n, err := t.exec(ctx, `INSERT INTO request_ids (account_id, request_id, job_id, created_at) VALUES (?, ?, ?, {now})
				ON CONFLICT (account_id, request_id) DO UPDATE SET job_id = excluded.job_id, created_at = excluded.created_at
				WHERE request_ids.created_at < {now} - ?`,
				j.AccountID, j.RequestID, j.ID, micros(ledger.RequestIDRetention))
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("request id %q: %w", j.RequestID, ledger.ErrRequestExists)
			}
		}
		n, err := t.exec(ctx, `INSERT INTO jobs (id, account_id, action, customer_order_id, request_id, validate_only, state,
				created_at, updated_at, owner, lease_until, lease_gen)
			VALUES (?, ?, ?, ?, ?, ?, 'running', {now}, {now}, ?, {now} + ?, ?) ON CONFLICT (id) DO NOTHING`,
			j.ID, j.AccountID, string(j.Action), j.CustomerOrderID, j.RequestID, j.ValidateOnly, j.Owner,
			micros(leaseOrDefault(lease)), ledger.FirstGeneration)
		if err != nil {
			return err
		}
		if n == 0 {
			return ledger.ErrExists
		}
		return nil
	}))
}

// GetJob implements ledger.Store.
func (s *Store) GetJob(ctx context.Context, jobID string) (ledger.Job, error) {
	var j ledger.Job
	err := s.read(ctx, func(t tx) error {
		var err error
		j, err = scanJob(t.row(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, jobID))
		if errors.Is(err, ErrNoRows) {
			return ledger.ErrNotFound
		}
		return err
	})
	return j, wrap("get job "+jobID, err)
}

// FindJobByRequestID implements ledger.Store.
func (s *Store) FindJobByRequestID(ctx context.Context, accountID, requestID string) (ledger.Job, error) {
	var j ledger.Job
	err := s.read(ctx, func(t tx) error {
		var err error
		j, err = scanJob(t.row(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = (SELECT job_id FROM request_ids
			WHERE account_id = ? AND request_id = ? AND created_at >= {now} - ?)`, accountID, requestID, micros(ledger.RequestIDRetention)))
		if errors.Is(err, ErrNoRows) {
			return ledger.ErrNotFound
		}
		return err
	})
	return j, wrap(fmt.Sprintf("find job by request id %q", requestID), err)
}

// ListJobs implements ledger.Store.
func (s *Store) ListJobs(ctx context.Context, accountID string, q ledger.JobQuery) (ledger.JobPage, error) {
	size := codec.PageSize(q.PageSize, ledger.DefaultJobPageSize, ledger.MaxJobPageSize)
	fp := codec.Fingerprint("jobs", accountID, string(q.State))
	query := `SELECT ` + jobColumns + ` FROM jobs WHERE account_id = ?`
	args := []any{accountID}
	if q.State != "" {
		query += ` AND state = ?`
		args = append(args, string(q.State))
	}
	if q.PageToken != "" {
		id, ints, err := codec.DecodeToken(q.PageToken, fp, 1)
		if err != nil {
			return ledger.JobPage{}, fmt.Errorf("ledger: list jobs: %w", ledger.ErrBadPageToken)
		}
		query += ` AND (created_at < ? OR (created_at = ? AND id < ?))`
		args = append(args, ints[0], ints[0], id)
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, size+1)
	var page ledger.JobPage
	err := s.read(ctx, func(t tx) error {
		rows, err := t.query(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			page.Jobs = append(page.Jobs, j)
		}
		return rows.Err()
	})
	if err != nil {
		return ledger.JobPage{}, wrap("list jobs", err)
	}
	if len(page.Jobs) > size {
		last := page.Jobs[size-1]
		page.NextPageToken = codec.EncodeToken(fp, last.ID, last.CreatedAt.UnixMicro())
		page.Jobs = page.Jobs[:size]
	}
	return page, nil
}

// MarkInputClosed implements ledger.Store.
func (s *Store) MarkInputClosed(ctx context.Context, f ledger.Fence) error {
	return wrap("mark input closed", s.write(ctx, func(t tx) error {
		n, err := t.exec(ctx, `UPDATE jobs SET input_closed = TRUE, updated_at = {now} WHERE `+fenced, fenceArgs(f)...)
		if err != nil || n == 1 {
			return err
		}
		return t.refusal(ctx, f)
	}))
}

// notSubmittedChunk is how many not-submitted numbers one chunk row holds.
const notSubmittedChunk = 50000

// FinishJob implements ledger.Store.
func (s *Store) FinishJob(ctx context.Context, f ledger.Fence, r ledger.Result) error {
	if !r.State.Final() {
		return fmt.Errorf("ledger: finish job %s: state %q is not final", f.JobID, r.State)
	}
	jobID := f.JobID
	return wrap("finish job", s.write(ctx, func(t tx) error {
		if err := t.touchRunning(ctx, f); err != nil {
			return err
		}
		c := r.Counts
		if _, err := t.exec(ctx, `UPDATE jobs SET state = ?, received = ?, rejected = ?, succeeded = ?, failed = ?,
				not_submitted = ?, failure = ?, finished_at = {now} WHERE id = ?`,
			string(r.State), c.Received, c.Rejected, c.Succeeded, c.Failed, c.NotSubmitted, r.Failure, jobID); err != nil {
			return err
		}
		for start := 0; start < len(r.NotSubmitted); start += notSubmittedChunk {
			part := r.NotSubmitted[start:min(start+notSubmittedChunk, len(r.NotSubmitted))]
			if err := t.insertChunk(ctx, jobID, chunkNotSubmitted, start, len(part), codec.PackNumbers(nil, part)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// ClaimJobs implements ledger.Store.
func (s *Store) ClaimJobs(ctx context.Context, owner string, lease time.Duration, limit int) ([]ledger.Job, error) {
	if limit <= 0 {
		return nil, nil
	}
	var jobs []ledger.Job
	err := s.write(ctx, func(t tx) error {
		jobs = jobs[:0]
		// picked is materialized before the update, so it holds the owners the jobs had; RETURNING
		// reads it through a subquery, as SQLite's RETURNING names no other table directly.
		rows, err := t.query(ctx, `WITH picked AS MATERIALIZED (
				SELECT id AS picked_id, owner AS previous_owner FROM jobs WHERE state = 'running' AND lease_until <= {now}
				ORDER BY lease_until, id LIMIT ? `+s.d.SkipLocked+`)
			UPDATE jobs SET owner = ?, lease_until = {now} + ?, lease_gen = lease_gen + 1
			FROM picked WHERE jobs.id = picked.picked_id
			RETURNING `+jobColumns+`, (SELECT previous_owner FROM picked WHERE picked_id = jobs.id)`,
			limit, owner, micros(leaseOrDefault(lease)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var previous string
			j, err := scanJob(rows, &previous)
			if err != nil {
				return err
			}
			j.PreviousOwner = previous
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	return jobs, wrap("claim jobs", err)
}

// renewChunk is how many job ids one RenewLeases statement names.
const renewChunk = 500

// RenewLeases implements ledger.Store.
func (s *Store) RenewLeases(ctx context.Context, owner string, jobIDs []string, lease time.Duration) ([]string, error) {
	if len(jobIDs) == 0 {
		return nil, nil
	}
	var ids []string
	err := s.write(ctx, func(t tx) error {
		ids = ids[:0]
		for start := 0; start < len(jobIDs); start += renewChunk {
			part := jobIDs[start:min(start+renewChunk, len(jobIDs))]
			args := []any{micros(leaseOrDefault(lease)), owner}
			for _, id := range part {
				args = append(args, id)
			}
			rows, err := t.query(ctx, `UPDATE jobs SET lease_until = {now} + ? WHERE owner = ? AND state = 'running'
				AND id IN (?`+strings.Repeat(", ?", len(part)-1)+`) RETURNING id`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap("renew leases", err)
	}
	return ids, nil
}

// ReleaseLeases implements ledger.Store.
func (s *Store) ReleaseLeases(ctx context.Context, owner string) error {
	return wrap("release leases", s.write(ctx, func(t tx) error {
		_, err := t.exec(ctx, `UPDATE jobs SET lease_until = {now} WHERE owner = ? AND state = 'running'`, owner)
		return err
	}))
}

func leaseOrDefault(lease time.Duration) time.Duration {
	if lease <= 0 {
		return ledger.DefaultLease
	}
	return lease
}
