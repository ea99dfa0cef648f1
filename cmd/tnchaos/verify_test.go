package main

import (
	"slices"
	"strings"
	"testing"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Shorthands for the synthetic ledgers.
const (
	resSucceeded = tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED
	resFailed    = tnassignv1.NumberResult_NUMBER_RESULT_FAILED
	resRejected  = tnassignv1.NumberResult_NUMBER_RESULT_REJECTED
	resNotSub    = tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED
	reasonBad    = tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT
	reasonDup    = tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE
)

// scenario returns a consistent run: job A succeeded (two numbers in order O1, an invalid text
// and a second spelling rejected), job B was aborted (one number failed in order O2, one not
// submitted); a caller saw A finish and part of B live.
func scenario() verifyInput {
	a := &ledgerJob{
		ID: "A", State: tnassignv1.JobState_JOB_STATE_SUCCEEDED,
		Counts: counts{Received: 4, Rejected: 2, Succeeded: 2},
		Outcomes: []numberOutcome{
			{"9195000001", outcome{Result: resSucceeded, OrderID: "O1"}},
			{"9195000002", outcome{Result: resSucceeded, OrderID: "O1"}},
			{"x1", outcome{Result: resRejected, Reason: reasonBad}},
			{"(919) 500-0001", outcome{Result: resRejected, Reason: reasonDup}},
		},
	}
	b := &ledgerJob{
		ID: "B", State: tnassignv1.JobState_JOB_STATE_ABORTED,
		Counts: counts{Received: 2, Failed: 1, NotSubmitted: 1},
		Outcomes: []numberOutcome{
			{"9195000003", outcome{Result: resFailed, Code: 5131, OrderID: "O2"}},
			{"9195000004", outcome{Result: resNotSub}},
		},
	}
	callers := &callerRecord{
		Jobs: map[string]*callerJob{
			"A": {ID: "A", Finished: &finishedView{State: a.State, Counts: a.Counts}, Outcomes: map[string]outcome{
				"9195000001":     {Result: resSucceeded, OrderID: "O1"},
				"9195000002":     {Result: resSucceeded, OrderID: "O1"},
				"x1":             {Result: resRejected, Reason: reasonBad},
				"(919) 500-0001": {Result: resRejected, Reason: reasonDup},
			}},
			"B": {ID: "B", Outcomes: map[string]outcome{
				"9195000003": {Result: resFailed, Code: 5131, OrderID: "O2"},
			}},
		},
		Owners: map[string]string{"9195000001": "A", "9195000002": "A", "9195000003": "B", "9195000004": "B"},
	}
	return verifyInput{
		Ledger:  []*ledgerJob{a, b},
		Callers: callers,
		Created: []createdOrder{
			{OrderID: "O1", CustomerOrderID: "A-1", Action: "ASSIGN", Numbers: []string{"9195000001", "9195000002"}},
			{OrderID: "O2", CustomerOrderID: "B-1", Action: "ASSIGN", Numbers: []string{"9195000003"}},
		},
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		mutate func(in *verifyInput)
		want   []kind
	}{
		{"consistent run", func(*verifyInput) {}, nil},
		{"caller without order ids agrees", func(in *verifyInput) {
			in.Callers.Jobs["A"].Outcomes["9195000001"] = outcome{Result: resSucceeded}
		}, nil},
		{"no create log: bwsim checks skipped", func(in *verifyInput) {
			in.Created = nil
			in.Ledger[0].Outcomes[0].OrderID = "O9"
			in.Callers.Jobs["A"].Outcomes["9195000001"] = outcome{Result: resSucceeded}
		}, nil},
		{"stuck job", func(in *verifyInput) {
			in.Ledger[1].State = tnassignv1.JobState_JOB_STATE_RUNNING
		}, []kind{kindStuck}},
		{"number listed twice in a job", func(in *verifyInput) {
			b := in.Ledger[1]
			b.Outcomes = append(b.Outcomes, numberOutcome{"9195000004", outcome{Result: resNotSub}})
			b.Counts = counts{Received: 3, Failed: 1, NotSubmitted: 2}
		}, []kind{kindListedTwice}},
		{"counts do not add up", func(in *verifyInput) {
			in.Ledger[1].Counts.Failed = 2
		}, []kind{kindCountMismatch}},
		{"counts disagree with the outcomes", func(in *verifyInput) {
			in.Ledger[1].Counts = counts{Received: 2, Failed: 2}
		}, []kind{kindCountMismatch}},
		{"fewer outcomes than received", func(in *verifyInput) {
			in.Ledger[1].Outcomes = in.Ledger[1].Outcomes[:1]
			in.Callers.Owners["9195000004"] = "B"
		}, []kind{kindCountMismatch, kindLost}},
		{"lost number", func(in *verifyInput) {
			in.Callers.Owners["9195000005"] = "B"
		}, []kind{kindLost}},
		{"number in two jobs", func(in *verifyInput) {
			b := in.Ledger[1]
			b.Outcomes = append(b.Outcomes, numberOutcome{"9195000001", outcome{Result: resNotSub}})
			b.Counts = counts{Received: 3, Failed: 1, NotSubmitted: 2}
		}, []kind{kindInTwoJobs}},
		{"number in another job than believed", func(in *verifyInput) {
			in.Callers.Owners["9195000003"] = "A"
		}, []kind{kindMisattributed}},
		{"caller never learned the job", func(in *verifyInput) {
			in.Callers.Owners["9195000004"] = ""
		}, []kind{kindUnresolved}},
		{"number nobody sent", func(in *verifyInput) {
			b := in.Ledger[1]
			b.Outcomes = append(b.Outcomes, numberOutcome{"9195999999", outcome{Result: resNotSub}})
			b.Counts = counts{Received: 3, Failed: 1, NotSubmitted: 2}
		}, []kind{kindForeign}},
		{"finished counts differ", func(in *verifyInput) {
			in.Callers.Jobs["A"].Finished.Counts.Succeeded = 1
		}, []kind{kindCallerCounts}},
		{"finished state differs", func(in *verifyInput) {
			in.Callers.Jobs["A"].Finished.State = tnassignv1.JobState_JOB_STATE_PARTIAL
		}, []kind{kindCallerCounts}},
		{"finished failure reason differs", func(in *verifyInput) {
			in.Callers.Jobs["A"].Finished.FailureReason = "SHUTTING_DOWN"
		}, []kind{kindCallerCounts}},
		{"caller saw a job the ledger lacks", func(in *verifyInput) {
			in.Callers.Jobs["Z"] = &callerJob{ID: "Z"}
		}, []kind{kindCallerCounts}},
		{"caller outcome differs", func(in *verifyInput) {
			in.Callers.Jobs["A"].Outcomes["9195000001"] = outcome{Result: resFailed, Code: 5131, OrderID: "O1"}
		}, []kind{kindCallerOutcome}},
		{"caller outcome missing in the ledger's job", func(in *verifyInput) {
			in.Callers.Jobs["B"].Outcomes["9195000001"] = outcome{Result: resSucceeded, OrderID: "O1"}
		}, []kind{kindCallerOutcome}},
		{"stream anomalies and failed units", func(in *verifyInput) {
			in.Callers.Anomalies = []violation{
				{Kind: kindCallerStream, Detail: "call ended OK without finished"},
				{Kind: kindUnitFailed, Detail: "unit gave up"},
			}
		}, []kind{kindCallerStream, kindUnitFailed}},
		{"number submitted twice", func(in *verifyInput) {
			in.Created = append(in.Created, createdOrder{OrderID: "O3", CustomerOrderID: "C-1", Numbers: []string{"9195000002"}})
		}, []kind{kindSubmittedTwice}},
		{"customer order id created twice", func(in *verifyInput) {
			in.Created = append(in.Created, createdOrder{OrderID: "O4", CustomerOrderID: "A-1"})
		}, []kind{kindCustomerIDTwice}},
		{"created order the ledger says was not submitted", func(in *verifyInput) {
			in.Created = append(in.Created, createdOrder{OrderID: "O5", CustomerOrderID: "B-2", Numbers: []string{"9195000004"}})
		}, []kind{kindLedgerVsBwsim}},
		{"created order the ledger never heard of", func(in *verifyInput) {
			in.Created = append(in.Created, createdOrder{OrderID: "O6", CustomerOrderID: "Q-1", Numbers: []string{"9195777777"}})
		}, []kind{kindLedgerVsBwsim}},
		{"ledger order bwsim never created", func(in *verifyInput) {
			in.Created = in.Created[:1]
		}, []kind{kindLedgerVsBwsim}},
		{"ledger names the wrong order", func(in *verifyInput) {
			in.Ledger[0].Outcomes[0].OrderID = "O9"
		}, []kind{kindCallerOutcome, kindLedgerVsBwsim}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := scenario()
			tt.mutate(&in)
			f := verify(in)
			var got []kind
			for k := range numKinds {
				if f.count[k] > 0 {
					got = append(got, k)
				}
			}
			if !slices.Equal(got, tt.want) {
				var sb strings.Builder
				f.print(&sb)
				t.Errorf("kinds found %v, want %v\n%s", got, tt.want, sb.String())
			}
		})
	}
}

func TestFindingsKeepsFirstDetails(t *testing.T) {
	t.Parallel()
	f := &findings{}
	for range maxDetails + 5 {
		f.add(kindLost, "n")
	}
	if f.count[kindLost] != maxDetails+5 || len(f.details[kindLost]) != maxDetails || f.total() != maxDetails+5 {
		t.Fatalf("count %d, details %d, total %d", f.count[kindLost], len(f.details[kindLost]), f.total())
	}
	var sb strings.Builder
	f.print(&sb)
	if !strings.Contains(sb.String(), "and 5 more") {
		t.Errorf("print does not say how many were left out:\n%s", sb.String())
	}
}
