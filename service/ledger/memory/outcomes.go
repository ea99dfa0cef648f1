package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
)

// Sections of the outcome listing, in order; a page token names a section and a position.
const (
	sectionBatches = iota
	sectionRejections
	sectionNotSubmitted
)

// outcomePager collects one page of outcomes and notes where the next page starts.
type outcomePager struct {
	size int
	out  []ledger.Outcome
	// next is the position of the first outcome past the page; set once the page is full and
	// another outcome exists.
	next []int64
}

// add appends o, found at position (section, seq, off); it returns false once the page is
// full, after noting that position as the next page's start.
func (p *outcomePager) add(o ledger.Outcome, section, seq, off int) bool {
	if len(p.out) == p.size {
		p.next = []int64{int64(section), int64(seq), int64(off)}
		return false
	}
	p.out = append(p.out, o)
	return true
}

// ListOutcomes implements ledger.Store.
func (m *Store) ListOutcomes(ctx context.Context, jobID string, q ledger.OutcomeQuery) (ledger.OutcomePage, error) {
	if !validResultFilter(q.Result) {
		return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: unknown result filter %q", q.Result)
	}
	fp := codec.Fingerprint("outcomes", jobID, string(q.Result))
	start := []int64{sectionBatches, 0, 0}
	if q.PageToken != "" {
		_, ints, err := codec.DecodeToken(q.PageToken, fp, 3)
		if err != nil || ints[0] < sectionBatches || ints[0] > sectionNotSubmitted || ints[2] < 0 {
			return ledger.OutcomePage{}, fmt.Errorf("ledger: list outcomes: %w", ledger.ErrBadPageToken)
		}
		start = ints
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.job(ctx, "list outcomes", jobID)
	if err != nil {
		return ledger.OutcomePage{}, err
	}
	p := &outcomePager{size: codec.PageSize(q.PageSize, ledger.DefaultOutcomePageSize, ledger.MaxOutcomePageSize)}
	section, fromSeq, fromOff := int(start[0]), int(start[1]), int(start[2])
	more := true
	if section == sectionBatches && (q.Result == "" || q.Result == ledger.ResultSucceeded || q.Result == ledger.ResultFailed) {
		more = m.batchOutcomes(j, q.Result, fromSeq, fromOff, p)
	}
	if more && section <= sectionRejections && (q.Result == "" || q.Result == ledger.ResultRejected) {
		off := 0
		if section == sectionRejections {
			off = fromOff
		}
		for i := off; i < len(j.rejections) && more; i++ {
			r := j.rejections[i]
			more = p.add(ledger.Outcome{Number: r.Number, Result: ledger.ResultRejected, Reason: r.Reason, Description: r.Detail}, sectionRejections, 0, i)
		}
	}
	if more && (q.Result == "" || q.Result == ledger.ResultNotSubmitted) {
		off := 0
		if section == sectionNotSubmitted {
			off = fromOff
		}
		for i := off; i < j.notSubmitted.len() && more; i++ {
			more = p.add(ledger.Outcome{Number: j.notSubmitted.at(i), Result: ledger.ResultNotSubmitted}, sectionNotSubmitted, 0, i)
		}
	}
	page := ledger.OutcomePage{Outcomes: p.out}
	if p.next != nil {
		page.NextPageToken = codec.EncodeToken(fp, "", p.next...)
	}
	return page, nil
}

// batchOutcomes adds the outcomes of settled batches from (fromSeq, fromOff) on; it returns
// false when the page is full.
func (m *Store) batchOutcomes(j *memJob, result ledger.OutcomeResult, fromSeq, fromOff int, p *outcomePager) bool {
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
			if !p.add(o, sectionBatches, seq, i) {
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
