package bwsim

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Request-level error codes and descriptions of the create endpoint.
const (
	codeMalformed      = 1019
	textMalformed      = "Bad request encountered. Please check your request and try again."
	codeDisabled       = 12752
	textDisabled       = "Number assignment capability is not allowed on this account."
	textInvalidAction  = "Assignment action is invalid. Valid values ASSIGN, UNASSIGN"
	codeNoNumbers      = 15611
	textNoNumbers      = "List of telephone numbers is required"
	codeTooMany        = 15607
	codeCustomerID     = 5052
	textCustomerID     = "Customer order ID is invalid. Only alphanumeric values, dashes and spaces are allowed. Max length is 40 characters."
	maxCustomerIDBytes = 40
)

// create answers POST …/numbersAssignment: it validates the order, waits out the slow-create delay
// if the create is slow, decides every number's outcome against the account's inventory, records
// the order in Config.CreateLog, stores it and answers 201 with it. A slow create whose server
// closes during the delay is abandoned without an order.
func (s *Simulator) create(r *http.Request, rt route, acc *account, user string, now time.Time) *reply {
	if acc.disabled {
		return errorReply(http.StatusBadRequest, rootResponse, codeDisabled, textDisabled)
	}
	p := s.buffer()
	body, err := readBody(r.Body, s.cfg.MaxRequestBytes, (*p)[:0])
	*p = body
	if err != nil {
		s.releaseBuffer(p)
		if errors.Is(err, errTooLarge) {
			return errorReply(http.StatusRequestEntityTooLarge, rootResponse, 0,
				"Request body exceeds "+strconv.FormatInt(s.cfg.MaxRequestBytes, 10)+" bytes")
		}
		return errorReply(http.StatusBadRequest, rootResponse, codeMalformed, textMalformed)
	}
	req, err := parseOrderRequest(body)
	// req holds copies of what it needs: the body's buffer goes back to the pool now rather than
	// after a slow create's delay.
	s.releaseBuffer(p)
	if err != nil {
		return errorReply(http.StatusBadRequest, rootResponse, codeMalformed, textMalformed)
	}
	if rep := s.validate(&req); rep != nil {
		return rep
	}
	if d, slow := s.createDelay(); slow {
		if s.cfg.Logger != nil {
			// Said when the work starts, so that tests and people can act while it is under way.
			s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "slow create started",
				slog.String("customer_order_id", req.customerOrderID), slog.Duration("delay", d))
		}
		// The request's context is not waited on: the order is created even if the client left.
		if !s.delayCreate(r, d) {
			abandon()
		}
		now = s.cfg.Now()
	}
	o := newOrder(&req, acc, user, now)
	// Logged before it is stored: every order a client can read is in the log already.
	s.logCreate(o)
	s.store(o)

	st := o.view(now, &s.cfg, false)
	out := s.buffer()
	rep := xmlReply(http.StatusCreated, out, appendOrder((*out)[:0], o, st))
	rep.header = http.Header{"Location": {requestOrigin(r) + rt.base + "/accounts/" + acc.id +
		"/numbersAssignment/" + o.idText}}
	return rep
}

// store keeps o, forgetting the oldest order when there are more than Config.MaxStoredOrders.
func (s *Simulator) store(o *order) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.orders = append(s.orders, o)
	s.byID[o.id] = o
	if limit := s.cfg.MaxStoredOrders; limit > 0 && len(s.orders) > limit {
		// Readers may hold the slice as it was, so elements are never overwritten, only sliced off;
		// the next reallocation releases them.
		delete(s.byID, s.orders[0].id)
		s.orders = s.orders[1:]
	}
}

// validate applies the request-level rules, in the order Bandwidth documents them.
func (s *Simulator) validate(req *orderRequest) *reply {
	switch {
	case req.action != actionAssign && req.action != actionUnassign:
		return errorReply(http.StatusBadRequest, rootResponse, s.cfg.InvalidActionCode, textInvalidAction)
	case req.numbers.len() == 0:
		return errorReply(http.StatusBadRequest, rootResponse, codeNoNumbers, textNoNumbers)
	case req.numbers.len() > MaxNumbersPerOrder:
		return errorReply(http.StatusBadRequest, rootResponse, codeTooMany,
			"The count of Telephone numbers in POST body exceeds the maximum size of "+strconv.Itoa(MaxNumbersPerOrder))
	case req.hasCustomerOrderID && !validCustomerOrderID(req.customerOrderID):
		return errorReply(http.StatusBadRequest, rootResponse, codeCustomerID, textCustomerID)
	}
	return nil
}

// validCustomerOrderID reports whether id matches ^[A-Za-z0-9 -]{1,40}$.
func validCustomerOrderID(id string) bool {
	if len(id) == 0 || len(id) > maxCustomerIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ' || c == '-') {
			return false
		}
	}
	return true
}

// newOrder builds the order for req, deciding each number's outcome and updating the account's
// assigned numbers.
func newOrder(req *orderRequest, acc *account, user string, now time.Time) *order {
	id := uuid.New()
	o := &order{
		id:              id,
		idText:          id.String(),
		accountID:       acc.id,
		user:            user,
		customerOrderID: req.customerOrderID,
		hasCustomerID:   req.hasCustomerOrderID,
		assign:          req.action == actionAssign,
		created:         now.UTC(),
		blob:            string(req.numbers.blob),
		ends:            req.numbers.ends,
	}
	// Failed numbers' positions per code, in ascending code order.
	codes := [...]int{codeInvalidTN, codeNotOwned, codeNotInService}
	var failed [len(codes)][]uint32
	acc.state.mu.Lock()
	for i := range o.total() {
		code := acc.check(o.number(i), o.assign)
		for k, c := range codes {
			if c == code {
				failed[k] = append(failed[k], uint32(i))
			}
		}
	}
	acc.state.mu.Unlock()
	for k, idx := range failed {
		if len(idx) > 0 {
			o.errors = append(o.errors, errorGroup{code: codes[k], indexes: idx})
			o.failed += len(idx)
		}
	}
	switch o.failed {
	case 0:
		o.outcome = statusComplete
	case o.total():
		o.outcome = statusFailed
	default:
		o.outcome = statusPartial
	}
	return o
}

// errTooLarge reports a request body over the limit.
var errTooLarge = errors.New("request body too large")

// readBody reads r, up to limit bytes, appending to buf.
func readBody(r io.Reader, limit int64, buf []byte) ([]byte, error) {
	lr := io.LimitedReader{R: r, N: limit + 1}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := lr.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return buf, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// requestOrigin returns scheme://host of the request, for absolute Location headers.
func requestOrigin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

// releaseBuffer returns a buffer obtained from buffer to the pool.
func (s *Simulator) releaseBuffer(p *[]byte) {
	s.release(&reply{pooled: p})
}
