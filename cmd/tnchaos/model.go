package main

import (
	"fmt"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// outcome is what happened to one number of a job, as a caller's events or the ledger tell it.
type outcome struct {
	Result  tnassignv1.NumberResult
	Code    int32                      // Bandwidth's error code of a FAILED number
	Reason  tnassignv1.RejectionReason // why a REJECTED number was refused
	OrderID string                     // Bandwidth's order id of a SUCCEEDED or FAILED number
}

// sameAs reports whether two views of one number's outcome agree. An order id known to only
// one side is no disagreement.
func (o outcome) sameAs(p outcome) bool {
	if o.Result != p.Result || o.Code != p.Code || o.Reason != p.Reason {
		return false
	}
	return o.OrderID == "" || p.OrderID == "" || o.OrderID == p.OrderID
}

// String renders the outcome for violation messages.
func (o outcome) String() string {
	s := shortResult(o.Result)
	switch o.Result {
	case tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
		s += fmt.Sprintf(" %d", o.Code)
	case tnassignv1.NumberResult_NUMBER_RESULT_REJECTED:
		s += " " + shortReason(o.Reason)
	}
	if o.OrderID != "" {
		s += " in order " + o.OrderID
	}
	return s
}

// counts are a job's number counts, as `finished` and the ledger report them.
type counts struct {
	Received, Rejected, Succeeded, Failed, NotSubmitted int64
}

// String renders the counts compactly.
func (c counts) String() string {
	return fmt.Sprintf("received %d = rejected %d + succeeded %d + failed %d + not submitted %d",
		c.Received, c.Rejected, c.Succeeded, c.Failed, c.NotSubmitted)
}

// finishedView is a job's `finished` event as a caller saw it.
type finishedView struct {
	State         tnassignv1.JobState
	Counts        counts
	FailureReason string // why a FAILED or ABORTED job stopped early
}

// numberOutcome is one entry of ListNumberOutcomes.
type numberOutcome struct {
	Number string // canonical, or the text as sent for a rejected one
	outcome
}

// ledgerJob is one job as the ledger holds it after the run.
type ledgerJob struct {
	ID            string
	State         tnassignv1.JobState
	Counts        counts
	FailureReason string
	CreateTime    time.Time
	Outcomes      []numberOutcome // in ListNumberOutcomes order
}

// callerJob is everything the callers saw of one job, over every call that showed it (the
// live stream, replays of it).
type callerJob struct {
	ID       string
	Outcomes map[string]outcome // by number as reported (canonical, or the text of a rejection)
	Finished *finishedView      // nil when no call saw the job's `finished`
}

// callerRecord is what the callers know at the end of the run.
type callerRecord struct {
	// Jobs are the jobs the callers saw, by id.
	Jobs map[string]*callerJob
	// Owners maps every valid number a caller generated to the job the caller believes took
	// it; "" when the caller never learned (its unit failed).
	Owners map[string]string
	// Anomalies are contract breaches the callers noticed while streaming (a number reported
	// twice, a call ending OK without `finished`, …) and units that could not complete.
	Anomalies []violation
}

// createdOrder is one line of bwsim's create log: an order Bandwidth would have created. (Its
// "at" time is not needed.)
type createdOrder struct {
	AccountID       string   `json:"account_id"`
	OrderID         string   `json:"order_id"`
	CustomerOrderID string   `json:"customer_order_id"`
	Action          string   `json:"action"`
	Numbers         []string `json:"telephone_numbers"`
}

// shortResult names a result without its enum prefix.
func shortResult(r tnassignv1.NumberResult) string {
	switch r {
	case tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED:
		return "succeeded"
	case tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
		return "failed"
	case tnassignv1.NumberResult_NUMBER_RESULT_REJECTED:
		return "rejected"
	case tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED:
		return "not submitted"
	default:
		return r.String()
	}
}

// shortReason names a rejection reason without its enum prefix.
func shortReason(r tnassignv1.RejectionReason) string {
	switch r {
	case tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT:
		return "invalid format"
	case tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE:
		return "duplicate"
	default:
		return r.String()
	}
}

// shortState names a job state without its enum prefix.
func shortState(s tnassignv1.JobState) string {
	switch s {
	case tnassignv1.JobState_JOB_STATE_RUNNING:
		return "running"
	case tnassignv1.JobState_JOB_STATE_SUCCEEDED:
		return "succeeded"
	case tnassignv1.JobState_JOB_STATE_PARTIAL:
		return "partial"
	case tnassignv1.JobState_JOB_STATE_FAILED:
		return "failed"
	case tnassignv1.JobState_JOB_STATE_ABORTED:
		return "aborted"
	default:
		return s.String()
	}
}

// shortAction names an action without its enum prefix.
func shortAction(a tnassignv1.Action) string {
	switch a {
	case tnassignv1.Action_ACTION_ASSIGN:
		return "assign"
	case tnassignv1.Action_ACTION_UNASSIGN:
		return "unassign"
	default:
		return a.String()
	}
}
