package tn

import (
	"strconv"
	"testing"
)

func TestParseCanonical(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Number
		ok   bool
	}{
		{"9195551234", 9195551234, true},
		{"0000000000", 0, true},
		{"9999999999", 9999999999, true},
		{"0195551234", 195551234, true}, // the form is canonical; NANP rules are Parse's
		{"", 0, false},
		{"919555123", 0, false},
		{"19195551234", 0, false},
		{"+919555123", 0, false},
		{"919-555-12", 0, false},
		{"919555123:", 0, false},
		{"919555123/", 0, false},
		{"９１９５５５１２３", 0, false},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			t.Parallel()
			got, ok := ParseCanonical(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("ParseCanonical(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
			}
			if ok && got.String() != tc.in {
				t.Fatalf("ParseCanonical(%q) formats as %q", tc.in, got)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for n, want := range map[Number]string{0: "0000000000", 2002000000: "2002000000", 9195551234: "9195551234", 9999999999: "9999999999"} {
		if got := n.String(); got != want {
			t.Errorf("Number(%d).String() = %q, want %q", n, got, want)
		}
		if got := string(n.AppendTo([]byte("x"))); got != "x"+want {
			t.Errorf("Number(%d).AppendTo(x) = %q, want %q", n, got, "x"+want)
		}
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	got := Strings([]Number{9195551234, 2002000000})
	if len(got) != 2 || got[0] != "9195551234" || got[1] != "2002000000" {
		t.Fatalf("Strings = %q", got)
	}
	if Strings(nil) != nil {
		t.Fatal("Strings(nil) != nil")
	}
}

func TestPrefixLine(t *testing.T) {
	t.Parallel()
	for _, n := range []Number{0, 2002000000, 9195550000, 9195551234, 9999999999} {
		if got := Join(n.Prefix(), n.Line()); got != n {
			t.Errorf("Join(%d.Prefix(), %d.Line()) = %d", n, n, got)
		}
	}
	n := Number(9195551234)
	if n.Prefix() != 919555 || n.Line() != 1234 {
		t.Fatalf("%d: prefix %d, line %d; want 919555, 1234", n, n.Prefix(), n.Line())
	}
}
