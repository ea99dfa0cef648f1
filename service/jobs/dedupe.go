package jobs

import (
	"math/bits"
	"slices"

	"github.com/tnassign/tnassign/tn"
)

// detailDuplicate is the detail of a DUPLICATE rejection.
const detailDuplicate = "already received earlier in this job"

// numberSet is the set of numbers a job has seen, built to stay small for millions of numbers.
// Numbers are grouped by exchange (the 6-digit NPA-NXX prefix, tn.Number.Prefix); each exchange keeps its 4-digit
// line numbers in a sorted []uint16 while it has few, and in a 10,000-bit bitmap (1,250 bytes)
// once the list would be larger than the bitmap. A dense job of a million numbers costs about
// 125 KiB of bitmaps; a sparse one about 2 bytes per number plus a small per-exchange overhead.
type numberSet struct {
	// lists holds the exchanges with few numbers: sorted line numbers, inline in the map.
	lists map[uint32][]uint16
	// bitmaps holds the exchanges with many numbers: one bit per line number.
	bitmaps map[uint32]*lineBitmap
	size    int
}

// lineBitmap has one bit per line number 0000-9999 of an exchange.
type lineBitmap [(10000 + 63) / 64]uint64

// maxSortedLines is the list length beyond which an exchange switches to a bitmap: a list of
// 2-byte entries this long (with append's spare capacity) outweighs the 1,256-byte bitmap.
const maxSortedLines = 512

// add inserts t and reports whether it was new.
func (s *numberSet) add(t tn.Number) bool {
	key, line := t.Prefix(), t.Line()
	if bm := s.bitmaps[key]; bm != nil {
		if !bm.add(line) {
			return false
		}
		s.size++
		return true
	}
	if s.lists == nil {
		s.lists = make(map[uint32][]uint16)
	}
	lines := s.lists[key]
	i, found := slices.BinarySearch(lines, line)
	if found {
		return false
	}
	s.size++
	if len(lines) < maxSortedLines {
		s.lists[key] = slices.Insert(lines, i, line)
		return true
	}
	bm := new(lineBitmap)
	for _, l := range lines {
		bm.add(l)
	}
	bm.add(line)
	delete(s.lists, key)
	if s.bitmaps == nil {
		s.bitmaps = make(map[uint32]*lineBitmap)
	}
	s.bitmaps[key] = bm
	return true
}

// contains reports whether t is in the set.
func (s *numberSet) contains(t tn.Number) bool {
	key, line := t.Prefix(), t.Line()
	if bm := s.bitmaps[key]; bm != nil {
		return bm[line/64]&(1<<(line%64)) != 0
	}
	_, found := slices.BinarySearch(s.lists[key], line)
	return found
}

// len returns the number of distinct numbers in the set.
func (s *numberSet) len() int { return s.size }

// all returns every number in the set in ascending order.
func (s *numberSet) all() []tn.Number {
	keys := make([]uint32, 0, len(s.lists)+len(s.bitmaps))
	for k := range s.lists {
		keys = append(keys, k)
	}
	for k := range s.bitmaps {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]tn.Number, 0, s.size)
	for _, k := range keys {
		bm := s.bitmaps[k]
		if bm == nil {
			for _, l := range s.lists[k] {
				out = append(out, tn.Join(k, l))
			}
			continue
		}
		for w, word := range bm {
			for word != 0 {
				out = append(out, tn.Join(k, uint16(w*64+bits.TrailingZeros64(word))))
				word &= word - 1
			}
		}
	}
	return out
}

// add sets line's bit and reports whether it was clear.
func (bm *lineBitmap) add(line uint16) bool {
	w, m := line/64, uint64(1)<<(line%64)
	if bm[w]&m != 0 {
		return false
	}
	bm[w] |= m
	return true
}
