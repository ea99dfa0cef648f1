package memory

import (
	"fmt"

	"github.com/tnassign/tnassign/service/ledger"
)

// ResultUnknown marks, in Store.Outcomes only, a number of a recorded batch that has no
// outcome yet (its batch has not settled, or its settlement did not name it). ListOutcomes
// leaves such numbers out instead.
const ResultUnknown ledger.OutcomeResult = "unknown"

// BatchRecord is a recorded batch as Store.Batches returns it.
type BatchRecord struct {
	Seq             int
	CustomerOrderID string
	OrderID         string
	// Status is the final ProcessingStatus; empty while the batch is unsettled.
	Status ledger.OrderStatus
	// Unsent marks a batch that was never created at Bandwidth.
	Unsent  bool
	Numbers []string
}

// Batches returns the job's recorded batches in Seq order, with their numbers, for tests and
// inspection.
func (m *Store) Batches(jobID string) ([]BatchRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[jobID]
	if !ok {
		return nil, fmt.Errorf("ledger: batches of job %s: %w", jobID, ledger.ErrNotFound)
	}
	out := make([]BatchRecord, 0, len(j.batches))
	for _, seq := range sortedSeqs(j) {
		b := j.batches[seq]
		out = append(out, BatchRecord{Seq: seq, CustomerOrderID: b.customerOrderID, OrderID: b.orderID,
			Status: b.status, Unsent: b.unsent, Numbers: b.numbers.strings()})
	}
	return out, nil
}

// Outcomes returns every number the job recorded: numbers of sent batches in Seq order (with
// Result ResultUnknown while they have no outcome), then rejections, then not-submitted
// numbers. It is meant for tests and inspection; ListOutcomes is the paginated equivalent
// without unknown outcomes.
func (m *Store) Outcomes(jobID string) ([]ledger.Outcome, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, ok := m.jobs[jobID]
	if !ok {
		return nil, fmt.Errorf("ledger: outcomes of job %s: %w", jobID, ledger.ErrNotFound)
	}
	var out []ledger.Outcome
	for _, seq := range sortedSeqs(j) {
		b := j.batches[seq]
		if b.unsent {
			continue // its numbers are among the not-submitted ones
		}
		for i, r := range b.result {
			o := ledger.Outcome{Number: b.numbers.at(i), OrderID: b.orderID, CustomerOrderID: b.customerOrderID}
			switch {
			case r == 0:
				o.Result = ResultUnknown
			case r == 1:
				o.Result = ledger.ResultSucceeded
			default:
				o.Result, o.Code, o.Description = ledger.ResultFailed, b.errors[r-2].code, b.errors[r-2].desc
			}
			out = append(out, o)
		}
	}
	for _, r := range j.rejections {
		out = append(out, ledger.Outcome{Number: r.Number, Result: ledger.ResultRejected, Reason: r.Reason, Description: r.Detail})
	}
	for _, n := range j.notSubmitted.strings() {
		out = append(out, ledger.Outcome{Number: n, Result: ledger.ResultNotSubmitted})
	}
	return out, nil
}
