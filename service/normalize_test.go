package service

import (
	"strconv"
	"testing"
)

func TestParseTN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string // canonical; empty when rejected
		detail string
	}{
		{"9195551234", "9195551234", ""},
		{"19195551234", "9195551234", ""},
		{"+19195551234", "9195551234", ""},
		{"+1 (919) 555-1234", "9195551234", ""},
		{"(919) 555-1234", "9195551234", ""},
		{"919.555.1234", "9195551234", ""},
		{"1-919-555-1234", "9195551234", ""},
		{" 919 555 1234 ", "9195551234", ""},
		{"2002000000", "2002000000", ""},
		{"", "", detailEmpty},
		{"  -()", "", detailEmpty},
		{"919555123", "", detailLength},
		{"919555123456", "", detailLength},
		{"29195551234", "", detailCountry},
		{"+9195551234", "", detailPlus},
		{"+29195551234", "", detailPlus},
		{"1+9195551234", "", detailPlus},
		{"++19195551234", "", detailPlus},
		{"919-555-1234x12", "", detailCharacter},
		{"９195551234", "", detailCharacter},
		{"919\t5551234", "", detailCharacter},
		{"0195551234", "", detailAreaCode},
		{"1195551234", "", detailAreaCode},
		{"11195551234", "", detailAreaCode},
		{"9190551234", "", detailExchange},
		{"9191551234", "", detailExchange},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			t.Parallel()
			got, detail := parseTN(tc.in)
			if detail != tc.detail {
				t.Fatalf("parseTN(%q) detail = %q, want %q", tc.in, detail, tc.detail)
			}
			if tc.want != "" && got.String() != tc.want {
				t.Fatalf("parseTN(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseTNAllocatesNothing(t *testing.T) {
	inputs := []string{"+1 (919) 555-1234", "9195551234", "bogus", "0195551234"}
	allocs := testing.AllocsPerRun(100, func() {
		for _, in := range inputs {
			parseTN(in)
		}
	})
	if allocs != 0 {
		t.Fatalf("parseTN allocates %v times per run, want 0", allocs)
	}
}

func TestTNStrings(t *testing.T) {
	t.Parallel()
	got := tnStrings([]tn{9195551234, 2002000000})
	if len(got) != 2 || got[0] != "9195551234" || got[1] != "2002000000" {
		t.Fatalf("tnStrings = %q", got)
	}
	if tnStrings(nil) != nil {
		t.Fatal("tnStrings(nil) != nil")
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"9195551234", "+1 (919) 555-1234", "1-919-555-1234", "", "+", "919.555.1234",
		"0195551234", "99999999999", "+1+1", "((((((", "19999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, detail := parseTN(s)
		if detail != "" {
			if got != 0 {
				t.Fatalf("parseTN(%q) rejected with %q but returned %d", s, detail, got)
			}
			return
		}
		c := got.String()
		if len(c) != 10 {
			t.Fatalf("parseTN(%q) = %q: not 10 digits", s, c)
		}
		for i := 0; i < 10; i++ {
			if c[i] < '0' || c[i] > '9' {
				t.Fatalf("parseTN(%q) = %q: not digits", s, c)
			}
		}
		if c[0] < '2' || c[3] < '2' {
			t.Fatalf("parseTN(%q) = %q: area code or exchange starts with 0/1", s, c)
		}
		again, detail := parseTN(c)
		if detail != "" || again != got {
			t.Fatalf("parseTN(%q) = %q does not re-normalize to itself: %d, %q", s, c, again, detail)
		}
	})
}

func BenchmarkNormalize(b *testing.B) {
	inputs := []string{"9195551234", "+1 (919) 555-1234", "919.555.1234", "1-415-871-0000"}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, in := range inputs {
			if _, d := parseTN(in); d != "" {
				b.Fatal(d)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "numbers/s")
}
