package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/tnassign/tnassign/tn"
)

// Format bytes that start a packed number list.
const (
	// formatPacked stores canonical 10-digit numbers as 5-byte big-endian integers.
	formatPacked byte = 1
	// formatText stores arbitrary strings, each prefixed by its uvarint length.
	formatText byte = 2
)

// ErrCorrupt means a stored blob does not decode.
var ErrCorrupt = errors.New("codec: corrupt data")

// packedLen is the size of one number of a packed list: its tn.Number as a 40-bit big-endian
// integer (9999999999 needs 34 bits).
const packedLen = 5

// PackNumbers appends ns to dst in the most compact format that holds them all: five bytes per
// number when every number is canonical (10 digits), length-prefixed text otherwise.
func PackNumbers(dst []byte, ns []string) []byte {
	start := len(dst)
	dst = slices.Grow(dst, 1+packedLen*len(ns))
	dst = append(dst, formatPacked)
	for _, s := range ns {
		n, ok := tn.ParseCanonical(s)
		if !ok {
			return packText(dst[:start], ns)
		}
		dst = append(dst, byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
	return dst
}

// packedBody returns the entries of b and true when b is a list in the packed format; an error
// when their length is not a whole number of entries.
func packedBody(b []byte) ([]byte, bool, error) {
	if len(b) == 0 || b[0] != formatPacked {
		return nil, false, nil
	}
	p := b[1:]
	if len(p)%packedLen != 0 {
		return nil, true, fmt.Errorf("packed numbers of %d bytes: %w", len(p), ErrCorrupt)
	}
	return p, true, nil
}

// packedAt returns the i-th number of the entries p of a packed list.
func packedAt(p []byte, i int) tn.Number {
	q := p[i*packedLen : i*packedLen+packedLen]
	return tn.Number(q[0])<<32 | tn.Number(q[1])<<24 | tn.Number(q[2])<<16 | tn.Number(q[3])<<8 | tn.Number(q[4])
}

// packText appends ns to dst as length-prefixed text.
func packText(dst []byte, ns []string) []byte {
	dst = append(dst, formatText)
	for _, n := range ns {
		dst = binary.AppendUvarint(dst, uint64(len(n)))
		dst = append(dst, n...)
	}
	return dst
}

// EachNumber calls fn with the position and text of every number of a packed list, in order,
// and stops early when fn returns false.
func EachNumber(b []byte, fn func(i int, n string) bool) error {
	if len(b) == 0 {
		return nil // an empty list may be stored as an empty blob
	}
	if p, packed, err := packedBody(b); packed {
		if err != nil {
			return err
		}
		for i := range len(p) / packedLen {
			if !fn(i, packedAt(p, i).String()) {
				return nil
			}
		}
		return nil
	}
	switch b[0] {
	case formatText:
		p := b[1:]
		for i := 0; len(p) > 0; i++ {
			l, k := binary.Uvarint(p)
			if k <= 0 || uint64(len(p)-k) < l {
				return fmt.Errorf("text numbers: %w", ErrCorrupt)
			}
			if !fn(i, string(p[k:k+int(l)])) {
				return nil
			}
			p = p[k+int(l):]
		}
		return nil
	}
	return fmt.Errorf("number format %d: %w", b[0], ErrCorrupt)
}

// UnpackNumbers returns the numbers of a packed list.
func UnpackNumbers(b []byte) ([]string, error) {
	out := make([]string, 0, CountNumbers(b))
	err := EachNumber(b, func(_ int, n string) bool { out = append(out, n); return true })
	return out, err
}

// CountNumbers returns how many numbers a packed list holds.
func CountNumbers(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	if b[0] == formatPacked {
		return (len(b) - 1) / packedLen
	}
	n := 0
	for p := b[1:]; len(p) > 0; n++ {
		l, k := binary.Uvarint(p)
		if k <= 0 || uint64(len(p)-k) < l {
			return n
		}
		p = p[k+int(l):]
	}
	return n
}

// Set is a set of numbers built from packed lists, compact for canonical numbers.
type Set struct {
	values []tn.Number
	text   map[string]struct{}
	sorted bool
}

// Add adds the numbers of a packed list to the set.
func (s *Set) Add(b []byte) error {
	s.sorted = false
	if p, packed, err := packedBody(b); packed {
		if err != nil {
			return err
		}
		for i := range len(p) / packedLen {
			// An entry of more than ten digits (only a corrupt blob has one) counts as its last
			// ten, the text EachNumber gives for it.
			s.values = append(s.values, packedAt(p, i)%1e10)
		}
		return nil
	}
	return EachNumber(b, func(_ int, n string) bool {
		if v, ok := tn.ParseCanonical(n); ok {
			s.values = append(s.values, v)
			return true
		}
		if s.text == nil {
			s.text = make(map[string]struct{})
		}
		s.text[n] = struct{}{}
		return true
	})
}

// Has reports whether n is in the set.
func (s *Set) Has(n string) bool {
	if v, ok := tn.ParseCanonical(n); ok {
		if !s.sorted {
			slices.Sort(s.values)
			s.sorted = true
		}
		_, found := slices.BinarySearch(s.values, v)
		return found
	}
	_, ok := s.text[n]
	return ok
}

// Index maps numbers to their position in one list. Lookups in list order, the usual order of an
// order's results, cost a comparison; others a map, built at the first of them.
type Index struct {
	// values are a packed list's numbers by position; nil for a text list.
	values []tn.Number
	// positions maps values to positions; text maps the numbers of a text list that are not
	// canonical.
	positions map[tn.Number]int32
	text      map[string]int32
	// next is where Find looks first: after the last number found.
	next int
}

// NewIndex indexes the numbers of a packed list.
func NewIndex(b []byte) (*Index, error) {
	if p, packed, err := packedBody(b); packed {
		if err != nil {
			return nil, err
		}
		x := &Index{values: make([]tn.Number, len(p)/packedLen)}
		for i := range x.values {
			x.values[i] = packedAt(p, i)
		}
		return x, nil
	}
	x := &Index{positions: make(map[tn.Number]int32, CountNumbers(b))}
	err := EachNumber(b, func(i int, n string) bool {
		if v, ok := tn.ParseCanonical(n); ok {
			x.positions[v] = int32(i)
			return true
		}
		if x.text == nil {
			x.text = make(map[string]int32)
		}
		x.text[n] = int32(i)
		return true
	})
	return x, err
}

// Find returns n's position, and whether it is in the list.
func (x *Index) Find(n string) (int, bool) {
	v, ok := tn.ParseCanonical(n)
	if !ok {
		i, found := x.text[n]
		return int(i), found
	}
	if x.next < len(x.values) && x.values[x.next] == v {
		x.next++
		return x.next - 1, true
	}
	if x.positions == nil {
		x.positions = make(map[tn.Number]int32, len(x.values))
		for i, v := range x.values {
			x.positions[v] = int32(i)
		}
	}
	i, found := x.positions[v]
	if found {
		x.next = int(i) + 1
	}
	return int(i), found
}
