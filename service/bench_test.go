package service_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

// streamNumbers runs one AssignNumbers call that streams total distinct numbers (from 9192000000),
// per numbers a message, building each message as it goes so the caller holds little memory.
// It returns the finished event.
func streamNumbers(tb testing.TB, h *harness, total, per int) *tnassignv1.JobFinished {
	tb.Helper()
	return streamFrom(tb, h, 9192000000, total, per)
}

// streamFrom is streamNumbers from the number first on.
func streamFrom(tb testing.TB, h *harness, first int64, total, per int) *tnassignv1.JobFinished {
	tb.Helper()
	stream, err := h.client.AssignNumbers(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		next := first
		for sent := 0; sent < total; {
			n := min(per, total-sent)
			m := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: make([]string, n)}
			if sent == 0 {
				m.AccountId = account
			}
			for i := range m.TelephoneNumbers {
				m.TelephoneNumbers[i] = strconv.FormatInt(next, 10)
				next++
			}
			if stream.Send(m) != nil {
				return
			}
			sent += n
		}
		_ = stream.CloseSend()
	}()
	var finished *tnassignv1.JobFinished
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if f := m.GetFinished(); f != nil {
			finished = f
		}
	}
	wg.Wait()
	if finished.GetSucceededCount() != int64(total) {
		tb.Fatalf("finished %v", finished)
	}
	return finished
}

func benchSim(latency time.Duration) *bwsim.Config {
	cfg := bwsim.DefaultConfig()
	cfg.Accounts[0].OwnedPrefixes = []string{"919"}
	cfg.ProcessingPolls = 0 // final on creation: one request per order
	cfg.Latency = latency
	return &cfg
}

// BenchmarkAssignThroughput streams numbers through one call, 1,000 numbers per message, against
// a zero-latency simulator: the pipeline's own speed (gRPC, normalization, dedupe, batching, the
// client's XML, the simulator, the ledger).
func BenchmarkAssignThroughput(b *testing.B) {
	const perCall = 200_000
	h := newHarness(b, harnessOptions{sim: benchSim(0), cfg: service.Config{BatchLinger: time.Second}})
	b.ReportAllocs()
	for b.Loop() {
		streamNumbers(b, h, perCall, 1000)
	}
	b.ReportMetric(float64(b.N*perCall)/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkLedgerCost streams numbers through one call against a zero-latency simulator with
// each ledger driver: what durability costs end to end. Compare numbers/s of memory and sqlite.
func BenchmarkLedgerCost(b *testing.B) {
	const perCall = 100_000
	drivers := []struct {
		name string
		open func(b *testing.B) ledger.Store
	}{
		{"memory", func(*testing.B) ledger.Store { return memory.New() }},
		{"sqlite", func(b *testing.B) ledger.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "ledger.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = s.Close() })
			return s
		}},
	}
	for _, d := range drivers {
		b.Run(d.name, func(b *testing.B) {
			h := newHarness(b, harnessOptions{sim: benchSim(0), cfg: service.Config{BatchLinger: time.Second}, ledger: d.open(b)})
			next := int64(9192000000)
			b.ReportAllocs()
			for b.Loop() {
				streamFrom(b, h, next, perCall, 1000)
				next += perCall
			}
			b.ReportMetric(float64(b.N*perCall)/b.Elapsed().Seconds(), "numbers/s")
		})
	}
}

// BenchmarkAssignPeakHeap streams 2,000,000 numbers through one call against a simulator that
// takes 100 ms per request, and reports the process's peak heap while the call runs (sampled
// every 5 ms: heap objects including garbage not yet collected, and the live heap as of the last
// GC), and the heap retained afterwards. Simulator, ledger and service share the process: a heap
// profile shows about 80% of what is retained is the simulator's inventory and order records and
// most of the rest the in-memory ledger's (about 10 bytes per number); the pipeline's own working
// set is a few MiB.
func BenchmarkAssignPeakHeap(b *testing.B) {
	const total = 2_000_000
	for b.Loop() {
		h := newHarness(b, harnessOptions{sim: benchSim(100 * time.Millisecond), cfg: service.Config{BatchLinger: time.Second}})
		runtime.GC()
		base := heapBytes()
		var peak, peakLive atomic.Uint64
		stop := make(chan struct{})
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			tick := time.NewTicker(5 * time.Millisecond)
			defer tick.Stop()
			for {
				if v := heapBytes(); v > peak.Load() {
					peak.Store(v)
				}
				if v := liveHeapBytes(); v > peakLive.Load() {
					peakLive.Store(v)
				}
				select {
				case <-stop:
					return
				case <-tick.C:
				}
			}
		}()
		start := time.Now()
		streamNumbers(b, h, total, 1000)
		elapsed := time.Since(start)
		close(stop)
		<-sampled
		runtime.GC()
		retained := heapBytes()
		b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(peakLive.Load())/(1<<20), "peak-live-heap-MiB")
		b.ReportMetric(float64(base)/(1<<20), "start-heap-MiB")
		b.ReportMetric(float64(retained)/(1<<20), "retained-heap-MiB")
		b.ReportMetric(total/elapsed.Seconds(), "numbers/s")
	}
}

// liveHeapBytes returns the heap marked live by the last GC.
func liveHeapBytes() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapBytes returns the bytes of heap objects (live and not yet swept).
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
