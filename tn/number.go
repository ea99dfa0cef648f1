package tn

import "strings"

// Number is a telephone number in canonical form: the value of its ten digits, area code (NPA),
// exchange (NXX) and line, so 919-555-1234 is Number(9195551234).
//
// A Number returned by Parse is a valid NANP number: its area code and exchange start with 2-9.
// ParseCanonical judges only the form, ten ASCII digits, so its Numbers range over 0000000000 to
// 9999999999. The zero Number formats as "0000000000".
type Number uint64

// canonicalLen is the length of a Number's canonical text.
const canonicalLen = 10

// ParseCanonical returns the Number whose canonical text is s, and whether s is one: exactly ten
// ASCII digits, nothing else. It is for text tnassign produced itself (a ledger's records, an
// order's numbers); a caller's text goes through Parse. It does not check the NANP rules, so that
// whatever was stored or sent in canonical form reads back to the same value. It does not allocate.
func ParseCanonical(s string) (Number, bool) {
	if len(s) != canonicalLen {
		return 0, false
	}
	var v uint64
	for i := 0; i < canonicalLen; i++ {
		d := s[i] - '0' // a byte below '0' wraps around above 9
		if d > 9 {
			return 0, false
		}
		v = v*10 + uint64(d)
	}
	return Number(v), true
}

// AppendTo appends n's canonical text, ten digits, to b and returns the extended buffer.
func (n Number) AppendTo(b []byte) []byte {
	var buf [canonicalLen]byte
	v := uint64(n)
	for i := canonicalLen - 1; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:]...)
}

// String returns n's canonical text: ten digits, without punctuation or country code.
func (n Number) String() string {
	var buf [canonicalLen]byte
	return string(n.AppendTo(buf[:0]))
}

// Strings returns the canonical text of each of ns, all backed by one string: one allocation
// for the text of a whole batch. It returns nil for no numbers.
func Strings(ns []Number) []string {
	if len(ns) == 0 {
		return nil
	}
	var all strings.Builder
	all.Grow(canonicalLen * len(ns))
	var buf [canonicalLen]byte
	for _, n := range ns {
		all.Write(n.AppendTo(buf[:0]))
	}
	text := all.String()
	out := make([]string, len(ns))
	for i := range out {
		out[i] = text[canonicalLen*i : canonicalLen*(i+1)]
	}
	return out
}

// Prefix returns n's first six digits, its area code and exchange (NPA-NXX): numbers that share
// a prefix differ only in their line, which makes it the natural key for grouping numbers.
func (n Number) Prefix() uint32 { return uint32(n / 10000) }

// Line returns n's last four digits, its line number within the prefix (0 to 9999).
func (n Number) Line() uint16 { return uint16(n % 10000) }

// Join returns the Number with the given prefix (NPA-NXX, below 1,000,000) and line (below
// 10,000): the inverse of Prefix and Line.
func Join(prefix uint32, line uint16) Number { return Number(prefix)*10000 + Number(line) }
