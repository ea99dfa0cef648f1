package codec

import (
	"slices"
	"testing"
)

func TestNumbersRoundTrip(t *testing.T) {
	for _, ns := range [][]string{nil, {"9195550000"}, {"0000000000", "9999999999"}, {"9195550000", "+1 919", ""}} {
		b := PackNumbers(nil, ns)
		got, err := UnpackNumbers(b)
		if err != nil || !slices.Equal(got, ns) && len(ns) > 0 {
			t.Errorf("round trip of %q = %q, %v", ns, got, err)
		}
		if CountNumbers(b) != len(ns) {
			t.Errorf("CountNumbers of %q = %d", ns, CountNumbers(b))
		}
	}
	if b := PackNumbers(nil, []string{"9195550000", "9195550001"}); len(b) != 11 {
		t.Errorf("two canonical numbers take %d bytes, want 11", len(b))
	}
}

func TestResultsWidth(t *testing.T) {
	for _, rs := range [][]uint16{{0, 1, 2}, {1, 300, 2}} {
		got, err := DecodeResults(EncodeResults(rs), len(rs))
		if err != nil || !slices.Equal(got, rs) {
			t.Errorf("round trip of %v = %v, %v", rs, got, err)
		}
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(EncodeToken(Fingerprint("a"), "id", 1, 2, 3), 3)
	f.Add("", 0)
	f.Fuzz(func(t *testing.T, tok string, n int) {
		if n < 0 || n > 8 {
			return
		}
		s, ints, err := DecodeToken(tok, Fingerprint("a"), n)
		if err != nil {
			return
		}
		if again := EncodeToken(Fingerprint("a"), s, ints...); again != tok {
			t.Errorf("token %q decodes to (%q, %v), which encodes to %q", tok, s, ints, again)
		}
	})
}

func FuzzDecodeBlobs(f *testing.F) {
	f.Add(PackNumbers(nil, []string{"9195550000", "x"}))
	f.Add(EncodeRejections([]Rejection{{"a", "b", "c"}}))
	f.Add(EncodeGroups([]Group{{5076, "d"}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		// Corrupt blobs must fail cleanly, never panic.
		_, _ = UnpackNumbers(b)
		_ = CountNumbers(b)
		_, _ = DecodeRejections(b)
		_, _ = DecodeGroups(b)
		_, _ = DecodeResults(b, len(b)-1)
		var s Set
		_ = s.Add(b)
		_, _ = NewIndex(b)
	})
}
