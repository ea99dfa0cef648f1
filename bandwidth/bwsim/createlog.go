package bwsim

import (
	"context"
	"encoding/json"
	"log/slog"
)

// logCreate writes o's line to Config.CreateLog, if set: one JSON object and a newline in a single
// Write, under a lock, so that concurrent creates never interleave their lines.
func (s *Simulator) logCreate(o *order) {
	if s.cfg.CreateLog == nil {
		return
	}
	line, err := json.Marshal(o.received())
	if err == nil {
		line = append(line, '\n')
		s.logMu.Lock()
		_, err = s.cfg.CreateLog.Write(line)
		s.logMu.Unlock()
	}
	if err != nil && s.cfg.Logger != nil {
		s.cfg.Logger.LogAttrs(context.Background(), slog.LevelWarn, "cannot write the create log",
			slog.String("order_id", o.idText), slog.String("error", err.Error()))
	}
}

// CreatesByCustomerOrderID returns how many orders the account has with the CustomerOrderId id:
// every order created, whether its answer reached the client or was lost, slow creates included
// once their delay has passed; an empty id counts the orders created without one. More than one
// means the order was created more than once. It counts
// the orders the simulator still holds (see Config.MaxStoredOrders); Config.CreateLog records
// them all.
func (s *Simulator) CreatesByCustomerOrderID(accountID, id string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, o := range s.orders {
		if o.accountID == accountID && o.customerOrderID == id {
			n++
		}
	}
	return n
}
