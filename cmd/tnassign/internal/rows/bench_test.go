package rows

import (
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkRead reads a file of distinct numbers and reports rows per
// second and the Table's memory per row (what a run keeps for its results).
func BenchmarkRead(b *testing.B) {
	const n = 1_000_000
	var sb strings.Builder
	for i := range n {
		fmt.Fprintf(&sb, "(%03d) 555-%04d\n", 200+i/10000, i%10000)
	}
	input := sb.String()
	b.SetBytes(int64(len(input)))
	b.ResetTimer()
	var perRow float64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		table, _, err := Read(strings.NewReader(input), Options{})
		if err != nil || table.Len() != n {
			b.Fatalf("%d rows, %v", table.Len(), err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perRow = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(table)
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(perRow, "bytes/row")
}

// BenchmarkWriteCSV writes the results of a million settled rows.
func BenchmarkWriteCSV(b *testing.B) {
	const n = 1_000_000
	table := NewTable()
	for i := range n {
		if err := table.Add(fmt.Sprintf("%03d555%04d", 200+i/10000, i%10000)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range n {
		table.Settle(table.Input(i), true, "", "", "order")
	}
	b.ResetTimer()
	for b.Loop() {
		if err := table.WriteCSV(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
