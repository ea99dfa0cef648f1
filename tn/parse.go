package tn

import "errors"

// The reasons Parse rejects a caller's text. Their messages are the problem alone, with no
// package prefix, because they are shown to callers beside the number they rejected.
var (
	// ErrNoDigits means the text holds no digits at all.
	ErrNoDigits = errors.New("no digits")
	// ErrCharacter means the text holds a character other than digits and the punctuation
	// Parse skips.
	ErrCharacter = errors.New("only digits, spaces and ( ) - . + are allowed")
	// ErrLength means the text holds neither 10 digits nor 11 starting with the country code.
	ErrLength = errors.New("must have 10 digits, or 11 starting with the country code 1")
	// ErrPlus means a + is not where a country code prefix puts it: before any digit, once, and
	// followed by the country code 1.
	ErrPlus = errors.New("a + must start the number and be followed by the country code 1")
	// ErrCountryCode means an 11-digit number starts with a digit other than the country code 1.
	ErrCountryCode = errors.New("an 11-digit number must start with the country code 1")
	// ErrAreaCode means the area code (NPA) starts with 0 or 1.
	ErrAreaCode = errors.New("area code must start with 2-9")
	// ErrExchange means the exchange (NXX) starts with 0 or 1.
	ErrExchange = errors.New("exchange must start with 2-9")
)

// Parse reads one telephone number as a caller wrote it: 10 digits, optionally preceded by the
// country code as "1" or "+1", with spaces, parentheses, dashes and dots anywhere between. The
// area code (NPA) and the exchange (NXX) must start with 2-9, so a parsed Number lies between
// 2002000000 and 9999999999.
//
// It returns the Number, or 0 and one of the package's errors saying why the text is not a valid
// number (ErrNoDigits, ErrCharacter, ErrLength, ErrPlus, ErrCountryCode, ErrAreaCode,
// ErrExchange). It does not allocate.
func Parse(s string) (Number, error) {
	var v uint64
	digits := 0
	plus := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			if digits == 11 {
				return 0, ErrLength
			}
			v = v*10 + uint64(c-'0')
			digits++
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		case c == '+':
			if digits != 0 || plus {
				return 0, ErrPlus
			}
			plus = true
		default:
			return 0, ErrCharacter
		}
	}
	switch digits {
	case 0:
		return 0, ErrNoDigits
	case 10:
		if plus {
			return 0, ErrPlus
		}
	case 11:
		if v/1e10 != 1 {
			if plus {
				return 0, ErrPlus
			}
			return 0, ErrCountryCode
		}
		v -= 1e10
	default:
		return 0, ErrLength
	}
	if v/1e9 < 2 {
		return 0, ErrAreaCode
	}
	if v/1e6%10 < 2 {
		return 0, ErrExchange
	}
	return Number(v), nil
}
