package codec

import (
	"bytes"
	"strconv"
	"testing"
)

// TestPackNumbersBytes pins the stored bytes of both number formats: ledgers written by earlier
// releases hold them, so they must never change.
func TestPackNumbersBytes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ns   []string
		want []byte
	}{
		{"empty", nil, []byte{formatPacked}},
		{"packed", []string{"9195551234", "0000000000", "9999999999"}, []byte{
			formatPacked,
			0x02, 0x24, 0x18, 0xfa, 0x02, // 9195551234
			0x00, 0x00, 0x00, 0x00, 0x00, // 0000000000
			0x02, 0x54, 0x0b, 0xe3, 0xff, // 9999999999
		}},
		// A format byte, then each number's uvarint length and text.
		{"text", []string{"9195551234", "+1 919", ""}, []byte("\x02" + "\x0a9195551234" + "\x06+1 919" + "\x00")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := PackNumbers([]byte("prefix"), tc.ns); !bytes.Equal(got, append([]byte("prefix"), tc.want...)) {
				t.Fatalf("PackNumbers(%q) = % x, want % x", tc.ns, got[len("prefix"):], tc.want)
			}
		})
	}
}

// benchOrder runs op on an order's 5,000 canonical numbers and their packed list, and reports
// the numbers handled per second.
func benchOrder(b *testing.B, op func(b *testing.B, ns []string, packed []byte)) {
	ns := make([]string, 5000)
	for i := range ns {
		ns[i] = strconv.FormatUint(9190000000+uint64(i), 10)
	}
	packed := PackNumbers(nil, ns)
	b.ReportAllocs()
	for b.Loop() {
		op(b, ns, packed)
	}
	b.ReportMetric(float64(b.N*len(ns))/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkPackNumbers packs an order's numbers, as a SQL ledger does for every batch.
func BenchmarkPackNumbers(b *testing.B) {
	buf := make([]byte, 0, 1+5*5000)
	benchOrder(b, func(_ *testing.B, ns []string, _ []byte) { buf = PackNumbers(buf[:0], ns) })
}

// BenchmarkUnpackNumbers unpacks an order's numbers, as reading a batch back does.
func BenchmarkUnpackNumbers(b *testing.B) {
	benchOrder(b, func(b *testing.B, _ []string, packed []byte) {
		if _, err := UnpackNumbers(packed); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkSetAdd builds a Set of an order's numbers and looks each up, as recovery does to tell
// batched numbers from unbatched ones.
func BenchmarkSetAdd(b *testing.B) {
	benchOrder(b, func(b *testing.B, ns []string, packed []byte) {
		var s Set
		if err := s.Add(packed); err != nil {
			b.Fatal(err)
		}
		for _, n := range ns {
			if !s.Has(n) {
				b.Fatal(n)
			}
		}
	})
}

// BenchmarkIndexFind indexes an order's numbers and finds each in list order, as settling an
// order's results does.
func BenchmarkIndexFind(b *testing.B) {
	benchOrder(b, func(b *testing.B, ns []string, packed []byte) {
		x, err := NewIndex(packed)
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range ns {
			if _, ok := x.Find(n); !ok {
				b.Fatal(n)
			}
		}
	})
}
