package rows

import "github.com/tnassign/tnassign/tn"

// Key returns the canonical 10-digit form of a North American number as a
// uint64, and whether text is one, by the server's own rules (tn.Parse). The
// client uses it only to match the server's reports back to rows; the server
// alone decides validity.
func Key(text string) (uint64, bool) {
	n, err := tn.Parse(text)
	return uint64(n), err == nil
}

// looseKey is like Key but ignores every character that is not a digit and
// does not check the area code or exchange. It is the fallback used when the
// server accepted a text that Key would not have.
func looseKey(text string) (uint64, bool) {
	var digits [11]byte
	n := 0
	for i := 0; i < len(text); i++ {
		if c := text[i]; c >= '0' && c <= '9' {
			if n == len(digits) {
				return 0, false
			}
			digits[n] = c
			n++
		}
	}
	d := digits[:n]
	if n == 11 && d[0] == '1' {
		d = d[1:]
	}
	if len(d) != 10 {
		return 0, false
	}
	return parseDigits(d), true
}

func parseDigits(d []byte) uint64 {
	var v uint64
	for _, c := range d {
		v = v*10 + uint64(c-'0')
	}
	return v
}

// formatKey returns the 10-digit text of a key.
func formatKey(k uint64) string { return tn.Number(k).String() }
