package service_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
)

// waitFinished polls GetAssignmentJob until the job has a final state.
func waitFinished(t *testing.T, h *harness, id string) *tnassignv1.AssignmentJob {
	t.Helper()
	var j *tnassignv1.AssignmentJob
	waitFor(t, "job "+id+" to finish", func() bool {
		resp, err := h.client.GetAssignmentJob(t.Context(), &tnassignv1.GetAssignmentJobRequest{AccountId: account, JobId: id})
		if err != nil {
			t.Fatal(err)
		}
		j = resp.GetAssignmentJob()
		return j.GetState() != tnassignv1.JobState_JOB_STATE_RUNNING
	})
	return j
}

// TestCreateAssignmentJob: the job is returned at once and completes in the background through
// the streaming pipeline; a repeated request_id returns the same job and submits nothing.
func TestCreateAssignmentJob(t *testing.T) {
	t.Parallel()
	gate := &gatedUpstream{release: make(chan struct{})}
	h := newHarness(t, harnessOptions{
		cfg:  service.Config{BatchSize: 5},
		wrap: func(up service.Upstream) service.Upstream { gate.Upstream = up; return gate },
	})
	sent := mixedNumbers()
	req := &tnassignv1.CreateAssignmentJobRequest{AccountId: account, Action: tnassignv1.Action_ACTION_UNASSIGN, TelephoneNumbers: sent, RequestId: "create-1"}
	resp, err := h.client.CreateAssignmentJob(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	j := resp.GetAssignmentJob()
	if j.GetState() != tnassignv1.JobState_JOB_STATE_RUNNING || j.GetAction() != tnassignv1.Action_ACTION_UNASSIGN || j.GetJobId() == "" {
		t.Fatalf("created %v", j)
	}
	again, err := h.client.CreateAssignmentJob(t.Context(), req)
	if err != nil || again.GetAssignmentJob().GetJobId() != j.GetJobId() {
		t.Fatalf("repeated request: %v, %v", again, err)
	}
	close(gate.release)
	final := waitFinished(t, h, j.GetJobId())
	if final.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || final.GetReceivedCount() != int64(len(sent)) ||
		final.GetRejectedCount() != 2 || final.GetSucceededCount() != 12 || final.GetFailedCount() != 2 {
		t.Errorf("finished %v", final)
	}
	if n := len(h.sim.Received()); n != 3 {
		t.Errorf("%d orders submitted, want 3", n)
	}
	checkNoDuplicateSubmission(t, h.sim)
	replay := watch(h, j.GetJobId())
	if replay.err != nil || replay.finished.GetSucceededCount() != 12 || len(replay.orders) != 3 {
		t.Errorf("watch: %v %v", replay.finished, replay.err)
	}

	too := make([]string, service.MaxCreateJobNumbers+1)
	for name, bad := range map[string]*tnassignv1.CreateAssignmentJobRequest{
		"no action":        {AccountId: account, TelephoneNumbers: sent},
		"too many numbers": {AccountId: account, Action: tnassignv1.Action_ACTION_ASSIGN, TelephoneNumbers: too},
		"no account":       {Action: tnassignv1.Action_ACTION_ASSIGN},
	} {
		_, err := h.client.CreateAssignmentJob(t.Context(), bad)
		if code, _, _ := statusInfo(t, err); code != codes.InvalidArgument {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err = h.client.CreateAssignmentJob(t.Context(), &tnassignv1.CreateAssignmentJobRequest{AccountId: "1", Action: tnassignv1.Action_ACTION_ASSIGN})
	if code, _, _ := statusInfo(t, err); code != codes.PermissionDenied {
		t.Errorf("account not allowed: %v", err)
	}
}
