package main

import (
	"fmt"
	"maps"
	"sync"

	"google.golang.org/grpc/status"
)

// record is the callers' shared notebook: what every call showed, which job each generated
// number went to, contract breaches noticed while streaming, and counters for the report. It
// is safe for concurrent use.
type record struct {
	mu        sync.Mutex
	jobs      map[string]*callerJob
	owners    map[string]string
	anomalies []violation
	stats     callerStats
}

// callerStats are the callers' counters.
type callerStats struct {
	Units         int   // fresh job units started
	FollowUps     int   // units made of what a job did not take (after a hand-over or a replay)
	Completed     int   // units whose every entry reached a job
	Failed        int   // units given up
	Calls         int   // calls made (each attempt of a unit)
	GatewayCalls  int   // of which over the HTTP gateway
	Retries       int   // attempts after the first
	HandOvers     int   // calls ended by JOB_HANDED_OVER with numbers_read
	Entries       int64 // entries generated (numbers, second spellings, invalid texts)
	Numbers       int64 // valid numbers generated
	EntriesSent   int64 // entries streamed over every call, resends included
	Exhausted     bool  // the inventory ran out of numbers
	MaxAttempts   int   // most attempts one unit needed
	ReplayedCalls int   // retries that ended in a finished job (replays, or fresh runs)
	// Failures counts the calls that did not end OK, by status code and ErrorInfo reason.
	Failures map[string]int
}

// failed counts a call that ended with err.
func (s *callerStats) failed(err error) {
	if s.Failures == nil {
		s.Failures = make(map[string]int)
	}
	key := status.Code(err).String()
	if reason := reasonOf(err); reason != "" {
		key += " " + reason
	}
	s.Failures[key]++
}

func newRecord() *record {
	return &record{jobs: make(map[string]*callerJob), owners: make(map[string]string)}
}

// generated notes a fresh unit's numbers, owned by no job yet.
func (r *record) generated(u *unit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Units++
	r.stats.Entries += int64(len(u.entries))
	for _, e := range u.entries {
		if e.number != "" && !e.dup {
			r.owners[e.number] = ""
			r.stats.Numbers++
		}
	}
}

// anomaly notes a breach seen by a caller.
func (r *record) anomaly(k kind, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.anomalies = append(r.anomalies, violationf(k, format, args...))
}

// observe merges what one call of u showed into its job's view.
func (r *record) observe(u *unit, v *callView) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range v.repeated {
		r.anomalies = append(r.anomalies, violationf(kindCallerStream, "request %s: job %s reported %s twice in one stream", u.requestID, v.jobID, n))
	}
	for _, id := range v.jobIDs {
		r.anomalies = append(r.anomalies, violationf(kindCallerStream, "request %s: a second `started` (job %s after job %s)", u.requestID, id, v.jobID))
	}
	if v.jobID == "" {
		if len(v.outcomes) > 0 || v.finished != nil {
			r.anomalies = append(r.anomalies, violationf(kindCallerStream, "request %s: events before `started`", u.requestID))
		}
		return
	}
	j := r.jobs[v.jobID]
	if j == nil {
		j = &callerJob{ID: v.jobID, Outcomes: make(map[string]outcome, len(v.outcomes))}
		r.jobs[v.jobID] = j
	}
	for n, o := range v.outcomes {
		if prev, ok := j.Outcomes[n]; ok && !prev.sameAs(o) {
			r.anomalies = append(r.anomalies, violationf(kindCallerStream, "job %s: %s reported as %s, later as %s", v.jobID, n, prev, o))
			continue
		}
		j.Outcomes[n] = o
	}
	if f := v.finished; f != nil {
		if j.Finished != nil && *j.Finished != *f {
			r.anomalies = append(r.anomalies, violationf(kindCallerStream, "job %s: finished %s with %s, later %s with %s",
				v.jobID, shortState(j.Finished.State), j.Finished.Counts, shortState(f.State), f.Counts))
		}
		j.Finished = f
	}
}

// settle is called once a call of u ended OK after `finished` of job jobID. The entries with an
// outcome in that job are its; it returns the others, which the caller sends again in a new
// unit, leaving out every number some job already took.
func (r *record) settle(u *unit, jobID string) []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	j := r.jobs[jobID]
	if j == nil {
		return r.untaken(u.entries)
	}
	var rest []entry
	for _, e := range u.entries {
		if _, ok := j.Outcomes[e.text]; ok {
			if e.number != "" && !e.dup {
				r.own(u, e.number, jobID)
			}
			continue
		}
		rest = append(rest, e)
	}
	return r.untaken(rest)
}

// handOver is called when a call of u ended with JOB_HANDED_OVER: job jobID took the first read
// entries. It returns the others, to be sent again in a new unit (leaving out taken numbers).
func (r *record) handOver(u *unit, jobID string, read int) []entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.HandOvers++
	if r.jobs[jobID] == nil {
		r.jobs[jobID] = &callerJob{ID: jobID, Outcomes: make(map[string]outcome)}
	}
	for _, e := range u.entries[:read] {
		if e.number != "" && !e.dup {
			r.own(u, e.number, jobID)
		}
	}
	return r.untaken(u.entries[read:])
}

// own notes that jobID took n; r.mu is held.
func (r *record) own(u *unit, n, jobID string) {
	if prev := r.owners[n]; prev != "" && prev != jobID {
		r.anomalies = append(r.anomalies, violationf(kindCallerStream,
			"request %s: %s was taken by job %s, yet job %s has it too", u.requestID, n, prev, jobID))
		return
	}
	r.owners[n] = jobID
}

// untaken drops the entries whose number a job already took (a careful caller never sends a
// number twice); r.mu is held.
func (r *record) untaken(entries []entry) []entry {
	var out []entry
	for _, e := range entries {
		if e.number != "" && r.owners[e.number] != "" {
			continue
		}
		out = append(out, e)
	}
	return out
}

// count updates the counters under the lock.
func (r *record) count(update func(s *callerStats)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	update(&r.stats)
}

// statsNow returns the counters.
func (r *record) statsNow() callerStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.stats
	st.Failures = maps.Clone(r.stats.Failures)
	return st
}

// snapshot returns the callers' knowledge for the verifier and their counters.
func (r *record) snapshot() (*callerRecord, callerStats) {
	r.mu.Lock()
	defer r.mu.Unlock()
	jobs := make(map[string]*callerJob, len(r.jobs))
	for id, j := range r.jobs {
		c := &callerJob{ID: j.ID, Outcomes: maps.Clone(j.Outcomes)}
		if j.Finished != nil {
			f := *j.Finished
			c.Finished = &f
		}
		jobs[id] = c
	}
	st := r.stats
	st.Failures = maps.Clone(r.stats.Failures)
	return &callerRecord{Jobs: jobs, Owners: maps.Clone(r.owners), Anomalies: append([]violation(nil), r.anomalies...)}, st
}

// describe names a unit in messages.
func (u *unit) describe() string {
	s := fmt.Sprintf("request %s (%d entries, %s)", u.requestID, len(u.entries), shortAction(u.action))
	if u.origin != "" {
		s += ", " + u.origin
	}
	return s
}
