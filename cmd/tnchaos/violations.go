package main

import (
	"fmt"
	"io"
)

// kind is a kind of violation of the exactly-once contract (or of the harness's own rules).
type kind int

// The kinds of violation, in the order the report lists them.
const (
	kindStuck           kind = iota // a job still RUNNING after the drain
	kindListedTwice                 // a number listed twice in one job's outcomes
	kindCountMismatch               // a job's outcomes and counts do not add up
	kindLost                        // a number a caller generated has no outcome in any job
	kindInTwoJobs                   // a number has outcomes in more than one job
	kindMisattributed               // a number's outcome is in another job than its caller believes
	kindUnresolved                  // a caller never learned which job took a number
	kindForeign                     // the ledger holds a number no caller sent
	kindCallerCounts                // a caller's `finished` differs from the ledger's job
	kindCallerOutcome               // an outcome a caller saw differs from the ledger's
	kindCallerStream                // a call broke the streaming contract (seen by its caller)
	kindUnitFailed                  // a job unit could not complete within its attempts
	kindSubmittedTwice              // a number in more than one order bwsim created
	kindCustomerIDTwice             // a CustomerOrderId bwsim created more than once
	kindLedgerVsBwsim               // the ledger and bwsim's create log disagree on an order
	kindCrashed                     // a replica exited without being signalled
	numKinds
)

// title describes each kind in the report.
var titles = [numKinds]string{
	kindStuck:           "stuck jobs (still RUNNING)",
	kindListedTwice:     "numbers listed twice in one job's outcomes",
	kindCountMismatch:   "jobs whose outcomes and counts do not add up",
	kindLost:            "lost numbers (generated, no outcome in any job)",
	kindInTwoJobs:       "numbers with outcomes in more than one job",
	kindMisattributed:   "numbers in another job than their caller believes",
	kindUnresolved:      "numbers whose job their caller never learned",
	kindForeign:         "ledger numbers no caller sent",
	kindCallerCounts:    "callers' `finished` differs from the ledger",
	kindCallerOutcome:   "callers' outcomes differ from the ledger",
	kindCallerStream:    "calls that broke the streaming contract",
	kindUnitFailed:      "job units that could not complete",
	kindSubmittedTwice:  "numbers in more than one created order",
	kindCustomerIDTwice: "CustomerOrderIds created more than once",
	kindLedgerVsBwsim:   "ledger and bwsim's create log disagree",
	kindCrashed:         "replicas that exited on their own",
}

// String is the kind's title.
func (k kind) String() string {
	if k < 0 || k >= numKinds {
		return fmt.Sprintf("kind(%d)", int(k))
	}
	return titles[k]
}

// violation is one breach found.
type violation struct {
	Kind   kind
	Detail string
}

// violationf makes a violation with a formatted detail.
func violationf(k kind, format string, args ...any) violation {
	return violation{Kind: k, Detail: fmt.Sprintf(format, args...)}
}

// maxDetails is how many violations of one kind are kept (and printed) in full.
const maxDetails = 20

// findings collects violations: every one counted, the first maxDetails of each kind kept.
type findings struct {
	count   [numKinds]int
	details [numKinds][]string
}

// add records one violation.
func (f *findings) add(k kind, format string, args ...any) {
	f.count[k]++
	if len(f.details[k]) < maxDetails {
		f.details[k] = append(f.details[k], fmt.Sprintf(format, args...))
	}
}

// addAll records violations found elsewhere (by the callers).
func (f *findings) addAll(vs []violation) {
	for _, v := range vs {
		f.add(v.Kind, "%s", v.Detail)
	}
}

// total is the number of violations of every kind.
func (f *findings) total() int {
	n := 0
	for _, c := range f.count {
		n += c
	}
	return n
}

// print writes every kind found with its first details.
func (f *findings) print(w io.Writer) {
	for k := range numKinds {
		if f.count[k] == 0 {
			continue
		}
		fmt.Fprintf(w, "VIOLATION %s: %d\n", k, f.count[k])
		for _, d := range f.details[k] {
			fmt.Fprintf(w, "  - %s\n", d)
		}
		if more := f.count[k] - len(f.details[k]); more > 0 {
			fmt.Fprintf(w, "  … and %d more\n", more)
		}
	}
}
