package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// accountID is the simulated Bandwidth account every job uses.
const accountID = "9900000"

// entry is one telephone_numbers entry of a call.
type entry struct {
	text   string // as sent
	number string // its canonical 10-digit form; "" for a text that is not a number
	dup    bool   // a second spelling of a number sent earlier in the same unit
}

// unit is one job unit: one call (retried as needed, with the same request id) that should
// give every entry an outcome in one job.
type unit struct {
	requestID       string
	customerOrderID string // "" lets the service derive one
	action          tnassignv1.Action
	entries         []entry
	origin          string // "" for a fresh unit, else what it continues (for messages)
}

// texts returns the entries as sent.
func (u *unit) texts() []string {
	out := make([]string, len(u.entries))
	for i, e := range u.entries {
		out[i] = e.text
	}
	return out
}

// inventory hands out distinct valid NANP numbers under the owned prefixes, round robin, so that
// no number is generated twice in a run.
type inventory struct {
	mu       sync.Mutex
	prefixes []string
	next     []int64 // next suffix to try, per prefix
	limit    []int64 // suffixes per prefix: 10^(10-len)
	turn     int
}

// newInventory checks the prefixes (digits, at most 10) and returns their inventory.
func newInventory(prefixes []string) (*inventory, error) {
	if len(prefixes) == 0 {
		return nil, fmt.Errorf("no owned prefixes")
	}
	inv := &inventory{prefixes: prefixes, next: make([]int64, len(prefixes)), limit: make([]int64, len(prefixes))}
	for i, p := range prefixes {
		if p == "" || len(p) > 10 || strings.Trim(p, "0123456789") != "" {
			return nil, fmt.Errorf("owned prefix %q is not 1 to 10 digits", p)
		}
		inv.limit[i] = 1
		for range 10 - len(p) {
			inv.limit[i] *= 10
		}
	}
	return inv, nil
}

// take returns n distinct numbers never handed out before, or false when the prefixes are
// exhausted.
func (inv *inventory) take(n int) ([]string, bool) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	out := make([]string, 0, n)
	exhausted := 0
	for len(out) < n && exhausted < len(inv.prefixes) {
		i := inv.turn % len(inv.prefixes)
		inv.turn++
		if inv.next[i] >= inv.limit[i] {
			exhausted++
			continue
		}
		exhausted = 0
		// A run of up to 100 numbers from one prefix, then the next prefix.
		for k := 0; k < 100 && len(out) < n && inv.next[i] < inv.limit[i]; inv.next[i]++ {
			s := inv.prefixes[i] + leftPad(inv.next[i], 10-len(inv.prefixes[i]))
			if validNANP(s) {
				out = append(out, s)
				k++
			}
		}
	}
	return out, len(out) == n
}

// leftPad formats v in width digits.
func leftPad(v int64, width int) string {
	s := strconv.FormatInt(v, 10)
	if width == 0 {
		return ""
	}
	return strings.Repeat("0", max(0, width-len(s))) + s
}

// validNANP reports whether a 10-digit number has an area code and exchange starting 2–9, as
// the service requires.
func validNANP(s string) bool {
	return len(s) == 10 && s[0] >= '2' && s[3] >= '2'
}

// generator makes job units: fresh ones with numbers from the inventory, and follow-ups that
// carry the entries a job did not take.
type generator struct {
	inv      *inventory
	tag      string // distinguishes this run's request and customer order ids
	minSize  int
	maxSize  int
	unitSeq  atomic.Int64
	textSeq  atomic.Int64
	unassign float64 // share of fresh units that UNASSIGN
}

// fresh makes a new unit of minSize..maxSize numbers, about 0.5% of them followed later by
// another spelling (a DUPLICATE) and about 0.5% invalid texts, ASSIGN or UNASSIGN at random. It
// reports false when the inventory is exhausted.
func (g *generator) fresh(rng *rand.Rand) (*unit, bool) {
	size := g.minSize + rng.IntN(g.maxSize-g.minSize+1)
	numbers, ok := g.inv.take(size)
	if !ok {
		return nil, false
	}
	entries := make([]entry, 0, size+size/50+2)
	for _, n := range numbers {
		entries = append(entries, entry{text: n, number: n})
	}
	// Second spellings, each after its number; each number is respelt at most once.
	for _, i := range rng.Perm(len(numbers))[:binomial(rng, len(numbers), 0.005)] {
		n := numbers[i]
		at := indexOf(entries, n)
		pos := at + 1 + rng.IntN(len(entries)-at)
		entries = insertAt(entries, pos, entry{text: respell(rng, n), number: n, dup: true})
	}
	for range binomial(rng, len(numbers), 0.005) {
		text := fmt.Sprintf("x%s-%d", g.tag, g.textSeq.Add(1))
		entries = insertAt(entries, rng.IntN(len(entries)+1), entry{text: text})
	}
	action := tnassignv1.Action_ACTION_ASSIGN
	if rng.Float64() < g.unassign {
		action = tnassignv1.Action_ACTION_UNASSIGN
	}
	return g.unit(rng, action, entries, ""), true
}

// follow makes a new unit (a new request id) for the entries a job did not take.
func (g *generator) follow(rng *rand.Rand, prev *unit, rest []entry, origin string) *unit {
	return g.unit(rng, prev.action, rest, origin)
}

// unit numbers a new unit; half of them carry a customer order id of their own.
func (g *generator) unit(rng *rand.Rand, action tnassignv1.Action, entries []entry, origin string) *unit {
	seq := g.unitSeq.Add(1)
	u := &unit{requestID: fmt.Sprintf("tnchaos-%s-u%d", g.tag, seq), action: action, entries: entries, origin: origin}
	if rng.IntN(2) == 0 {
		u.customerOrderID = fmt.Sprintf("chaos %s u%d", g.tag, seq) // ≤ 32 of [A-Za-z0-9 -]
	}
	return u
}

// respell writes a canonical number another way the service accepts.
func respell(rng *rand.Rand, n string) string {
	switch rng.IntN(3) {
	case 0:
		return "(" + n[:3] + ") " + n[3:6] + "-" + n[6:]
	case 1:
		return "+1 " + n[:3] + "." + n[3:6] + "." + n[6:]
	default:
		return "1-" + n[:3] + "-" + n[3:6] + "-" + n[6:]
	}
}

// binomial draws how many of n trials with probability p succeed; for the small p here a
// Poisson draw (Knuth's method) with the same mean.
func binomial(rng *rand.Rand, n int, p float64) int {
	limit, k, prod := math.Exp(-float64(n)*p), 0, rng.Float64()
	for prod > limit && k < n {
		k++
		prod *= rng.Float64()
	}
	return k
}

// indexOf finds the entry whose text is s.
func indexOf(entries []entry, s string) int {
	for i := range entries {
		if entries[i].text == s {
			return i
		}
	}
	return -1
}

// insertAt inserts e before position i.
func insertAt(entries []entry, i int, e entry) []entry {
	entries = append(entries, entry{})
	copy(entries[i+1:], entries[i:])
	entries[i] = e
	return entries
}

// message is one request message of a call: how many entries it carries and how long the
// caller waits before sending it.
type message struct {
	n     int
	pause time.Duration
}

// plan splits n entries into messages of 250–1,000. Half the calls trickle: they wait up to
// maxPause (at random) before each message after the first, so that kills land mid-upload too.
func plan(rng *rand.Rand, n int, maxPause time.Duration) []message {
	trickle := maxPause > 0 && rng.IntN(2) == 0
	var out []message
	for len(out) == 0 || n > 0 {
		m := message{n: min(n, 250+rng.IntN(751))}
		if trickle && len(out) > 0 {
			m.pause = time.Duration(rng.Int64N(int64(maxPause) + 1))
		}
		out = append(out, m)
		n -= m.n
	}
	return out
}
