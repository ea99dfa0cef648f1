package service_test

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
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
	if code, reason, _ := statusInfo(t, last); code != codes.Unavailable || reason != "JOB_HANDED_OVER" || errorMetadata(last)["numbers_read"] != "10" {
		t.Fatalf("status %v, want UNAVAILABLE JOB_HANDED_OVER with numbers_read 10", last)
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

// flakySettlements is a ledger whose first RecordSettlement fails, as a connection lost at the
// wrong moment would.
type flakySettlements struct {
	ledger.Store
	failed atomic.Bool
}

func (f *flakySettlements) RecordSettlement(ctx context.Context, fence ledger.Fence, seq int, s ledger.Settlement) error {
	if f.failed.CompareAndSwap(false, true) {
		return errors.New("connection reset by peer")
	}
	return f.Store.RecordSettlement(ctx, fence, seq, s)
}

// TestSettlementNotRecordedHandsOver: when the ledger does not take an order's outcome, the job
// neither counts nor reports it and cannot finish here: it is handed over, and finished from the
// ledger — the order polled again to its end and recorded — once its lease has ended. Before,
// the outcome was counted and the job finished with a batch the ledger showed unsettled: its
// numbers had no outcome.
func TestSettlementNotRecordedHandsOver(t *testing.T) {
	t.Parallel()
	mem := memory.New()
	h := newHarness(t, harnessOptions{store: mem, ledger: &flakySettlements{Store: mem},
		cfg: service.Config{BatchSize: 10, MaxInflightPerJob: 1, Lease: time.Second}})
	sent := numbers(9195557200, 30)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 10))
	jobID := handedOverJob(t, r)
	if len(r.orders) != 0 {
		t.Errorf("%d orders reported before the hand-over; the first one was not recorded", len(r.orders))
	}
	read, err := strconv.Atoi(errorMetadata(r.err)["numbers_read"])
	if err != nil || read < 10 {
		t.Fatalf("numbers_read %q: want the numbers of the first batch at least", errorMetadata(r.err)["numbers_read"])
	}
	// The job reads nothing more once handed over: it has the first `read` numbers, each with
	// an outcome, the first batch's polled again and recorded by the job's next run.
	j := waitFinished(t, h, jobID)
	if j.GetReceivedCount() != int64(read) || j.GetSucceededCount() < 10 ||
		j.GetSucceededCount()+j.GetNotSubmittedCount() != int64(read) {
		t.Errorf("job %v, want %d numbers received", j, read)
	}
	checkWatched(t, h, jobID, sent[:read])
	checkNoDuplicateSubmission(t, h.sim)
}

// errorMetadata is the ErrorInfo metadata of err's status.
func errorMetadata(err error) map[string]string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetMetadata()
		}
	}
	return nil
}
