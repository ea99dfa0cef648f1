package bwsim

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// status is an order's processing status.
type status uint32

// Processing statuses, in the order an order moves through them.
const (
	statusReceived status = iota + 1
	statusProcessing
	statusComplete
	statusPartial
	statusFailed
)

func (s status) String() string {
	switch s {
	case statusReceived:
		return "RECEIVED"
	case statusProcessing:
		return "PROCESSING"
	case statusComplete:
		return "COMPLETE"
	case statusPartial:
		return "PARTIAL"
	case statusFailed:
		return "FAILED"
	}
	return "UNKNOWN"
}

// parseStatus maps a status name, in any case, to its status.
func parseStatus(name string) (status, bool) {
	for st := statusReceived; st <= statusFailed; st++ {
		if strings.EqualFold(name, st.String()) {
			return st, true
		}
	}
	return 0, false
}

func (s status) final() bool { return s >= statusComplete }

// errorGroup is one Error of an order: a code and the positions of the numbers it applies to.
type errorGroup struct {
	code    int
	indexes []uint32
}

// order is an accepted order. Everything but its progress is fixed at creation; progress fields are
// atomic so reads need only the simulator's read lock.
type order struct {
	id              uuid.UUID
	idText          string
	accountID       string
	user            string
	customerOrderID string
	hasCustomerID   bool
	assign          bool
	created         time.Time
	blob            string
	ends            []uint32
	outcome         status
	failed          int
	errors          []errorGroup

	polls    atomic.Int64  // GET-by-id requests that read it
	shown    atomic.Uint32 // the status last revealed
	modified atomic.Int64  // when the revealed status last changed, Unix nanoseconds
}

// number returns the order's i-th telephone number as received.
func (o *order) number(i int) string {
	start := uint32(0)
	if i > 0 {
		start = o.ends[i-1]
	}
	return o.blob[start:o.ends[i]]
}

func (o *order) total() int { return len(o.ends) }

func (o *order) action() string {
	if o.assign {
		return actionAssign
	}
	return actionUnassign
}

// view returns the status the order shows now, counting this view as a poll when poll is set (see
// the package documentation for the rule), and records when the shown status changes.
func (o *order) view(now time.Time, cfg *Config, poll bool) status {
	n := o.polls.Load()
	if poll {
		n = o.polls.Add(1)
	}
	st := statusProcessing
	switch {
	case (cfg.ProcessingPolls == 0 || n > int64(cfg.ProcessingPolls)) && now.Sub(o.created) >= cfg.ProcessingDelay:
		st = o.outcome
	case n == 0:
		st = statusReceived
	}
	for {
		old := o.shown.Load()
		if status(old) >= st {
			// Never move backwards (a clock that steps back must not un-finish an order).
			return max(status(old), st)
		}
		if o.shown.CompareAndSwap(old, uint32(st)) {
			o.modified.Store(now.UnixNano())
			return st
		}
	}
}

// modifiedAt returns when the order's shown status last changed.
func (o *order) modifiedAt() time.Time { return time.Unix(0, o.modified.Load()).UTC() }

// ReceivedOrder is an order the simulator accepted (answered 201), as it was received. Its JSON
// form is a line of Config.CreateLog.
type ReceivedOrder struct {
	At              time.Time `json:"at"` // creation time
	AccountID       string    `json:"account_id"`
	OrderID         string    `json:"order_id"`
	CustomerOrderID string    `json:"customer_order_id"` // empty when the request had none
	Action          string    `json:"action"`            // ASSIGN or UNASSIGN
	// TelephoneNumbers are the numbers in request order, trimmed of white space, including invalid
	// ones.
	TelephoneNumbers []string `json:"telephone_numbers"`
}

// Received returns the orders accepted so far, oldest first. Refused requests (400, 401, 429, …) and
// requests reset before creation are not included; orders whose response was lost are, and so are
// slow creates whose client left before the order was created.
func (s *Simulator) Received() []ReceivedOrder {
	s.mu.RLock()
	orders := append([]*order(nil), s.orders...)
	s.mu.RUnlock()
	out := make([]ReceivedOrder, len(orders))
	for i, o := range orders {
		out[i] = o.received()
	}
	return out
}

// received returns o as a ReceivedOrder.
func (o *order) received() ReceivedOrder {
	tns := make([]string, o.total())
	for j := range tns {
		tns[j] = o.number(j)
	}
	return ReceivedOrder{
		AccountID:        o.accountID,
		OrderID:          o.idText,
		CustomerOrderID:  o.customerOrderID,
		Action:           o.action(),
		TelephoneNumbers: tns,
		At:               o.created,
	}
}
