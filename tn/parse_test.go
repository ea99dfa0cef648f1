package tn

import (
	"strconv"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // canonical; empty when rejected
		err  error
	}{
		{"9195551234", "9195551234", nil},
		{"19195551234", "9195551234", nil},
		{"+19195551234", "9195551234", nil},
		{"+1 (919) 555-1234", "9195551234", nil},
		{"(919) 555-1234", "9195551234", nil},
		{"919.555.1234", "9195551234", nil},
		{"1-919-555-1234", "9195551234", nil},
		{" 919 555 1234 ", "9195551234", nil},
		{"2002000000", "2002000000", nil},
		{"", "", ErrNoDigits},
		{"  -()", "", ErrNoDigits},
		{"919555123", "", ErrLength},
		{"919555123456", "", ErrLength},
		{"29195551234", "", ErrCountryCode},
		{"+9195551234", "", ErrPlus},
		{"+29195551234", "", ErrPlus},
		{"1+9195551234", "", ErrPlus},
		{"++19195551234", "", ErrPlus},
		{"919-555-1234x12", "", ErrCharacter},
		{"９195551234", "", ErrCharacter},
		{"919\t5551234", "", ErrCharacter},
		{"0195551234", "", ErrAreaCode},
		{"1195551234", "", ErrAreaCode},
		{"11195551234", "", ErrAreaCode},
		{"9190551234", "", ErrExchange},
		{"9191551234", "", ErrExchange},
	}
	for _, tc := range tests {
		t.Run(strconv.Quote(tc.in), func(t *testing.T) {
			t.Parallel()
			got, err := Parse(tc.in)
			if err != tc.err {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, tc.err)
			}
			if tc.want != "" && got.String() != tc.want {
				t.Fatalf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

// TestParseErrorDetails pins the errors' messages: callers see them as the detail of a rejected
// number, so they are part of the service's behaviour.
func TestParseErrorDetails(t *testing.T) {
	t.Parallel()
	for err, want := range map[error]string{
		ErrNoDigits:    "no digits",
		ErrCharacter:   "only digits, spaces and ( ) - . + are allowed",
		ErrLength:      "must have 10 digits, or 11 starting with the country code 1",
		ErrPlus:        "a + must start the number and be followed by the country code 1",
		ErrCountryCode: "an 11-digit number must start with the country code 1",
		ErrAreaCode:    "area code must start with 2-9",
		ErrExchange:    "exchange must start with 2-9",
	} {
		if got := err.Error(); got != want {
			t.Errorf("detail %q, want %q", got, want)
		}
	}
}

func TestParseAllocatesNothing(t *testing.T) {
	inputs := []string{"+1 (919) 555-1234", "9195551234", "bogus", "0195551234"}
	allocs := testing.AllocsPerRun(100, func() {
		for _, in := range inputs {
			Parse(in)
			ParseCanonical(in)
		}
	})
	if allocs != 0 {
		t.Fatalf("Parse and ParseCanonical allocate %v times per run, want 0", allocs)
	}
}
