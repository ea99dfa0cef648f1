package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// RecordBatch implements ledger.Store.
func (s *Store) RecordBatch(ctx context.Context, f ledger.Fence, b ledger.Batch) error {
	packed := codec.PackNumbers(nil, b.Numbers)
	return wrap(fmt.Sprintf("record batch %d", b.Seq), s.write(ctx, func(t tx) error {
		if err := t.touchRunning(ctx, f); err != nil {
			return err
		}
		// create_until 0: no create attempt yet (NULL is a batch of a release that recorded none).
		n, err := t.exec(ctx, `INSERT INTO batches (job_id, seq, customer_order_id, total, numbers, create_until)
			VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (job_id, seq) DO NOTHING`, f.JobID, b.Seq, b.CustomerOrderID, len(b.Numbers), packed)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("job %s: %w", f.JobID, ledger.ErrExists)
		}
		return nil
	}))
}

// updateBatch runs an update of one batch of the running job f fences, its last two arguments the
// job id and seq; ErrNotFound when the batch is unknown.
func (s *Store) updateBatch(ctx context.Context, op string, f ledger.Fence, seq int, query string, args ...any) error {
	return wrap(fmt.Sprintf("%s of batch %d", op, seq), s.write(ctx, func(t tx) error {
		if err := t.touchRunning(ctx, f); err != nil {
			return err
		}
		n, err := t.exec(ctx, query, append(args, f.JobID, seq)...)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("job %s: %w", f.JobID, ledger.ErrNotFound)
		}
		return nil
	}))
}

// RecordCreateAttempt implements ledger.Store. The deadline is the database clock's, like leases.
func (s *Store) RecordCreateAttempt(ctx context.Context, f ledger.Fence, seq int, bound time.Duration) error {
	b := max(bound.Microseconds(), 0)
	return s.updateBatch(ctx, "record create attempt", f, seq, `UPDATE batches SET create_until =
		CASE WHEN create_until > {now} + ? THEN create_until ELSE {now} + ? END WHERE job_id = ? AND seq = ?`, b, b)
}

// RecordBatchUnsent implements ledger.Store.
func (s *Store) RecordBatchUnsent(ctx context.Context, f ledger.Fence, seq int) error {
	return s.updateBatch(ctx, "record unsent", f, seq, `UPDATE batches SET unsent = TRUE WHERE job_id = ? AND seq = ?`)
}

// RecordOrderID implements ledger.Store.
func (s *Store) RecordOrderID(ctx context.Context, f ledger.Fence, seq int, orderID string) error {
	return s.updateBatch(ctx, "record order id", f, seq, `UPDATE batches SET order_id = ? WHERE job_id = ? AND seq = ?`, orderID)
}

// RecordSettlement implements ledger.Store.
func (s *Store) RecordSettlement(ctx context.Context, f ledger.Fence, seq int, st ledger.Settlement) error {
	jobID := f.JobID
	groups := make([]codec.Group, len(st.Errors))
	for k, e := range st.Errors {
		groups[k] = codec.Group{Code: e.Code, Description: e.Description}
	}
	encodedGroups := codec.EncodeGroups(groups)
	return wrap(fmt.Sprintf("record settlement of batch %d", seq), s.write(ctx, func(t tx) error {
		if err := t.touchRunning(ctx, f); err != nil {
			return err
		}
		var packed []byte
		var oldSucceeded, oldFailed int64
		err := t.row(ctx, `SELECT numbers, succeeded, failed FROM batches WHERE job_id = ? AND seq = ?`, jobID, seq).
			Scan(&packed, &oldSucceeded, &oldFailed)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("job %s: %w", jobID, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		index, err := codec.NewIndex(packed)
		if err != nil {
			return err
		}
		results := make([]uint16, codec.CountNumbers(packed)) // exact, also for text lists
		mark := func(nums []string, v uint16) {
			for _, n := range nums {
				if i, ok := index.Find(n); ok {
					results[i] = v
				}
			}
		}
		mark(st.Succeeded, codec.ResultSucceeded)
		for k, e := range st.Errors {
			mark(e.Numbers, codec.ResultFailed+uint16(k))
		}
		var succeeded, failed int64
		for _, r := range results {
			switch {
			case r == codec.ResultSucceeded:
				succeeded++
			case r >= codec.ResultFailed:
				failed++
			}
		}
		if _, err := t.exec(ctx, `UPDATE batches SET order_id = CASE WHEN ? = '' THEN order_id ELSE ? END, status = ?,
				settled = TRUE, succeeded = ?, failed = ?, results = ?, error_groups = ? WHERE job_id = ? AND seq = ?`,
			st.OrderID, st.OrderID, string(st.Status), succeeded, failed, codec.EncodeResults(results), encodedGroups, jobID, seq); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE jobs SET succeeded = succeeded + ?, failed = failed + ? WHERE id = ?`,
			succeeded-oldSucceeded, failed-oldFailed, jobID)
		return err
	}))
}

// ListBatches implements ledger.Store.
func (s *Store) ListBatches(ctx context.Context, jobID string) ([]ledger.BatchInfo, error) {
	var out []ledger.BatchInfo
	err := s.read(ctx, func(t tx) error {
		if err := t.jobExists(ctx, jobID); err != nil {
			return err
		}
		rows, err := t.query(ctx, `SELECT seq, customer_order_id, order_id, status, total, failed, settled, unsent
			FROM batches WHERE job_id = ? ORDER BY seq`, jobID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b ledger.BatchInfo
			var status string
			if err := rows.Scan(&b.Seq, &b.CustomerOrderID, &b.OrderID, &status, &b.Total, &b.Failed, &b.Settled, &b.Unsent); err != nil {
				return err
			}
			b.Status = ledger.OrderStatus(status)
			out = append(out, b)
		}
		return rows.Err()
	})
	return out, wrap("list batches", err)
}

// Settlement implements ledger.Store.
func (s *Store) Settlement(ctx context.Context, jobID string, seq int) (ledger.Settlement, error) {
	var st ledger.Settlement
	err := s.read(ctx, func(t tx) error {
		var b settledBatch
		var status string
		err := t.row(ctx, `SELECT seq, order_id, customer_order_id, status, numbers, results, error_groups FROM batches
			WHERE job_id = ? AND seq = ? AND settled`, jobID, seq).
			Scan(&b.seq, &b.orderID, &b.customerOrderID, &status, &b.numbers, &b.results, &b.groups)
		if errors.Is(err, ErrNoRows) {
			return fmt.Errorf("job %s: %w", jobID, ledger.ErrNotFound)
		}
		if err != nil {
			return err
		}
		st.OrderID, st.Status = b.orderID, ledger.OrderStatus(status)
		results, groups, err := b.decode()
		if err != nil {
			return err
		}
		st.Errors = make([]ledger.NumberError, len(groups))
		for k, g := range groups {
			st.Errors[k] = ledger.NumberError{Code: g.Code, Description: g.Description}
		}
		return codec.EachNumber(b.numbers, func(i int, n string) bool {
			switch r := results[i]; {
			case r == codec.ResultSucceeded:
				st.Succeeded = append(st.Succeeded, n)
			case r >= codec.ResultFailed:
				st.Errors[r-codec.ResultFailed].Numbers = append(st.Errors[r-codec.ResultFailed].Numbers, n)
			}
			return true
		})
	})
	return st, wrap(fmt.Sprintf("settlement of batch %d", seq), err)
}

// settledBatch is a settled batch row as stored.
type settledBatch struct {
	seq                      int
	orderID, customerOrderID string
	numbers, results, groups []byte
}

// decode unpacks the batch's results and failure groups, checking them against each other.
func (b *settledBatch) decode() ([]uint16, []codec.Group, error) {
	results, err := codec.DecodeResults(b.results, codec.CountNumbers(b.numbers))
	if err != nil {
		return nil, nil, err
	}
	groups, err := codec.DecodeGroups(b.groups)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range results {
		if r >= codec.ResultFailed && int(r-codec.ResultFailed) >= len(groups) {
			return nil, nil, fmt.Errorf("batch %d: result %d without its error group: %w", b.seq, r, codec.ErrCorrupt)
		}
	}
	return results, groups, nil
}
