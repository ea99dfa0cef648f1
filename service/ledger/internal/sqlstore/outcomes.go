package sqlstore

import (
	"context"
	"fmt"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// batchesPerQuery is how many settled batches ListOutcomes reads at a time.
const batchesPerQuery = 4

// ListOutcomes implements ledger.Store.
func (s *Store) ListOutcomes(ctx context.Context, jobID string, q ledger.OutcomeQuery) (ledger.OutcomePage, error) {
	switch q.Result {
	case "", ledger.ResultSucceeded, ledger.ResultFailed, ledger.ResultRejected, ledger.ResultNotSubmitted:
	default:
		return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: unknown result filter %q", q.Result)
	}
	fp := codec.Fingerprint("outcomes", jobID, string(q.Result))
	section, fromSeq, fromOff, err := codec.OutcomeStart(q.PageToken, fp)
	if err != nil {
		return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: %w", ledger.ErrBadPageToken)
	}
	p := &codec.Pager[ledger.Outcome]{Size: codec.PageSize(q.PageSize, ledger.DefaultOutcomePageSize, ledger.MaxOutcomePageSize)}
	err = s.read(ctx, func(t tx) error {
		if err := t.jobExists(ctx, jobID); err != nil {
			return err
		}
		more := true
		var err error
		if section == codec.SectionBatches && (q.Result == "" || q.Result == ledger.ResultSucceeded || q.Result == ledger.ResultFailed) {
			if more, err = t.batchOutcomes(ctx, jobID, q.Result, fromSeq, fromOff, p); err != nil {
				return err
			}
		}
		if more && section <= codec.SectionRejections && (q.Result == "" || q.Result == ledger.ResultRejected) {
			off := 0
			if section == codec.SectionRejections {
				off = fromOff
			}
			rs, err := chunkRange(ctx, t, jobID, chunkRejections, off, p.Size-len(p.Out)+1, decodeRejections)
			if err != nil {
				return err
			}
			for i, r := range rs {
				if more = p.Add(ledger.Outcome{Number: r.Number, Result: ledger.ResultRejected, Reason: r.Reason, Description: r.Detail},
					codec.SectionRejections, 0, off+i); !more {
					break
				}
			}
		}
		if more && (q.Result == "" || q.Result == ledger.ResultNotSubmitted) {
			off := 0
			if section == codec.SectionNotSubmitted {
				off = fromOff
			}
			ns, err := chunkRange(ctx, t, jobID, chunkNotSubmitted, off, p.Size-len(p.Out)+1, codec.UnpackNumbers)
			if err != nil {
				return err
			}
			for i, n := range ns {
				if !p.Add(ledger.Outcome{Number: n, Result: ledger.ResultNotSubmitted}, codec.SectionNotSubmitted, 0, off+i) {
					break
				}
			}
		}
		return nil
	})
	if err != nil {
		return ledger.OutcomePage{}, wrap("list outcomes", err)
	}
	return ledger.OutcomePage{Outcomes: p.Out, NextPageToken: p.NextToken(fp)}, nil
}

// batchOutcomes adds the outcomes of settled batches from (fromSeq, fromOff) on; it returns
// false when the page is full.
func (t tx) batchOutcomes(ctx context.Context, jobID string, result ledger.OutcomeResult, fromSeq, fromOff int, p *codec.Pager[ledger.Outcome]) (bool, error) {
	filter := ""
	switch result {
	case ledger.ResultSucceeded:
		filter = " AND succeeded > 0"
	case ledger.ResultFailed:
		filter = " AND failed > 0"
	}
	for seq := fromSeq; ; {
		batches, err := t.settledBatches(ctx, jobID, seq, filter)
		if err != nil || len(batches) == 0 {
			return true, err
		}
		for _, b := range batches {
			off := 0
			if b.seq == fromSeq {
				off = fromOff
			}
			if more, err := b.outcomes(result, off, p); err != nil || !more {
				return more, err
			}
		}
		seq = batches[len(batches)-1].seq + 1
	}
}

// settledBatches reads up to batchesPerQuery settled, sent batches from seq on.
func (t tx) settledBatches(ctx context.Context, jobID string, seq int, filter string) ([]settledBatch, error) {
	rows, err := t.query(ctx, `SELECT seq, order_id, customer_order_id, numbers, results, error_groups FROM batches
		WHERE job_id = ? AND seq >= ? AND settled AND NOT unsent`+filter+` ORDER BY seq LIMIT ?`, jobID, seq, batchesPerQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []settledBatch
	for rows.Next() {
		var b settledBatch
		if err := rows.Scan(&b.seq, &b.orderID, &b.customerOrderID, &b.numbers, &b.results, &b.groups); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// outcomes adds the batch's outcomes from position off on; false when the page is full.
func (b *settledBatch) outcomes(result ledger.OutcomeResult, off int, p *codec.Pager[ledger.Outcome]) (bool, error) {
	results, groups, err := b.decode()
	if err != nil {
		return false, err
	}
	more := true
	err = codec.EachNumber(b.numbers, func(i int, n string) bool {
		if i < off {
			return true
		}
		o := ledger.Outcome{Number: n, OrderID: b.orderID, CustomerOrderID: b.customerOrderID}
		switch r := results[i]; {
		case r == codec.ResultSucceeded && (result == "" || result == ledger.ResultSucceeded):
			o.Result = ledger.ResultSucceeded
		case r >= codec.ResultFailed && (result == "" || result == ledger.ResultFailed):
			g := groups[r-codec.ResultFailed]
			o.Result, o.Code, o.Description = ledger.ResultFailed, g.Code, g.Description
		default:
			return true
		}
		more = p.Add(o, codec.SectionBatches, b.seq, i)
		return more
	})
	return more, err
}
