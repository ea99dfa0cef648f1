package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// ListOutcomes implements ledger.Store.
func (m *Store) ListOutcomes(ctx context.Context, jobID string, q ledger.OutcomeQuery) (ledger.OutcomePage, error) {
	if !validResultFilter(q.Result) {
		return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: unknown result filter %q", q.Result)
	}
	fp := codec.Fingerprint("outcomes", jobID, string(q.Result))
	section, fromSeq, fromOff, err := codec.OutcomeStart(q.PageToken, fp)
	if err != nil {
		return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: %w", ledger.ErrBadPageToken)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "list outcomes", jobID)
	if err != nil {
		return ledger.OutcomePage{}, err
	}
	p := &codec.Pager[ledger.Outcome]{Size: codec.PageSize(q.PageSize, ledger.DefaultOutcomePageSize, ledger.MaxOutcomePageSize)}
	more := true
	if section == codec.SectionBatches && (q.Result == "" || q.Result == ledger.ResultSucceeded || q.Result == ledger.ResultFailed) {
		more = m.batchOutcomes(j, q.Result, fromSeq, fromOff, p)
	}
	if more && section <= codec.SectionRejections && (q.Result == "" || q.Result == ledger.ResultRejected) {
		off := 0
		if section == codec.SectionRejections {
			off = fromOff
		}
		for i := off; i < len(j.rejections) && more; i++ {
			r := j.rejections[i]
			more = p.Add(ledger.Outcome{Number: r.Number, Result: ledger.ResultRejected, Reason: r.Reason, Description: r.Detail}, codec.SectionRejections, 0, i)
		}
	}
	if more && (q.Result == "" || q.Result == ledger.ResultNotSubmitted) {
		off := 0
		if section == codec.SectionNotSubmitted {
			off = fromOff
		}
		for i := off; i < j.notSubmitted.len() && more; i++ {
			more = p.Add(ledger.Outcome{Number: j.notSubmitted.at(i), Result: ledger.ResultNotSubmitted}, codec.SectionNotSubmitted, 0, i)
		}
	}
	return ledger.OutcomePage{Outcomes: p.Out, NextPageToken: p.NextToken(fp)}, nil
}

// batchOutcomes adds the outcomes of settled batches from (fromSeq, fromOff) on; it returns
// false when the page is full.
func (m *Store) batchOutcomes(j *memJob, result ledger.OutcomeResult, fromSeq, fromOff int, p *codec.Pager[ledger.Outcome]) bool {
	seqs := make([]int, 0, len(j.batches))
	for seq, b := range j.batches {
		if b.settled && !b.unsent && seq >= fromSeq {
			seqs = append(seqs, seq)
		}
	}
	slices.SortFunc(seqs, cmp.Compare)
	for _, seq := range seqs {
		b := j.batches[seq]
		off := 0
		if seq == fromSeq {
			off = fromOff
		}
		for i := off; i < len(b.result); i++ {
			r := b.result[i]
			o := ledger.Outcome{Number: "", OrderID: b.orderID, CustomerOrderID: b.customerOrderID}
			switch {
			case r == 1 && (result == "" || result == ledger.ResultSucceeded):
				o.Result = ledger.ResultSucceeded
			case r >= 2 && (result == "" || result == ledger.ResultFailed):
				o.Result, o.Code, o.Description = ledger.ResultFailed, b.errors[r-2].code, b.errors[r-2].desc
			default:
				continue
			}
			o.Number = b.numbers.at(i)
			if !p.Add(o, codec.SectionBatches, seq, i) {
				return false
			}
		}
	}
	return true
}

// validResultFilter reports whether r is empty or a Result constant.
func validResultFilter(r ledger.OutcomeResult) bool {
	switch r {
	case "", ledger.ResultSucceeded, ledger.ResultFailed, ledger.ResultRejected, ledger.ResultNotSubmitted:
		return true
	}
	return false
}

// sortedSeqs returns the job's batch seqs in order; the caller holds m.mu.
func sortedSeqs(j *memJob) []int {
	seqs := make([]int, 0, len(j.batches))
	for seq := range j.batches {
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	return seqs
}
