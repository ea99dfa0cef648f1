package rows

import (
	"cmp"
	"errors"
	"math"
	"slices"
)

// Outcome is what happened to one input row.
type Outcome uint8

// The outcomes of a row. Every row starts Pending and ends in one of the
// others; the names are the `outcome` column of the results file.
const (
	Pending Outcome = iota
	Succeeded
	Failed
	Rejected
	NotSubmitted
	// Skipped is a row without a number: it is never sent, and has a result
	// row only so that the results line up with the input.
	Skipped
	numOutcomes
)

// String returns the outcome's name as written in the results file.
func (o Outcome) String() string {
	switch o {
	case Succeeded:
		return "succeeded"
	case Failed:
		return "failed"
	case Rejected:
		return "rejected"
	case NotSubmitted:
		return "not_submitted"
	case Skipped:
		return "skipped"
	default:
		return "pending"
	}
}

// ErrTooLarge is returned when an input does not fit a Table (more than
// 4 GiB of number text or 2^31 rows).
var ErrTooLarge = errors.New("input too large: more than 4 GiB of numbers or 2^31 rows; split the file")

// state is the mutable part of a row: 12 bytes with padding.
type state struct {
	outcome Outcome
	first   bool   // the first row with its Key: the one the server submits
	dup     bool   // rejected as a repeat of an earlier row
	detail  uint32 // index into Table.details; 0 for none
	order   uint32 // index into Table.orders; 0 for none
}

// detail is an interned (outcome, code, description) triple.
type detail struct {
	outcome     Outcome
	code        string
	description string
}

// Group counts the rows that share an outcome and a code.
type Group struct {
	Code        string // Bandwidth's error code, or the rejection reason
	Description string // the first description seen for the code
	Count       int
}

// Table is the rows of one input and their outcomes. Reading a row's text
// (Len, Input) is safe concurrently with the outcome methods, which must be
// called from one goroutine at a time.
type Table struct {
	arena []byte
	ends  []uint32 // ends[i] is where row i's text ends in arena; immutable once read
	lines []uint32 // lines[i] is row i's line in the file (1-based); immutable once read
	state []state

	skipped int      // rows without a number; immutable once read
	kept    *columns // the input's columns, when kept; immutable once read

	firsts map[uint64]int32 // number → first row with it

	details     []detail
	detailIdx   map[detail]uint32
	detailCount []int
	orders      []string
	orderIdx    map[string]uint32

	counts    [numOutcomes]int
	cursor    int // where the next rejection is looked for
	low       int // every row before low has an outcome
	unmatched int
}

// NewTable returns an empty Table.
func NewTable() *Table {
	return &Table{
		firsts:      make(map[uint64]int32),
		details:     []detail{{}},
		detailIdx:   make(map[detail]uint32),
		detailCount: []int{0},
		orders:      []string{""},
		orderIdx:    make(map[string]uint32),
	}
}

// Add appends a row with the given text, on the line after the previous
// row's. Empty text makes a row without a number (see AddRow).
func (t *Table) Add(text string) error {
	line := 1
	if n := len(t.lines); n > 0 {
		line = int(t.lines[n-1]) + 1
	}
	return t.AddRow(text, line, nil, "no number in this row")
}

// AddRow appends a row: its number text (trimmed), the file line it starts
// on, and its cells when the table keeps the input's columns (see
// KeepColumns). A row whose text is empty has no number: it is never sent,
// and its outcome is Skipped with description as the reason.
func (t *Table) AddRow(text string, line int, cells []string, description string) error {
	if len(t.arena)+len(text) > math.MaxUint32 || len(t.ends) >= math.MaxInt32 || line > math.MaxUint32 {
		return ErrTooLarge
	}
	if t.kept != nil {
		if err := t.kept.add(cells); err != nil {
			return err
		}
	}
	i := len(t.ends)
	t.arena = append(t.arena, text...)
	t.ends = append(t.ends, uint32(len(t.arena)))
	t.lines = append(t.lines, uint32(max(line, 0)))
	if text == "" {
		t.state = append(t.state, state{})
		t.counts[Pending]++
		t.set(i, Skipped, "", description, "")
		t.skipped++
		return nil
	}
	st := state{}
	if k, ok := Key(text); ok {
		if _, seen := t.firsts[k]; !seen {
			t.firsts[k] = int32(i)
			st.first = true
		}
	}
	t.state = append(t.state, st)
	t.counts[Pending]++
	return nil
}

// Len returns the number of rows, those without a number included.
func (t *Table) Len() int { return len(t.ends) }

// Numbers returns the number of rows with a number: those sent to the
// server.
func (t *Table) Numbers() int { return len(t.ends) - t.skipped }

// HasNumber reports whether row i has a number to send. Like Input, it is
// safe concurrently with the outcome methods.
func (t *Table) HasNumber(i int) bool { return len(t.raw(i)) > 0 }

// Line returns the line of the input file that row i starts on (1-based,
// the header line counted).
func (t *Table) Line(i int) int { return int(t.lines[i]) }

// Input returns row i's text, as read from the file (trimmed).
func (t *Table) Input(i int) string { return string(t.raw(i)) }

func (t *Table) raw(i int) []byte {
	start := uint32(0)
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.arena[start:t.ends[i]]
}

// Outcome returns row i's outcome.
func (t *Table) Outcome(i int) Outcome { return t.state[i].outcome }

// Count returns how many rows have outcome o.
func (t *Table) Count(o Outcome) int { return t.counts[o] }

// Unmatched returns how many reported numbers matched no pending row: a sign
// that the server broke its contract.
func (t *Table) Unmatched() int { return t.unmatched }

// Reject records a rejection of the text sent. duplicate says the server
// refused it as a repeat of an earlier number, so the first row of that
// number is not the one meant. It reports whether a row matched.
func (t *Table) Reject(text string, duplicate bool, code, description string) bool {
	match := func(i int) bool {
		st := &t.state[i]
		return st.outcome == Pending && !(duplicate && st.first) && string(t.raw(i)) == text
	}
	// Rejections arrive in the order the numbers were sent, so the row is
	// almost always at or after the previous one; look before it only then.
	i := t.scan(t.cursor, len(t.ends), match)
	if i < 0 {
		i = t.scan(t.lowWater(), min(t.cursor, len(t.ends)), match)
	}
	if i < 0 {
		t.unmatched++
		return false
	}
	t.cursor = i + 1
	t.set(i, Rejected, code, description, "")
	t.state[i].dup = duplicate
	return true
}

// Settle records the outcome of a number in a Bandwidth order: succeeded, or
// failed with Bandwidth's code and description. number is in canonical
// form. It reports whether a row matched.
func (t *Table) Settle(number string, succeeded bool, code, description, orderID string) bool {
	i := t.findNumber(number)
	if i < 0 {
		t.unmatched++
		return false
	}
	o := Failed
	if succeeded {
		o = Succeeded
	}
	t.set(i, o, code, description, orderID)
	return true
}

// MarkNotSubmitted records that the server never sent text (canonical, or
// as sent when the server had not normalized it) to Bandwidth. It reports
// whether a row matched.
func (t *Table) MarkNotSubmitted(text, description string) bool {
	i := t.findNumber(text)
	if i < 0 {
		i = t.scan(t.lowWater(), len(t.ends), func(i int) bool {
			return t.state[i].outcome == Pending && string(t.raw(i)) == text
		})
	}
	if i < 0 {
		t.unmatched++
		return false
	}
	t.set(i, NotSubmitted, "", description, "")
	return true
}

// FinishPending marks rows [from, to) that have no outcome yet as not
// submitted with description, and returns how many it marked.
func (t *Table) FinishPending(from, to int, description string) int {
	n := 0
	for i := max(from, 0); i < min(to, len(t.ends)); i++ {
		if t.state[i].outcome == Pending {
			t.set(i, NotSubmitted, "", description, "")
			n++
		}
	}
	return n
}

// Groups returns the rows with outcome o grouped by code, largest first.
func (t *Table) Groups(o Outcome) []Group {
	var groups []Group
	at := map[string]int{}
	for i, d := range t.details {
		if d.outcome != o || t.detailCount[i] == 0 {
			continue
		}
		j, ok := at[d.code]
		if !ok {
			j = len(groups)
			at[d.code] = j
			groups = append(groups, Group{Code: d.code, Description: d.description})
		}
		groups[j].Count += t.detailCount[i]
	}
	slices.SortStableFunc(groups, func(a, b Group) int { return cmp.Compare(b.Count, a.Count) })
	return groups
}

// findNumber returns the pending row a canonical number belongs to, or -1.
func (t *Table) findNumber(number string) int {
	k, ok := Key(number)
	if !ok {
		return -1
	}
	if i, ok := t.firsts[k]; ok && t.state[i].outcome == Pending {
		return int(i)
	}
	// The server accepted a text that Key refused, or refused the first row
	// Key accepted: find the number by its digits.
	return t.scan(t.lowWater(), len(t.ends), func(i int) bool {
		if t.state[i].outcome != Pending {
			return false
		}
		lk, ok := looseKey(string(t.raw(i)))
		return ok && lk == k
	})
}

func (t *Table) scan(from, to int, match func(int) bool) int {
	for i := from; i < to; i++ {
		if match(i) {
			return i
		}
	}
	return -1
}

func (t *Table) lowWater() int {
	for t.low < len(t.state) && t.state[t.low].outcome != Pending {
		t.low++
	}
	return t.low
}

func (t *Table) set(i int, o Outcome, code, description, orderID string) {
	d := detail{outcome: o, code: code, description: description}
	di, ok := t.detailIdx[d]
	if !ok {
		di = uint32(len(t.details))
		t.details = append(t.details, d)
		t.detailCount = append(t.detailCount, 0)
		t.detailIdx[d] = di
	}
	t.detailCount[di]++
	var oi uint32
	if orderID != "" {
		if oi, ok = t.orderIdx[orderID]; !ok {
			oi = uint32(len(t.orders))
			t.orders = append(t.orders, orderID)
			t.orderIdx[orderID] = oi
		}
	}
	st := &t.state[i]
	t.counts[st.outcome]--
	t.counts[o]++
	st.outcome, st.detail, st.order = o, di, oi
}
