package bwsim

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Error codes and descriptions of the list endpoint.
const (
	codeBadStatus = 15518
	textBadStatus = "Invalid 'status'. Valid values: received, processing, complete, partial, failed"
	dateLayout    = "2006-01-02"
	// defaultWindow limits lists without a date range or specific filter to recent orders.
	defaultWindow = 2 * 365 * 24 * time.Hour
)

// listFilter is a parsed list query. Zero fields do not filter.
type listFilter struct {
	customerOrderID string
	tn              string
	idPrefix        string
	statuses        uint32 // bit per status
	action          int    // 0 any, 1 assign, 2 unassign
	createdFrom     time.Time
	createdBefore   time.Time // exclusive: the day after createdDateTo
	modifiedFrom    time.Time
	modifiedBefore  time.Time
}

// parseListFilter reads the documented query parameters, ignoring others. Empty values count as
// absent.
func parseListFilter(query string, now time.Time) (listFilter, *reply) {
	bad := func(code int, text string) (listFilter, *reply) {
		return listFilter{}, errorReply(http.StatusBadRequest, rootList, code, text)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return bad(codeMalformed, textMalformed)
	}
	f := listFilter{
		customerOrderID: q.Get("customerOrderId"),
		tn:              q.Get("tn"),
		idPrefix:        strings.ToLower(q.Get("orderIdFragment")),
	}
	for _, v := range q["status"] {
		for name := range strings.SplitSeq(v, ",") {
			if name = strings.TrimSpace(name); name == "" {
				continue
			}
			st, ok := parseStatus(name)
			if !ok {
				return bad(codeBadStatus, textBadStatus)
			}
			f.statuses |= 1 << st
		}
	}
	switch a := q.Get("action"); {
	case a == "":
	case strings.EqualFold(a, "ASSIGNED"):
		f.action = 1
	case strings.EqualFold(a, "UNASSIGNED"):
		f.action = 2
	default:
		return bad(codeMalformed, "Invalid 'action'. Valid values: ASSIGNED, UNASSIGNED")
	}
	dates := []struct {
		name   string
		into   *time.Time
		dayEnd bool
	}{
		{"createdDateFrom", &f.createdFrom, false},
		{"createdDateTo", &f.createdBefore, true},
		{"modifiedDateFrom", &f.modifiedFrom, false},
		{"modifiedDateTo", &f.modifiedBefore, true},
	}
	ranged := false
	for _, d := range dates {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(dateLayout, v)
		if err != nil {
			return bad(codeMalformed, "Invalid '"+d.name+"' value '"+v+"'. Expected yyyy-MM-dd.")
		}
		if d.dayEnd {
			t = t.AddDate(0, 0, 1)
		}
		*d.into, ranged = t, true
	}
	if !ranged && f.customerOrderID == "" && f.tn == "" && f.idPrefix == "" {
		f.createdFrom = now.Add(-defaultWindow)
	}
	return f, nil
}

// matches reports whether o passes every filter but status.
func (f *listFilter) matches(o *order) bool {
	switch {
	case f.customerOrderID != "" && (!o.hasCustomerID || o.customerOrderID != f.customerOrderID),
		f.idPrefix != "" && !strings.HasPrefix(o.idText, f.idPrefix),
		f.action == 1 && !o.assign,
		f.action == 2 && o.assign,
		!f.createdFrom.IsZero() && o.created.Before(f.createdFrom),
		!f.createdBefore.IsZero() && !o.created.Before(f.createdBefore):
		return false
	}
	if !f.modifiedFrom.IsZero() || !f.modifiedBefore.IsZero() {
		m := o.modifiedAt()
		if !f.modifiedFrom.IsZero() && m.Before(f.modifiedFrom) ||
			!f.modifiedBefore.IsZero() && !m.Before(f.modifiedBefore) {
			return false
		}
	}
	if f.tn != "" {
		for i := range o.total() {
			if o.number(i) == f.tn {
				return true
			}
		}
		return false
	}
	return true
}

// list answers GET …/numbersAssignment: the account's matching orders, newest first, at most
// Config.MaxOrders of them, with TotalCount counting all matches. Listing does not count as a poll.
func (s *Simulator) list(r *http.Request, acc *account, now time.Time) *reply {
	f, rep := parseListFilter(r.URL.RawQuery, now)
	if rep != nil {
		return rep
	}
	// Orders are only ever appended and are immutable but for atomics, so the slice as it is now can
	// be read without holding the lock while creates go on.
	s.mu.RLock()
	orders := s.orders
	s.mu.RUnlock()
	var page []summary
	total := 0
	for i := len(orders) - 1; i >= 0; i-- {
		o := orders[i]
		if o.accountID != acc.id {
			continue
		}
		st := o.view(now, &s.cfg, false)
		if !f.matches(o) || f.statuses != 0 && f.statuses&(1<<st) == 0 {
			continue
		}
		total++
		if len(page) < s.cfg.MaxOrders {
			page = append(page, summary{o: o, st: st})
		}
	}
	p := s.buffer()
	return xmlReply(http.StatusOK, p, appendList((*p)[:0], total, page))
}
