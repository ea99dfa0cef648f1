package jobs

import (
	"testing"
	"time"

	"github.com/tnassign/tnassign/tn"
)

// BenchmarkBatcher feeds the batcher 1,000-number chunks (one request message's valid numbers) and
// lets it pack them into 5,000-number batches. The numbers come formatted, as job.take formats them
// once for the ledger and the order. The send func only counts, so this is the cost of batching
// itself: copying and the linger timer's reset per chunk.
func BenchmarkBatcher(b *testing.B) {
	const chunk = 1000
	ts := make([]tn.Number, chunk)
	for i := range ts {
		ts[i] = tn.Number(9195550000 + uint64(i))
	}
	ns := tn.Strings(ts)
	sent := 0
	bt := newBatcher(5000, time.Hour, "bench", func(bb *batch) { sent += len(bb.numbers) })
	b.ReportAllocs()
	for b.Loop() {
		bt.add(ns)
	}
	bt.close(true)
	if sent != b.N*chunk {
		b.Fatalf("sent %d numbers, want %d", sent, b.N*chunk)
	}
	b.ReportMetric(float64(b.N*chunk)/b.Elapsed().Seconds(), "numbers/s")
}
