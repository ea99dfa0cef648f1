package service_test

import (
	"context"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
)

// TestFencedWriteHandsOver: another replica claims a running job (its lease renewal is far
// off, so this replica does not know yet). The ledger refuses this replica's next write for the
// job; the job is handed over at once, reading nothing more, and its caller learns how many of
// its numbers the job took — every one of them recorded in the ledger.
func TestFencedWriteHandsOver(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{ReplicaID: "slow-to-notice", Lease: time.Minute}})
	ctx := t.Context()
	stream, err := h.client.AssignNumbers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := numbers(9195557000, 30)
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: account, TelephoneNumbers: append([]string{"bad"}, sent[:9]...)}); err != nil {
		t.Fatal(err)
	}
	ev, err := stream.Recv()
	if err != nil || ev.GetStarted() == nil {
		t.Fatalf("first event %v, %v", ev, err)
	}
	jobID := ev.GetStarted().GetJobId()
	waitRecorded(t, h.store, jobID, 10)

	// Another replica takes the job: its lease is made to end, then claimed.
	must(t, h.store.ReleaseLeases(context.Background(), "slow-to-notice"))
	claimed, err := h.store.ClaimJobs(context.Background(), "thief", time.Minute, 10)
	if err != nil || len(claimed) != 1 || claimed[0].Generation != ledger.FirstGeneration+1 || claimed[0].PreviousOwner != "slow-to-notice" {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}

	// The next message's numbers cannot be recorded for this replica: the call ends handed over.
	_ = stream.Send(&tnassignv1.AssignNumbersRequest{TelephoneNumbers: sent[9:20]})
	_ = stream.Send(&tnassignv1.AssignNumbersRequest{TelephoneNumbers: sent[20:]})
	_ = stream.CloseSend()
	var last error
	for {
		ev, err := stream.Recv()
		if err != nil {
			last = err
			break
		}
		if ev.GetFinished() != nil {
			t.Errorf("finished %v for a job handed over", ev.GetFinished())
		}
	}
	st := status.Convert(last)
	var info *errdetails.ErrorInfo
	for _, d := range st.Details() {
		if i, ok := d.(*errdetails.ErrorInfo); ok {
			info = i
		}
	}
	if st.Code() != codes.Unavailable || info.GetReason() != "JOB_HANDED_OVER" || info.GetMetadata()["numbers_read"] != "10" {
		t.Fatalf("status %v %v, want UNAVAILABLE JOB_HANDED_OVER with numbers_read 10", st, info)
	}
	pw, err := h.store.PendingWork(context.Background(), jobID)
	if err != nil {
		t.Fatal(err)
	}
	_, rejected, err := h.store.Rejections(context.Background(), jobID, 0, 0)
	if err != nil || rejected != 1 || len(pw.Unbatched) != 9 {
		t.Errorf("the ledger holds %d rejections and %d numbers not batched (%v), want the 10 numbers read", rejected, len(pw.Unbatched), err)
	}
}

// TestInputCutShort: a caller (the gateway, for a bad NDJSON line) says its input ended early:
// the job takes what came before, ends ABORTED with the reason INPUT_CUT_SHORT in the ledger and
// in `finished`, and the call ends INVALID_ARGUMENT.
func TestInputCutShort(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10}})
	sent := numbers(9195557100, 25)
	msgs := requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 10)
	msgs = append(msgs, &tnassignv1.AssignNumbersRequest{InputError: "request message 4 could not be decoded: unexpected EOF"})
	r := h.assign(t.Context(), msgs)
	code, reason, _ := statusInfo(t, r.err)
	if code != codes.InvalidArgument || reason != "INPUT_CUT_SHORT" {
		t.Fatalf("status %v, want INVALID_ARGUMENT INPUT_CUT_SHORT", r.err)
	}
	checkInvariant(t, sent, r, false)
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || r.finished.GetFailureReason() != "INPUT_CUT_SHORT" ||
		r.finished.GetReceivedCount() != int64(len(sent)) {
		t.Errorf("finished %v", r.finished)
	}
	j, err := h.store.GetJob(context.Background(), r.started.GetJobId())
	if err != nil || j.State != ledger.StateAborted || j.Failure != "INPUT_CUT_SHORT" {
		t.Errorf("ledger job %+v, %v", j, err)
	}
	w := watch(h, r.started.GetJobId())
	if w.finished.GetFailureReason() != "INPUT_CUT_SHORT" {
		t.Errorf("watch's finished %v", w.finished)
	}
}

// waitRecorded waits until the ledger holds n numbers of the job (received or rejected).
func waitRecorded(t *testing.T, store ledger.Store, jobID string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pw, err1 := store.PendingWork(context.Background(), jobID)
		_, rejected, err2 := store.Rejections(context.Background(), jobID, 0, 0)
		if err1 == nil && err2 == nil && len(pw.Unbatched)+rejected >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: %d numbers never recorded (%v %v)", jobID, n, err1, err2)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
