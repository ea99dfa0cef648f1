package bwsim

import (
	"net/http"
	"time"

	"github.com/google/uuid"
)

// textNotFound is Bandwidth's description for an unknown order.
const textNotFound = "The resource does not exist"

// get answers GET …/numbersAssignment/{orderId}; the read counts as a poll of the order.
func (s *Simulator) get(rt route, acc *account, now time.Time) *reply {
	o := s.lookup(rt.orderID)
	if o == nil || o.accountID != acc.id {
		return errorReply(http.StatusNotFound, rootResponse, 0, textNotFound)
	}
	st := o.view(now, &s.cfg, true)
	p := s.buffer()
	return xmlReply(http.StatusOK, p, appendOrder((*p)[:0], o, st))
}

// lookup returns the order with the given id (a UUID in its 36-character form, any case), or nil.
func (s *Simulator) lookup(orderID string) *order {
	if len(orderID) != 36 {
		return nil
	}
	id, err := uuid.Parse(orderID)
	if err != nil {
		return nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byID[id]
}
