package service

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// jobState is the API's spelling of a ledger state.
func jobState(s ledger.State) tnassignv1.JobState {
	switch s {
	case ledger.StateRunning:
		return tnassignv1.JobState_JOB_STATE_RUNNING
	case ledger.StateSucceeded:
		return tnassignv1.JobState_JOB_STATE_SUCCEEDED
	case ledger.StatePartial:
		return tnassignv1.JobState_JOB_STATE_PARTIAL
	case ledger.StateFailed:
		return tnassignv1.JobState_JOB_STATE_FAILED
	case ledger.StateAborted:
		return tnassignv1.JobState_JOB_STATE_ABORTED
	}
	return tnassignv1.JobState_JOB_STATE_UNSPECIFIED
}

// ledgerState is the ledger's spelling of an API state; "" for UNSPECIFIED (every state).
func ledgerState(s tnassignv1.JobState) (ledger.State, bool) {
	switch s {
	case tnassignv1.JobState_JOB_STATE_UNSPECIFIED:
		return "", true
	case tnassignv1.JobState_JOB_STATE_RUNNING:
		return ledger.StateRunning, true
	case tnassignv1.JobState_JOB_STATE_SUCCEEDED:
		return ledger.StateSucceeded, true
	case tnassignv1.JobState_JOB_STATE_PARTIAL:
		return ledger.StatePartial, true
	case tnassignv1.JobState_JOB_STATE_FAILED:
		return ledger.StateFailed, true
	case tnassignv1.JobState_JOB_STATE_ABORTED:
		return ledger.StateAborted, true
	}
	return "", false
}

// protoRejectionReason is the API's spelling of a ledger rejection reason.
func protoRejectionReason(r ledger.RejectionReason) tnassignv1.RejectionReason {
	return tnassignv1.RejectionReason(tnassignv1.RejectionReason_value["REJECTION_REASON_"+string(r)])
}

// protoAction is the API's spelling of a job's action.
func protoAction(a ledger.Action) tnassignv1.Action {
	if a == ledger.ActionUnassign {
		return tnassignv1.Action_ACTION_UNASSIGN
	}
	return tnassignv1.Action_ACTION_ASSIGN
}

// ledgerAction is the ledger's spelling of an API action; false for UNSPECIFIED and unknown
// values.
func ledgerAction(a tnassignv1.Action) (ledger.Action, bool) {
	switch a {
	case tnassignv1.Action_ACTION_ASSIGN:
		return ledger.ActionAssign, true
	case tnassignv1.Action_ACTION_UNASSIGN:
		return ledger.ActionUnassign, true
	}
	return "", false
}

// ledgerResult is the ledger's spelling of an outcome filter; "" for UNSPECIFIED (every result).
func ledgerResult(r tnassignv1.NumberResult) (ledger.OutcomeResult, bool) {
	switch r {
	case tnassignv1.NumberResult_NUMBER_RESULT_UNSPECIFIED:
		return "", true
	case tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED:
		return ledger.ResultSucceeded, true
	case tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
		return ledger.ResultFailed, true
	case tnassignv1.NumberResult_NUMBER_RESULT_REJECTED:
		return ledger.ResultRejected, true
	case tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED:
		return ledger.ResultNotSubmitted, true
	}
	return "", false
}

// numberOutcome is the API's view of one number's outcome.
func numberOutcome(o ledger.Outcome) *tnassignv1.NumberOutcome {
	out := &tnassignv1.NumberOutcome{
		TelephoneNumber: o.Number,
		Code:            int32(o.Code),
		Description:     o.Description,
		OrderId:         o.OrderID,
		CustomerOrderId: o.CustomerOrderID,
	}
	switch o.Result {
	case ledger.ResultSucceeded:
		out.Result = tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED
	case ledger.ResultFailed:
		out.Result = tnassignv1.NumberResult_NUMBER_RESULT_FAILED
	case ledger.ResultRejected:
		out.Result = tnassignv1.NumberResult_NUMBER_RESULT_REJECTED
		out.RejectionReason = protoRejectionReason(o.Reason)
	case ledger.ResultNotSubmitted:
		out.Result = tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED
	}
	return out
}

// jobName is a job's resource name.
func jobName(accountID, jobID string) string {
	return "accounts/" + accountID + "/assignmentJobs/" + jobID
}

// assignmentJob is the API's view of a job and its batches. While the job runs, its counts are
// those its records show so far (see liveCounts).
func assignmentJob(j ledger.Job, batches []ledger.BatchInfo, rejected int) *tnassignv1.AssignmentJob {
	c := j.Counts
	if !j.State.Final() {
		c = liveCounts(j.Counts, batches, rejected)
	}
	out := &tnassignv1.AssignmentJob{
		Name:              jobName(j.AccountID, j.ID),
		JobId:             j.ID,
		AccountId:         j.AccountID,
		Action:            protoAction(j.Action),
		State:             jobState(j.State),
		CustomerOrderId:   j.CustomerOrderID,
		RequestId:         j.RequestID,
		ValidateOnly:      j.ValidateOnly,
		ReceivedCount:     c.Received,
		RejectedCount:     c.Rejected,
		SucceededCount:    c.Succeeded,
		FailedCount:       c.Failed,
		NotSubmittedCount: c.NotSubmitted,
		CreateTime:        timestamp(j.CreatedAt),
		UpdateTime:        timestamp(j.UpdatedAt),
		FinishTime:        timestamp(j.FinishedAt),
		FailureReason:     j.Failure,
	}
	for _, b := range batches {
		out.Orders = append(out.Orders, jobOrder(b))
	}
	return out
}

// liveCounts are a running job's counts so far: what the ledger's records show, or what the
// Store keeps itself when that is more. Numbers received but not yet in a batch are counted once
// the ledger has them.
func liveCounts(stored ledger.Counts, batches []ledger.BatchInfo, rejected int) ledger.Counts {
	c := ledger.RecordedCounts(batches, rejected, 0)
	c.Received = max(c.Received, stored.Received)
	c.Rejected = max(c.Rejected, stored.Rejected)
	c.Succeeded = max(c.Succeeded, stored.Succeeded)
	c.Failed = max(c.Failed, stored.Failed)
	c.NotSubmitted = max(c.NotSubmitted, stored.NotSubmitted)
	return c
}

// jobOrder is the API's view of one batch. A batch whose order id is known but which has not
// settled is RECEIVED: Bandwidth has it and the service is polling it.
func jobOrder(b ledger.BatchInfo) *tnassignv1.JobOrder {
	o := &tnassignv1.JobOrder{
		OrderId:         b.OrderID,
		CustomerOrderId: b.CustomerOrderID,
		TotalQuantity:   int64(b.Total),
		FailedQuantity:  int64(b.Failed),
	}
	switch {
	case b.Settled:
		o.ProcessingStatus = processingStatus(b.Status)
	case b.OrderID != "":
		o.ProcessingStatus = tnassignv1.ProcessingStatus_PROCESSING_STATUS_RECEIVED
	}
	return o
}

// timestamp is t as a protobuf timestamp; nil for the zero time.
func timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// processingStatus is the API's spelling of a settled order's status.
func processingStatus(s ledger.OrderStatus) tnassignv1.ProcessingStatus {
	switch s {
	case ledger.StatusComplete:
		return tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE
	case ledger.StatusPartial:
		return tnassignv1.ProcessingStatus_PROCESSING_STATUS_PARTIAL
	case ledger.StatusFailed:
		return tnassignv1.ProcessingStatus_PROCESSING_STATUS_FAILED
	}
	return tnassignv1.ProcessingStatus_PROCESSING_STATUS_UNSPECIFIED
}

// The events of a job, as the API's messages. The three streaming responses carry the same
// oneof of the same messages.

func startedMessage(e jobs.Started) *tnassignv1.JobStarted {
	return &tnassignv1.JobStarted{JobId: e.JobID, AccountId: e.AccountID, Action: protoAction(e.Action)}
}

func rejectedMessage(e jobs.Rejected) *tnassignv1.NumbersRejected {
	nums := make([]*tnassignv1.RejectedNumber, len(e.Numbers))
	for i, r := range e.Numbers {
		nums[i] = &tnassignv1.RejectedNumber{TelephoneNumber: r.Number, Reason: protoRejectionReason(r.Reason), Detail: r.Detail}
	}
	return &tnassignv1.NumbersRejected{Numbers: nums}
}

func orderMessage(e jobs.OrderSettled) *tnassignv1.OrderSettled {
	s := e.Settlement
	o := &tnassignv1.OrderSettled{
		OrderId:          s.OrderID,
		CustomerOrderId:  e.CustomerOrderID,
		ProcessingStatus: processingStatus(s.Status),
		SucceededNumbers: s.Succeeded,
	}
	for _, ne := range s.Errors {
		o.Errors = append(o.Errors, &tnassignv1.OrderError{Code: int32(ne.Code), Description: ne.Description, TelephoneNumbers: ne.Numbers})
	}
	return o
}

func finishedMessage(e jobs.Finished) *tnassignv1.JobFinished {
	c := e.Counts
	return &tnassignv1.JobFinished{
		FailureReason:       string(e.Failure),
		State:               jobState(e.State),
		ReceivedCount:       c.Received,
		RejectedCount:       c.Rejected,
		SucceededCount:      c.Succeeded,
		FailedCount:         c.Failed,
		NotSubmittedCount:   c.NotSubmitted,
		NotSubmittedNumbers: e.NotSubmitted,
	}
}

// assignResponse is an event as an AssignNumbersResponse.
func assignResponse(ev jobs.Event) *tnassignv1.AssignNumbersResponse {
	r := &tnassignv1.AssignNumbersResponse{}
	switch e := ev.(type) {
	case jobs.Started:
		r.Event = &tnassignv1.AssignNumbersResponse_Started{Started: startedMessage(e)}
	case jobs.Rejected:
		r.Event = &tnassignv1.AssignNumbersResponse_Rejected{Rejected: rejectedMessage(e)}
	case jobs.OrderSettled:
		r.Event = &tnassignv1.AssignNumbersResponse_Order{Order: orderMessage(e)}
	case jobs.Finished:
		r.Event = &tnassignv1.AssignNumbersResponse_Finished{Finished: finishedMessage(e)}
	}
	return r
}

// unassignResponse is an event as an UnassignNumbersResponse.
func unassignResponse(ev jobs.Event) *tnassignv1.UnassignNumbersResponse {
	r := &tnassignv1.UnassignNumbersResponse{}
	switch e := ev.(type) {
	case jobs.Started:
		r.Event = &tnassignv1.UnassignNumbersResponse_Started{Started: startedMessage(e)}
	case jobs.Rejected:
		r.Event = &tnassignv1.UnassignNumbersResponse_Rejected{Rejected: rejectedMessage(e)}
	case jobs.OrderSettled:
		r.Event = &tnassignv1.UnassignNumbersResponse_Order{Order: orderMessage(e)}
	case jobs.Finished:
		r.Event = &tnassignv1.UnassignNumbersResponse_Finished{Finished: finishedMessage(e)}
	}
	return r
}

// watchResponse is an event as a WatchAssignmentJobResponse.
func watchResponse(ev jobs.Event) *tnassignv1.WatchAssignmentJobResponse {
	r := &tnassignv1.WatchAssignmentJobResponse{}
	switch e := ev.(type) {
	case jobs.Started:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Started{Started: startedMessage(e)}
	case jobs.Rejected:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Rejected{Rejected: rejectedMessage(e)}
	case jobs.OrderSettled:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Order{Order: orderMessage(e)}
	case jobs.Finished:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Finished{Finished: finishedMessage(e)}
	}
	return r
}
