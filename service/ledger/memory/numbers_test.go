package memory

import (
	"fmt"
	"slices"
	"testing"
)

func TestNumberList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		chunks [][]string
		packed bool
	}{
		{"empty", nil, true},
		{"canonical", [][]string{{"9195551234", "0000000000"}, {"9999999999"}}, true},
		{"text from the start", [][]string{{"abc", "9195551234"}}, false},
		{"text later", [][]string{{"9195551234", "9195551235"}, {"9195551236", "+1 919 555 1237"}}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var l numberList
			var want []string
			for _, c := range tc.chunks {
				l.append(c)
				want = append(want, c...)
			}
			if packed := l.text == nil; packed != tc.packed {
				t.Fatalf("packed = %v, want %v", packed, tc.packed)
			}
			got := l.strings()
			if got == nil || !slices.Equal(got, want) {
				t.Fatalf("strings() = %#v, want %q (never nil)", got, want)
			}
			find := l.finder()
			for i, n := range want {
				if l.at(i) != n {
					t.Errorf("at(%d) = %q, want %q", i, l.at(i), n)
				}
				if j, ok := find(n); !ok || j != i {
					t.Errorf("find(%q) = %d, %v; want %d", n, j, ok, i)
				}
			}
			if _, ok := find("2002000000"); ok {
				t.Error("find reports a number never added")
			}
			if l.len() != len(want) {
				t.Errorf("len() = %d, want %d", l.len(), len(want))
			}
		})
	}
}

// BenchmarkNumberList stores an order's 5,000 numbers in the memory ledger's list and reads them
// back, as recording a batch and listing its outcomes do.
func BenchmarkNumberList(b *testing.B) {
	ns := make([]string, 5000)
	for i := range ns {
		ns[i] = fmt.Sprintf("919%07d", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		l := packNumbers(ns)
		find := l.finder()
		for i := range l.len() {
			if _, ok := find(l.at(i)); !ok {
				b.Fatal(i)
			}
		}
		_ = l.strings()
	}
	b.ReportMetric(float64(b.N*len(ns))/b.Elapsed().Seconds(), "numbers/s")
}
