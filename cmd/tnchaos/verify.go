package main

import (
	"slices"
	"strings"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// verifyInput is everything the checks read: the ledger after the drain, what the callers saw
// and believe, and bwsim's create log (nil when it could not be recorded).
type verifyInput struct {
	Ledger  []*ledgerJob
	Callers *callerRecord
	Created []createdOrder
}

// verify runs every check and returns what it found. It is pure: the same input gives the same
// findings, in the same order.
func verify(in verifyInput) *findings {
	f := &findings{}
	checkJobs(f, in.Ledger)
	idx := indexLedger(in.Ledger)
	callers := in.Callers
	if callers == nil {
		callers = &callerRecord{}
	}
	checkNumbers(f, idx, callers.Owners)
	checkCallers(f, in.Ledger, callers.Jobs)
	f.addAll(callers.Anomalies)
	if in.Created != nil {
		checkCreates(f, in.Created, idx)
	}
	return f
}

// checkJobs checks each job on its own: it is over, lists each number once, and its outcomes
// add up to its counts.
func checkJobs(f *findings, jobs []*ledgerJob) {
	for _, j := range jobs {
		if j.State == tnassignv1.JobState_JOB_STATE_RUNNING {
			f.add(kindStuck, "job %s is RUNNING (%s)", j.ID, j.Counts)
			continue // its counts are still moving
		}
		seen := make(map[string]struct{}, len(j.Outcomes))
		var got counts
		for _, o := range j.Outcomes {
			if _, dup := seen[o.Number]; dup {
				f.add(kindListedTwice, "job %s lists %s more than once (again as %s)", j.ID, o.Number, o.outcome)
			}
			seen[o.Number] = struct{}{}
			got.Received++
			switch o.Result {
			case tnassignv1.NumberResult_NUMBER_RESULT_REJECTED:
				got.Rejected++
			case tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED:
				got.Succeeded++
			case tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
				got.Failed++
			case tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED:
				got.NotSubmitted++
			}
		}
		c := j.Counts
		switch {
		case c.Rejected+c.Succeeded+c.Failed+c.NotSubmitted != c.Received:
			f.add(kindCountMismatch, "job %s: counts do not add up: %s", j.ID, c)
		case got != c:
			f.add(kindCountMismatch, "job %s: the job says %s; its %d outcomes say %s", j.ID, c, len(j.Outcomes), got)
		}
	}
}

// placed is one number's outcome in one job.
type placed struct {
	JobID string
	outcome
}

// ledgerIndex finds the jobs whose outcomes name a number. A DUPLICATE rejection is the
// outcome of a second spelling, not of the number, and is left out.
type ledgerIndex struct {
	first map[string]placed   // the first job listing the number
	more  map[string][]placed // further jobs listing it (a violation; rare)
}

// indexLedger indexes every job's outcomes by number.
func indexLedger(jobs []*ledgerJob) *ledgerIndex {
	idx := &ledgerIndex{first: make(map[string]placed), more: make(map[string][]placed)}
	for _, j := range jobs {
		for _, o := range j.Outcomes {
			if o.Reason == tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE {
				continue
			}
			p := placed{JobID: j.ID, outcome: o.outcome}
			first, ok := idx.first[o.Number]
			if !ok {
				idx.first[o.Number] = p
				continue
			}
			if first.JobID == j.ID || slices.ContainsFunc(idx.more[o.Number], func(q placed) bool { return q.JobID == j.ID }) {
				continue // listed twice in one job: checkJobs reports it
			}
			idx.more[o.Number] = append(idx.more[o.Number], p)
		}
	}
	return idx
}

// places returns every job listing n.
func (idx *ledgerIndex) places(n string) []placed {
	first, ok := idx.first[n]
	if !ok {
		return nil
	}
	return append([]placed{first}, idx.more[n]...)
}

// checkNumbers checks that every number a caller generated has an outcome in exactly one job,
// the one its caller believes took it, and that the ledger holds no number nobody sent.
func checkNumbers(f *findings, idx *ledgerIndex, owners map[string]string) {
	for _, n := range sortedKeys(owners) {
		believed := owners[n]
		ps := idx.places(n)
		switch {
		case len(ps) == 0:
			f.add(kindLost, "%s has no outcome in any job (its caller believes job %q took it)", n, believed)
		case len(ps) > 1:
			f.add(kindInTwoJobs, "%s has outcomes in %d jobs: %s", n, len(ps), describePlaces(ps))
		case believed == "":
			f.add(kindUnresolved, "%s: its caller never learned its job; the ledger has it in job %s (%s)", n, ps[0].JobID, ps[0].outcome)
		case believed != ps[0].JobID:
			f.add(kindMisattributed, "%s: its caller believes job %s took it; the ledger has it in job %s (%s)", n, believed, ps[0].JobID, ps[0].outcome)
		}
	}
	for _, n := range sortedKeys(idx.first) {
		p := idx.first[n]
		if _, sent := owners[n]; !sent && p.Result != tnassignv1.NumberResult_NUMBER_RESULT_REJECTED {
			f.add(kindForeign, "job %s has %s (%s), which no caller generated", p.JobID, n, p.outcome)
		}
	}
}

// because renders a failure reason, if any.
func because(reason string) string {
	if reason == "" {
		return ""
	}
	return " (" + reason + ")"
}

// describePlaces lists the jobs and outcomes of a number.
func describePlaces(ps []placed) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = "job " + p.JobID + " (" + p.outcome.String() + ")"
	}
	return strings.Join(parts, ", ")
}

// checkCallers checks that what the callers saw agrees with the ledger: each `finished` with
// the job's state and counts, each outcome with the ledger's outcome of that number in that job.
func checkCallers(f *findings, jobs []*ledgerJob, seen map[string]*callerJob) {
	byID := make(map[string]*ledgerJob, len(jobs))
	for _, j := range jobs {
		byID[j.ID] = j
	}
	for _, id := range sortedKeys(seen) {
		cj := seen[id]
		lj := byID[id]
		if lj == nil {
			f.add(kindCallerCounts, "job %s, seen by a caller, is not in the ledger", id)
			continue
		}
		if fin := cj.Finished; fin != nil && (fin.State != lj.State || fin.Counts != lj.Counts || fin.FailureReason != lj.FailureReason) {
			f.add(kindCallerCounts, "job %s: a caller saw it finish %s%s with %s; the ledger has %s%s with %s",
				id, shortState(fin.State), because(fin.FailureReason), fin.Counts, shortState(lj.State), because(lj.FailureReason), lj.Counts)
		}
		if len(cj.Outcomes) == 0 {
			continue
		}
		ledgerOutcomes := make(map[string]outcome, len(lj.Outcomes))
		for _, o := range lj.Outcomes {
			ledgerOutcomes[o.Number] = o.outcome
		}
		for _, n := range sortedKeys(cj.Outcomes) {
			got := cj.Outcomes[n]
			want, ok := ledgerOutcomes[n]
			switch {
			case !ok:
				f.add(kindCallerOutcome, "job %s: a caller saw %s %s; the ledger has no outcome for it in that job", id, n, got)
			case !got.sameAs(want):
				f.add(kindCallerOutcome, "job %s: a caller saw %s %s; the ledger has %s", id, n, got, want)
			}
		}
	}
}

// checkCreates checks bwsim's create log: no number in two orders, no CustomerOrderId created
// twice, and each created order's numbers recorded in the ledger with that order (and no
// ledger outcome naming an order that does not hold the number).
func checkCreates(f *findings, created []createdOrder, idx *ledgerIndex) {
	orderOf := make(map[string]string) // number → the first order created with it
	byCustomerID := make(map[string][]string)
	for _, o := range created {
		byCustomerID[o.CustomerOrderID] = append(byCustomerID[o.CustomerOrderID], o.OrderID)
		for _, n := range o.Numbers {
			if first, ok := orderOf[n]; ok {
				f.add(kindSubmittedTwice, "%s was in order %s and again in order %s (CustomerOrderId %q)", n, first, o.OrderID, o.CustomerOrderID)
				continue
			}
			orderOf[n] = o.OrderID
		}
	}
	for _, id := range sortedKeys(byCustomerID) {
		if orders := byCustomerID[id]; len(orders) > 1 {
			f.add(kindCustomerIDTwice, "CustomerOrderId %q was created %d times: orders %s", id, len(orders), strings.Join(orders, ", "))
		}
	}
	for _, n := range sortedKeys(orderOf) {
		order := orderOf[n]
		p, ok := idx.first[n]
		switch {
		case !ok:
			f.add(kindLedgerVsBwsim, "%s was created in order %s; the ledger has no outcome for it", n, order)
		case p.Result != tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED && p.Result != tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
			f.add(kindLedgerVsBwsim, "%s was created in order %s; the ledger has it %s in job %s", n, order, p.outcome, p.JobID)
		case p.OrderID != "" && p.OrderID != order:
			f.add(kindLedgerVsBwsim, "%s was created in order %s; the ledger has it %s in job %s", n, order, p.outcome, p.JobID)
		}
	}
	for _, n := range sortedKeys(idx.first) {
		p := idx.first[n]
		if p.OrderID == "" {
			continue
		}
		if _, ok := orderOf[n]; !ok {
			f.add(kindLedgerVsBwsim, "the ledger has %s %s in job %s; bwsim created no order with it", n, p.outcome, p.JobID)
		}
	}
}

// sortedKeys returns m's keys in order, so that findings come out the same on every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
