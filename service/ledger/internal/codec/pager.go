package codec

import "errors"

// Sections of a job's outcome listing, in order: a page token of ListOutcomes holds (section,
// seq, offset), seq being the batch's for SectionBatches and 0 otherwise.
const (
	SectionBatches = iota
	SectionRejections
	SectionNotSubmitted
)

// Pager collects one page of a listing and notes where the next page starts. Both SQL and
// memory stores page ListOutcomes with it, so their page tokens mean the same.
type Pager[T any] struct {
	// Size is the page size; Out holds the page so far.
	Size int
	Out  []T
	// next is the position of the first item past the page; set once the page is full and
	// another item exists.
	next []int64
}

// Add appends o, found at position (section, seq, off); it returns false once the page is full,
// after noting that position as the next page's start.
func (p *Pager[T]) Add(o T, section, seq, off int) bool {
	if len(p.Out) == p.Size {
		p.next = []int64{int64(section), int64(seq), int64(off)}
		return false
	}
	p.Out = append(p.Out, o)
	return true
}

// NextToken returns the token of the next page for the query fingerprint fp, or "" on the last
// page.
func (p *Pager[T]) NextToken(fp uint64) string {
	if p.next == nil {
		return ""
	}
	return EncodeToken(fp, "", p.next...)
}

// OutcomeStart returns where a page of outcomes starts: the beginning for an empty token, else
// the position a Pager noted in it. It fails for a token of another query (fp) or a position
// out of range.
func OutcomeStart(token string, fp uint64) (section, seq, off int, err error) {
	if token == "" {
		return SectionBatches, 0, 0, nil
	}
	_, ints, err := DecodeToken(token, fp, 3)
	if err != nil {
		return 0, 0, 0, err
	}
	if ints[0] < SectionBatches || ints[0] > SectionNotSubmitted || ints[2] < 0 {
		return 0, 0, 0, errors.New("codec: outcome position out of range")
	}
	return int(ints[0]), int(ints[1]), int(ints[2]), nil
}
