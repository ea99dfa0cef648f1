package jobs

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/tnassign/tnassign/tn"
)

func TestNumberSet(t *testing.T) {
	t.Parallel()
	var s numberSet
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[tn.Number]bool{}
	// A dense exchange (becomes a bitmap), a sparse one, and scattered numbers.
	for i := 0; i < 20000; i++ {
		var t0 tn.Number
		switch i % 3 {
		case 0:
			t0 = 9195550000 + tn.Number(rng.IntN(10000))
		case 1:
			t0 = 4158710000 + tn.Number(rng.IntN(50))
		default:
			t0 = 2002000000 + tn.Number(rng.Uint64N(7997999999))
		}
		if got := s.add(t0); got == want[t0] {
			t.Fatalf("add(%d) = %v after %d adds; seen before: %v", t0, got, i, want[t0])
		}
		want[t0] = true
	}
	if s.len() != len(want) {
		t.Fatalf("len = %d, want %d", s.len(), len(want))
	}
	for t0 := range want {
		if !s.contains(t0) {
			t.Fatalf("contains(%d) = false", t0)
		}
	}
	if s.contains(9195550000-1) && !want[9195550000-1] {
		t.Fatal("contains reports a number never added")
	}
	all := s.all()
	if len(all) != len(want) || !slices.IsSorted(all) {
		t.Fatalf("all: %d numbers, sorted %v; want %d sorted", len(all), slices.IsSorted(all), len(want))
	}
	if s.bitmaps[919555] == nil || s.lists[415871] == nil {
		t.Fatal("dense exchange should be a bitmap, sparse one a list")
	}
}

// BenchmarkNumberSet adds distinct numbers spread over 500 exchanges (the shape of a large job)
// and reports the set's heap cost per number.
func BenchmarkNumberSet(b *testing.B) {
	numbers := make([]tn.Number, 1_000_000)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range numbers {
		numbers[i] = tn.Number(9190000000 + uint64(200+i%500)*10000 + uint64(rng.IntN(10000)))
	}
	benchNumberSet(b, numbers)
}

// BenchmarkNumberSetSparse spreads numbers over 200,000 exchanges: the list-per-exchange case.
func BenchmarkNumberSetSparse(b *testing.B) {
	numbers := make([]tn.Number, 1_000_000)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range numbers {
		numbers[i] = tn.Number(2002000000 + rng.Uint64N(7997999999))
		for numbers[i]/1e6%10 < 2 {
			numbers[i] = tn.Number(2002000000 + rng.Uint64N(7997999999))
		}
	}
	benchNumberSet(b, numbers)
}

// benchNumberSet adds numbers to a new set per iteration and reports the numbers added per
// second and the set's heap cost per number.
func benchNumberSet(b *testing.B, numbers []tn.Number) {
	b.ReportAllocs()
	var bytesPerNumber float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var s numberSet
		for _, t0 := range numbers {
			s.add(t0)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		bytesPerNumber = float64(after.HeapAlloc-before.HeapAlloc) / float64(s.len())
		runtime.KeepAlive(&s)
	}
	b.ReportMetric(float64(b.N*len(numbers))/b.Elapsed().Seconds(), "numbers/s")
	b.ReportMetric(bytesPerNumber, "heap-bytes/number")
}
