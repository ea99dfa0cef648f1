package ledgertest

import (
	"fmt"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

// Bench runs the storage benchmarks against fresh stores from newStore:
//
//   - RecordSettlement: a 5,000-number batch recorded, named and settled (RecordBatch,
//     RecordOrderID, RecordSettlement with 1% failures), reporting numbers/s;
//   - RecordSettlementParallel: the same from several goroutines (batches of several jobs);
//   - RecordReceived: numbers recorded as received in chunks of 500, reporting numbers/s.
func Bench(b *testing.B, newStore func(b *testing.B) ledger.Store) {
	b.Run("RecordSettlement", func(b *testing.B) {
		s := newStore(b)
		benchSettlement(b, s, "job")
	})
	b.Run("RecordSettlementParallel", func(b *testing.B) {
		s := newStore(b)
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			// Each goroutine works on a job of its own, as concurrent jobs do.
			id := fmt.Sprintf("job-%p", pb)
			if err := s.CreateJob(b.Context(), benchJob(id), 0); err != nil {
				b.Error(err)
				return
			}
			n := 0
			for pb.Next() {
				n++
				if err := settleOne(b, s, fence(id), n); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N*batchSize)/time.Since(start).Seconds(), "numbers/s")
	})
	b.Run("RecordReceived", func(b *testing.B) {
		s := newStore(b)
		must(b, s.CreateJob(b.Context(), benchJob("job"), 0))
		const chunk = 500
		nums := numbers(1000000000, chunk) // the store does not check distinctness
		start := time.Now()
		for b.Loop() {
			must(b, s.RecordReceived(b.Context(), fence("job"), nums))
		}
		b.ReportMetric(float64(b.N*chunk)/time.Since(start).Seconds(), "numbers/s")
	})
}

const batchSize = 5000

// benchJob is a job of the benchmarks, owned as fence expects.
func benchJob(id string) ledger.Job {
	return ledger.Job{ID: id, AccountID: "a", Action: ledger.ActionAssign, Owner: fence(id).Owner}
}

// benchSettlement records b.N settled batches of one job.
func benchSettlement(b *testing.B, s ledger.Store, id string) {
	must(b, s.CreateJob(b.Context(), benchJob(id), 0))
	n := 0
	start := time.Now()
	for b.Loop() {
		n++
		must(b, settleOne(b, s, fence(id), n))
	}
	b.ReportMetric(float64(n*batchSize)/time.Since(start).Seconds(), "numbers/s")
}

// benchNumbers are the numbers of every benchmark batch: generating them anew would cost more
// than some stores spend recording them, and a store does not check distinctness across batches.
var benchNumbers = numbers(1000000000, batchSize)

// settleOne records, names and settles batch seq of the job f fences.
func settleOne(b *testing.B, s ledger.Store, f ledger.Fence, seq int) error {
	nums := benchNumbers
	ctx := b.Context()
	if err := s.RecordBatch(ctx, f, ledger.Batch{Seq: seq, CustomerOrderID: fmt.Sprint("c-", seq), Numbers: nums}); err != nil {
		return err
	}
	if err := s.RecordOrderID(ctx, f, seq, fmt.Sprint("order-", seq)); err != nil {
		return err
	}
	return s.RecordSettlement(ctx, f, seq, ledger.Settlement{OrderID: fmt.Sprint("order-", seq), Status: "PARTIAL",
		Succeeded: nums[50:], Errors: []ledger.NumberError{{Code: 5076, Description: "not owned", Numbers: nums[:50]}}})
}
