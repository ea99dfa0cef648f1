package service_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/proto"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
)

// sameOutcomes fails unless two results report the same job with the same outcomes.
func sameOutcomes(t *testing.T, got, want result) {
	t.Helper()
	if got.started.GetJobId() != want.started.GetJobId() {
		t.Errorf("job %s, want the original %s", got.started.GetJobId(), want.started.GetJobId())
	}
	if !proto.Equal(got.finished, want.finished) {
		t.Errorf("finished %v, want %v", got.finished, want.finished)
	}
	byID := func(a, b *tnassignv1.OrderSettled) int {
		return strings.Compare(a.GetCustomerOrderId(), b.GetCustomerOrderId())
	}
	g, w := slices.Clone(got.orders), slices.Clone(want.orders)
	slices.SortFunc(g, byID)
	slices.SortFunc(w, byID)
	if !slices.EqualFunc(g, w, func(a, b *tnassignv1.OrderSettled) bool { return proto.Equal(a, b) }) {
		t.Errorf("orders %v, want %v", g, w)
	}
	if !slices.EqualFunc(got.rejected, want.rejected, func(a, b *tnassignv1.RejectedNumber) bool { return proto.Equal(a, b) }) {
		t.Errorf("rejected %v, want %v", got.rejected, want.rejected)
	}
	if got.kinds[0] != "started" || got.kinds[len(got.kinds)-1] != "finished" {
		t.Errorf("events %v", got.kinds)
	}
}

// TestRequestIDReplay: a repeated request_id submits nothing and replays the original outcomes,
// whatever numbers the repeated call carries.
func TestRequestIDReplay(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 5}})
	first := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "nur-2026-01"}, mixedNumbers())
	orders := len(h.sim.Received())

	again := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "nur-2026-01"}, numbers(9195553000, 30))
	sameOutcomes(t, again, first)
	if n := len(h.sim.Received()); n != orders {
		t.Errorf("the replay submitted %d more orders", n-orders)
	}
	checkNoDuplicateSubmission(t, h.sim)

	t.Run("different action", func(t *testing.T) {
		r := h.unassign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "nur-2026-01"}, numbers(9195553000, 3), 7))
		if code, _, fields := statusInfo(t, r.err); code != codes.InvalidArgument || !slices.Contains(fields, "request_id") {
			t.Errorf("got %v %v", code, fields)
		}
	})
	t.Run("dry run", func(t *testing.T) {
		r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "nur-2026-01", ValidateOnly: true}, nil, 7))
		if code, _, _ := statusInfo(t, r.err); code != codes.InvalidArgument {
			t.Errorf("got %v", code)
		}
	})
}

// TestRequestIDReplayLive: a repeated request_id of a job still running replays what is
// recorded, then follows the job live to its end.
func TestRequestIDReplayLive(t *testing.T) {
	t.Parallel()
	gate := &gatedUpstream{release: make(chan struct{})}
	h := newHarness(t, harnessOptions{
		cfg:  service.Config{BatchSize: 5},
		wrap: func(up service.Upstream) service.Upstream { gate.Upstream = up; return gate },
	})
	sent := mixedNumbers()
	firstDone := make(chan result, 1)
	go func() {
		firstDone <- h.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "live"}, sent, 7))
	}()
	waitFor(t, "orders waiting at the gate", func() bool { return gate.waiting() > 0 })

	stream, err := h.client.AssignNumbers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: account, RequestId: "live", TelephoneNumbers: []string{"9195559999"}}); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	var again result
	m, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	again.add(m)
	if again.started == nil {
		t.Fatalf("first event %v", m)
	}
	time.Sleep(50 * time.Millisecond) // the replay is waiting for the job
	close(gate.release)
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		again.add(m)
	}
	first := <-firstDone
	if first.err != nil {
		t.Fatal(first.err)
	}
	sameOutcomes(t, again, first)
	checkNoDuplicateSubmission(t, h.sim)
	for _, o := range h.sim.Received() {
		if slices.Contains(o.TelephoneNumbers, "9195559999") {
			t.Error("the replaying call's numbers were submitted")
		}
	}
}

// TestWatchAssignmentJob: a watch replays a finished job, and follows a running one live.
func TestWatchAssignmentJob(t *testing.T) {
	t.Parallel()
	gate := &gatedUpstream{release: make(chan struct{})}
	h := newHarness(t, harnessOptions{
		cfg:  service.Config{BatchSize: 5, Accounts: []string{account, otherAccount}},
		wrap: func(up service.Upstream) service.Upstream { gate.Upstream = up; return gate },
	})
	done := make(chan result, 1)
	go func() {
		done <- h.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, mixedNumbers(), 7))
	}()
	waitFor(t, "orders waiting at the gate", func() bool { return gate.waiting() > 0 })
	jobs, err := h.client.ListAssignmentJobs(t.Context(), &tnassignv1.ListAssignmentJobsRequest{AccountId: account})
	if err != nil || len(jobs.GetAssignmentJobs()) != 1 {
		t.Fatalf("%v %v", jobs, err)
	}
	running := jobs.GetAssignmentJobs()[0]
	if running.GetState() != tnassignv1.JobState_JOB_STATE_RUNNING || running.GetRejectedCount() != 2 {
		t.Errorf("running job %v", running)
	}
	id := running.GetJobId()
	live := make(chan result, 1)
	go func() { live <- watch(h, id) }()
	time.Sleep(50 * time.Millisecond)
	close(gate.release)
	original := <-done
	if original.err != nil {
		t.Fatal(original.err)
	}
	sameOutcomes(t, <-live, original)
	sameOutcomes(t, watch(h, id), original)

	stream, err := h.client.WatchAssignmentJob(t.Context(), &tnassignv1.WatchAssignmentJobRequest{AccountId: otherAccount, JobId: id})
	if err == nil {
		_, err = stream.Recv()
	}
	if code, _, _ := statusInfo(t, err); code != codes.NotFound {
		t.Errorf("another account's job: %v", err)
	}
}

// watch runs WatchAssignmentJob to its end.
func watch(h *harness, id string) result {
	stream, err := h.client.WatchAssignmentJob(context.Background(), &tnassignv1.WatchAssignmentJobRequest{AccountId: account, JobId: id})
	if err != nil {
		return result{err: err}
	}
	return collect(func() (*tnassignv1.AssignNumbersResponse, error) {
		m, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		out := &tnassignv1.AssignNumbersResponse{}
		switch e := m.GetEvent().(type) {
		case *tnassignv1.WatchAssignmentJobResponse_Started:
			out.Event = &tnassignv1.AssignNumbersResponse_Started{Started: e.Started}
		case *tnassignv1.WatchAssignmentJobResponse_Rejected:
			out.Event = &tnassignv1.AssignNumbersResponse_Rejected{Rejected: e.Rejected}
		case *tnassignv1.WatchAssignmentJobResponse_Order:
			out.Event = &tnassignv1.AssignNumbersResponse_Order{Order: e.Order}
		case *tnassignv1.WatchAssignmentJobResponse_Finished:
			out.Event = &tnassignv1.AssignNumbersResponse_Finished{Finished: e.Finished}
		}
		return out, nil
	})
}
