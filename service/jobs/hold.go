package jobs

import (
	"sync"
	"time"
)

// holds is what this replica knows of its leases on the jobs it runs. The ledger's lease is the
// truth, but it is checked only when renewed; a hold keeps, on the local clock, a time until
// which the lease surely lasts, so that a job whose renewals fail, or that another replica
// claimed, stops here before the other replica can start on it.
//
// A lease lasts until the ledger's clock reads (time of the write) + lease. The write happens
// after the local call starts, so "call start + lease" on the local clock is never later than
// the real end. A job stops being worked on a margin before that (see safeUntil): the margin
// covers a Bandwidth request already on its way when the lease is judged.
type holds struct {
	mu sync.Mutex
	m  map[string]*hold
	// margin is how long before its lease surely ends a job stops.
	margin time.Duration
}

// hold is this replica's lease on one running job.
type hold struct {
	jobID  string
	margin time.Duration

	mu sync.Mutex
	// until is when the lease surely ends, on the local clock.
	until time.Time
	// timer judges the hold at its safe time, so that a job whose renewals stall (a hung ledger
	// connection) stops then, not at the next renewal.
	timer *time.Timer
	// lost is set once the job is judged no longer this replica's; onLost then runs once.
	lost   bool
	onLost func()
	// finishing is set when the job writes its final state: it can no longer be lost.
	finishing bool
}

func (hs *holds) init(margin time.Duration) {
	hs.m = make(map[string]*hold)
	hs.margin = margin
}

// add records that this replica got jobID by a ledger write that started at start, with lease.
// It returns nil when the job is held already: this process still runs it (it is being handed
// over, or its lease ended while it ran) and must not run it twice.
func (hs *holds) add(jobID string, start time.Time, lease time.Duration) *hold {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.m[jobID] != nil {
		return nil
	}
	h := &hold{jobID: jobID, margin: hs.margin, until: start.Add(lease), onLost: func() {}}
	h.timer = time.AfterFunc(time.Until(h.safeUntil()), func() { h.ok() })
	hs.m[jobID] = h
	return h
}

// live returns the ids of the jobs held and not lost: those to renew.
func (hs *holds) live() []string {
	var ids []string
	for _, h := range hs.all() {
		h.mu.Lock()
		if !h.lost {
			ids = append(ids, h.jobID)
		}
		h.mu.Unlock()
	}
	return ids
}

// remove forgets jobID's hold: the job finished or was handed over.
func (hs *holds) remove(jobID string) {
	hs.mu.Lock()
	h := hs.m[jobID]
	delete(hs.m, jobID)
	hs.mu.Unlock()
	if h != nil {
		h.timer.Stop()
	}
}

// renewed applies a renewal of the jobs asked that started at start, gave the lease lease and
// returned the ids of those the ledger still has this replica own. A job asked for and missing
// from renewed belongs to another replica now (or finished meanwhile: see hold.finish).
func (hs *holds) renewed(asked, renewed []string, start time.Time, lease time.Duration) {
	mine := make(map[string]bool, len(renewed))
	for _, id := range renewed {
		mine[id] = true
	}
	for _, id := range asked {
		hs.mu.Lock()
		h := hs.m[id]
		hs.mu.Unlock()
		switch {
		case h == nil: // finished or handed over meanwhile
		case mine[id]:
			h.extend(start.Add(lease))
		default:
			h.lose()
		}
	}
}

// expire judges every hold against the clock: those past their safe time are lost.
func (hs *holds) expire() {
	for _, h := range hs.all() {
		h.ok()
	}
}

func (hs *holds) all() []*hold {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	out := make([]*hold, 0, len(hs.m))
	for _, h := range hs.m {
		out = append(out, h)
	}
	return out
}

// setOnLost sets what runs once the job is lost; if it already is, f runs at once.
func (h *hold) setOnLost(f func()) {
	h.mu.Lock()
	h.onLost = f
	lost := h.lost
	h.mu.Unlock()
	if lost {
		f()
	}
}

// extend moves the time the lease surely lasts until to until.
func (h *hold) extend(until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.lost && until.After(h.until) {
		h.until = until
		h.timer.Reset(time.Until(h.safeUntil()))
	}
}

// safeUntil is when the job stops being worked on: a margin before its lease surely ends.
func (h *hold) safeUntil() time.Time { return h.until.Add(-h.margin) }

// ok reports whether the job is still surely this replica's. Once it is not, it never is again
// (onLost runs then).
func (h *hold) ok() bool {
	h.mu.Lock()
	if !h.lost && (h.finishing || time.Now().Before(h.safeUntil())) {
		h.mu.Unlock()
		return true
	}
	h.mu.Unlock()
	h.lose()
	return false
}

// lose marks the job as no longer this replica's and runs onLost, once; a job writing its final
// state is not lost any more.
func (h *hold) lose() {
	h.mu.Lock()
	if h.lost || h.finishing {
		h.mu.Unlock()
		return
	}
	h.lost = true
	f := h.onLost
	h.mu.Unlock()
	f()
}

// finish reports whether the job may write its final state, and if so makes it impossible to
// lose from now on, so that a renewal racing with the final write does not take it for lost.
func (h *hold) finish() bool {
	if !h.ok() {
		return false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.lost {
		return false
	}
	h.finishing = true
	return true
}
