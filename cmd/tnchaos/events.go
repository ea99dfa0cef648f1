package main

import (
	"strconv"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

// eventMsg is one event of an AssignNumbers or UnassignNumbers stream (both response types,
// and the gateway's decoded lines, have these getters).
type eventMsg interface {
	GetStarted() *tnassignv1.JobStarted
	GetRejected() *tnassignv1.NumbersRejected
	GetOrder() *tnassignv1.OrderSettled
	GetFinished() *tnassignv1.JobFinished
}

// callView is what one call's events showed.
type callView struct {
	jobID    string
	outcomes map[string]outcome // by number as reported
	finished *finishedView
	repeated []string // numbers the stream reported more than once
	jobIDs   []string // further job ids in `started` events (there must be one)
}

func newCallView() *callView { return &callView{outcomes: make(map[string]outcome)} }

// apply adds one event.
func (v *callView) apply(ev eventMsg) {
	switch {
	case ev.GetStarted() != nil:
		id := ev.GetStarted().GetJobId()
		if v.jobID == "" {
			v.jobID = id
		} else {
			v.jobIDs = append(v.jobIDs, id)
		}
	case ev.GetRejected() != nil:
		for _, r := range ev.GetRejected().GetNumbers() {
			v.put(r.GetTelephoneNumber(), outcome{Result: tnassignv1.NumberResult_NUMBER_RESULT_REJECTED, Reason: r.GetReason()})
		}
	case ev.GetOrder() != nil:
		o := ev.GetOrder()
		for _, n := range o.GetSucceededNumbers() {
			v.put(n, outcome{Result: tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED, OrderID: o.GetOrderId()})
		}
		for _, e := range o.GetErrors() {
			for _, n := range e.GetTelephoneNumbers() {
				v.put(n, outcome{Result: tnassignv1.NumberResult_NUMBER_RESULT_FAILED, Code: e.GetCode(), OrderID: o.GetOrderId()})
			}
		}
	case ev.GetFinished() != nil:
		f := ev.GetFinished()
		for _, n := range f.GetNotSubmittedNumbers() {
			v.put(n, outcome{Result: tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED})
		}
		v.finished = &finishedView{State: f.GetState(), FailureReason: f.GetFailureReason(), Counts: counts{
			Received: f.GetReceivedCount(), Rejected: f.GetRejectedCount(), Succeeded: f.GetSucceededCount(),
			Failed: f.GetFailedCount(), NotSubmitted: f.GetNotSubmittedCount(),
		}}
	}
}

// put records one number's outcome, noting a number reported twice.
func (v *callView) put(n string, o outcome) {
	if _, dup := v.outcomes[n]; dup {
		v.repeated = append(v.repeated, n)
		return
	}
	v.outcomes[n] = o
}

// handOver is what a JOB_HANDED_OVER status says.
type handOver struct {
	jobID   string
	read    int  // numbers_read
	hasRead bool // numbers_read was present and well formed
}

// handedOver reports whether err is UNAVAILABLE with reason JOB_HANDED_OVER, and what it says.
func handedOver(err error) (handOver, bool) {
	reason, meta, found := errorinfo.Of(err)
	if !found || reason != tnassignv1.ErrorReason_JOB_HANDED_OVER {
		return handOver{}, false
	}
	h := handOver{jobID: meta["job_id"]}
	if s, ok := meta["numbers_read"]; ok {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			h.read, h.hasRead = n, true
		}
	}
	return h, true
}

// reasonOf returns the ErrorInfo reason of a status error, or "".
func reasonOf(err error) string {
	st, ok := status.FromError(err)
	if !ok {
		return ""
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}
