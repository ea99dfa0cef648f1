package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// Kinds of chunk rows.
const (
	chunkReceived     = 1
	chunkRejections   = 2
	chunkNotSubmitted = 3
)

// insertChunk stores one chunk of count items starting at position start.
func (t tx) insertChunk(ctx context.Context, jobID string, kind, start, count int, data []byte) error {
	_, err := t.exec(ctx, `INSERT INTO chunks (job_id, kind, start, count, data) VALUES (?, ?, ?, ?, ?)`,
		jobID, kind, start, count, data)
	return err
}

// appendChunk appends count items to the job's list of a kind, advancing its position column
// next and updating its counters (an SQL assignment list taking counterArgs). The job must be
// running and f current (touchRunning's errors otherwise): the statement that advances next also
// checks f, locks the row and sets its updated_at, as touchRunning does.
func (t tx) appendChunk(ctx context.Context, f ledger.Fence, kind int, next, counters string, count int, data []byte, counterArgs ...any) error {
	if count == 0 {
		return t.touchRunning(ctx, f)
	}
	var end int
	args := append(append([]any{count}, counterArgs...), fenceArgs(f)...)
	err := t.row(ctx, `UPDATE jobs SET updated_at = {now}, `+next+` = `+next+` + ?, `+counters+`
		WHERE `+fenced+` RETURNING `+next, args...).Scan(&end)
	if errors.Is(err, ErrNoRows) {
		return t.refusal(ctx, f)
	}
	if err != nil {
		return err
	}
	return t.insertChunk(ctx, f.JobID, kind, end-count, count, data)
}

// RecordReceived implements ledger.Store.
func (s *Store) RecordReceived(ctx context.Context, f ledger.Fence, numbers []string) error {
	data := codec.PackNumbers(nil, numbers)
	return wrap("record received", s.write(ctx, func(t tx) error {
		return t.appendChunk(ctx, f, chunkReceived, "received_next", "received = received + ?", len(numbers), data, len(numbers))
	}))
}

// RecordRejections implements ledger.Store.
func (s *Store) RecordRejections(ctx context.Context, f ledger.Fence, rs []ledger.Rejection) error {
	cs := make([]codec.Rejection, len(rs))
	for i, r := range rs {
		cs[i] = codec.Rejection{Number: r.Number, Reason: string(r.Reason), Detail: r.Detail}
	}
	data := codec.EncodeRejections(cs)
	return wrap("record rejections", s.write(ctx, func(t tx) error {
		return t.appendChunk(ctx, f, chunkRejections, "rejections_next",
			"rejected = rejected + ?, received = received + ?", len(rs), data, len(rs), len(rs))
	}))
}

// chunkRange returns up to limit items of the job's list of a kind from position from on.
func chunkRange[T any](ctx context.Context, t tx, jobID string, kind, from, limit int, decode func([]byte) ([]T, error)) ([]T, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := t.query(ctx, `SELECT start, data FROM chunks WHERE job_id = ? AND kind = ? AND start < ? AND start + count > ?
		ORDER BY start`, jobID, kind, from+limit, from)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var start int
		var data []byte
		if err := rows.Scan(&start, &data); err != nil {
			return nil, err
		}
		items, err := decode(data)
		if err != nil {
			return nil, err
		}
		lo := min(max(from-start, 0), len(items))
		hi := min(from+limit-start, len(items))
		out = append(out, items[lo:hi]...)
	}
	return out, rows.Err()
}

func decodeRejections(data []byte) ([]ledger.Rejection, error) {
	cs, err := codec.DecodeRejections(data)
	out := make([]ledger.Rejection, len(cs))
	for i, c := range cs {
		out[i] = ledger.Rejection{Number: c.Number, Reason: ledger.RejectionReason(c.Reason), Detail: c.Detail}
	}
	return out, err
}

// Rejections implements ledger.Store.
func (s *Store) Rejections(ctx context.Context, jobID string, from, limit int) ([]ledger.Rejection, int, error) {
	var out []ledger.Rejection
	var total int
	err := s.read(ctx, func(t tx) error {
		err := t.row(ctx, `SELECT rejections_next FROM jobs WHERE id = ?`, jobID).Scan(&total)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("job %s: %w", jobID, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		out, err = chunkRange(ctx, t, jobID, chunkRejections, max(from, 0), limit, decodeRejections)
		return err
	})
	return out, total, wrap("rejections", err)
}

// NotSubmitted implements ledger.Store.
func (s *Store) NotSubmitted(ctx context.Context, jobID string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(t tx) error {
		if err := t.jobExists(ctx, jobID); err != nil {
			return err
		}
		var err error
		out, err = chunkRange(ctx, t, jobID, chunkNotSubmitted, 0, 1<<62, codec.UnpackNumbers)
		return err
	})
	return out, wrap("not submitted", err)
}

// PendingWork implements ledger.Store.
func (s *Store) PendingWork(ctx context.Context, jobID string) (ledger.PendingWork, error) {
	var w ledger.PendingWork
	err := s.read(ctx, func(t tx) error {
		var state string
		err := t.row(ctx, `SELECT state FROM jobs WHERE id = ?`, jobID).Scan(&state)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("job %s: %w", jobID, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if ledger.State(state).Final() {
			return fmt.Errorf("job %s: %w", jobID, ledger.ErrJobFinished)
		}
		var batched codec.Set
		// A NULL create_until (a batch of a release that recorded no create attempts) reads as
		// -1: attempted, with a deadline long past.
		rows, err := t.query(ctx, `SELECT seq, customer_order_id, order_id, numbers, settled, unsent,
				COALESCE(create_until, -1), {now} FROM batches WHERE job_id = ? ORDER BY seq`, jobID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b ledger.PendingBatch
			var packed []byte
			var settled, unsent bool
			var createUntil, now int64
			if err := rows.Scan(&b.Seq, &b.CustomerOrderID, &b.OrderID, &packed, &settled, &unsent, &createUntil, &now); err != nil {
				return err
			}
			b.CreateAttempted = createUntil != 0
			b.CreateWait = time.Duration(max(createUntil-now, 0)) * time.Microsecond
			if err := batched.Add(packed); err != nil {
				return err
			}
			switch {
			case unsent:
				nums, err := codec.UnpackNumbers(packed)
				if err != nil {
					return err
				}
				w.Unsent = append(w.Unsent, nums...)
			case !settled:
				if b.Numbers, err = codec.UnpackNumbers(packed); err != nil {
					return err
				}
				w.Batches = append(w.Batches, b)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		received, err := chunkRange(ctx, t, jobID, chunkReceived, 0, 1<<62, codec.UnpackNumbers)
		if err != nil {
			return err
		}
		for _, n := range received {
			if !batched.Has(n) {
				w.Unbatched = append(w.Unbatched, n)
			}
		}
		return nil
	})
	return w, wrap("pending work", err)
}
