package tn

import "testing"

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"9195551234", "+1 (919) 555-1234", "1-919-555-1234", "", "+", "919.555.1234",
		"0195551234", "99999999999", "+1+1", "((((((", "19999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			if got != 0 {
				t.Fatalf("Parse(%q) rejected with %q but returned %d", s, err, got)
			}
			return
		}
		c := got.String()
		if len(c) != 10 {
			t.Fatalf("Parse(%q) = %q: not 10 digits", s, c)
		}
		for i := 0; i < 10; i++ {
			if c[i] < '0' || c[i] > '9' {
				t.Fatalf("Parse(%q) = %q: not digits", s, c)
			}
		}
		if c[0] < '2' || c[3] < '2' {
			t.Fatalf("Parse(%q) = %q: area code or exchange starts with 0/1", s, c)
		}
		again, err := Parse(c)
		if err != nil || again != got {
			t.Fatalf("Parse(%q) = %q does not re-normalize to itself: %d, %v", s, c, again, err)
		}
	})
}

// FuzzCanonical holds the two parsers and the formatter to each other: whatever Parse accepts
// formats to text that ParseCanonical reads back to the same Number; whatever ParseCanonical
// accepts formats back to the same text, and Parse agrees with it unless the NANP rules refuse
// the number.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"9195551234", "0000000000", "0195551234", "9190551234", "+1 919 555 1234",
		"919555123/", "919555123:", "19195551234", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parsed, parseErr := Parse(s)
		if parseErr == nil {
			c := parsed.String()
			if back, ok := ParseCanonical(c); !ok || back != parsed {
				t.Fatalf("Parse(%q) = %q, which ParseCanonical reads as %d, %v", s, c, back, ok)
			}
			if string(parsed.AppendTo(nil)) != c {
				t.Fatalf("Parse(%q): AppendTo %q, String %q", s, parsed.AppendTo(nil), c)
			}
			if Join(parsed.Prefix(), parsed.Line()) != parsed {
				t.Fatalf("Parse(%q) = %q does not split and join back", s, c)
			}
		}
		n, ok := ParseCanonical(s)
		if !ok {
			if n != 0 {
				t.Fatalf("ParseCanonical(%q) refused but returned %d", s, n)
			}
			return
		}
		if n.String() != s {
			t.Fatalf("ParseCanonical(%q) = %d, which formats as %q", s, n, n)
		}
		switch {
		case parseErr == nil && parsed != n:
			t.Fatalf("%q: Parse = %d, ParseCanonical = %d", s, parsed, n)
		case parseErr != nil && parseErr != ErrAreaCode && parseErr != ErrExchange:
			t.Fatalf("%q: ParseCanonical accepts it, Parse refuses it: %v", s, parseErr)
		}
	})
}
