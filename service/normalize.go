package service

import "strings"

// tn is a canonical NANP telephone number held as its 10-digit value (NPA-NXX-XXXX, from
// 2002000000 to 9999999999). Holding numbers as integers keeps batches and the dedupe set small.
type tn uint64

// Reject details: constant strings, so that rejecting a number allocates nothing here.
const (
	detailEmpty     = "no digits"
	detailCharacter = "only digits, spaces and ( ) - . + are allowed"
	detailLength    = "must have 10 digits, or 11 starting with the country code 1"
	detailPlus      = "a + must start the number and be followed by the country code 1"
	detailCountry   = "an 11-digit number must start with the country code 1"
	detailAreaCode  = "area code must start with 2-9"
	detailExchange  = "exchange must start with 2-9"
	detailDuplicate = "already received earlier in this job"
)

// parseTN normalizes one telephone number as a caller wrote it: 10 digits, optionally preceded by
// the country code as "1" or "+1", with spaces, parentheses, dashes and dots anywhere between.
// The area code (NPA) and the exchange (NXX) must start with 2-9. It returns the number, or 0 and
// a detail saying why the text is not a valid number. It does not allocate.
func parseTN(s string) (tn, string) {
	var v uint64
	digits := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 11 {
				return 0, detailLength
			}
			v = v*10 + uint64(c-'0')
			digits++
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		case c == '+':
			if digits != 0 || plus {
				return 0, detailPlus
			}
			plus = true
		default:
			return 0, detailCharacter
		}
	}
	switch digits {
	case 0:
		return 0, detailEmpty
	case 10:
		if plus {
			return 0, detailPlus
		}
	case 11:
		if v/1e10 != 1 {
			if plus {
				return 0, detailPlus
			}
			return 0, detailCountry
		}
		v -= 1e10
	default:
		return 0, detailLength
	}
	if v/1e9 < 2 {
		return 0, detailAreaCode
	}
	if v/1e6%10 < 2 {
		return 0, detailExchange
	}
	return tn(v), ""
}

// exchange returns the number's 6-digit NPA-NXX prefix.
func (t tn) exchange() uint32 { return uint32(t / 10000) }

// line returns the number's 4-digit line number.
func (t tn) line() uint16 { return uint16(t % 10000) }

// appendTo appends the number's 10 digits to b.
func (t tn) appendTo(b []byte) []byte {
	var buf [10]byte
	v := uint64(t)
	for i := 9; i >= 0; i-- {
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	return append(b, buf[:]...)
}

// String returns the canonical 10-digit form.
func (t tn) String() string { return string(t.appendTo(make([]byte, 0, 10))) }

// tnStrings returns the canonical forms of ts, all backed by one string.
func tnStrings(ts []tn) []string {
	if len(ts) == 0 {
		return nil
	}
	var all strings.Builder
	all.Grow(10 * len(ts))
	var buf [10]byte
	for _, t := range ts {
		all.Write(t.appendTo(buf[:0]))
	}
	digits := all.String()
	out := make([]string, len(ts))
	for i := range out {
		out[i] = digits[10*i : 10*i+10]
	}
	return out
}
