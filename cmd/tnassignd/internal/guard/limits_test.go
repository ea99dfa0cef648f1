package guard

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

func TestMaxNumbersPerJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Limits: Limits{MaxNumbersPerJob: 3}})
	if err := h.assign("", first("9900000", "1", "2"), first("", "3")); err != nil {
		t.Errorf("3 numbers: %v", err)
	}
	wantRefusal(t, h.assign("", first("9900000", "1", "2"), first("", "3", "4")), codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_NUMBERS)
	_, err := h.client.CreateAssignmentJob(context.Background(), &tnassignv1.CreateAssignmentJobRequest{
		AccountId: "9900000", Action: tnassignv1.Action_ACTION_ASSIGN, TelephoneNumbers: []string{"1", "2", "3", "4"}})
	wantRefusal(t, err, codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_NUMBERS)
}

func TestMaxJobsPerCaller(t *testing.T) {
	t.Parallel()
	h := authHarness(t, Config{Limits: Limits{MaxJobsPerCaller: 2}})
	open := func(token string) (tnassignv1.AssignmentService_AssignNumbersClient, context.CancelFunc) {
		ctx, cancel := context.WithCancel(withToken(token))
		s, err := h.client.AssignNumbers(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// io.EOF: the server already ended the call (a refusal); Recv tells its status.
		if err := s.Send(first("9900000", "9195550001")); err != nil && !errors.Is(err, io.EOF) {
			t.Fatal(err)
		}
		return s, cancel
	}
	_, c1 := open(billingToken)
	_, c2 := open(billingToken)
	deadline := time.Now().Add(5 * time.Second)
	for h.guard.slots.inUse("token:billing") < 2 {
		if time.Now().After(deadline) {
			t.Fatal("the two jobs never started")
		}
		time.Sleep(5 * time.Millisecond)
	}
	third, c3 := open(billingToken)
	defer c3()
	_, err := third.Recv()
	wantRefusal(t, err, codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS)
	// Another caller is not affected.
	if err := h.assign(opsToken, first("9900000", "9195550001")); err != nil {
		t.Errorf("another token: %v", err)
	}
	c1()
	c2()
	for h.guard.slots.inUse("token:billing") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("slots were not released")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := h.assign(billingToken, first("9900000", "9195550001")); err != nil {
		t.Errorf("after the jobs ended: %v", err)
	}
}

func TestMaxWatchesPerCaller(t *testing.T) {
	t.Parallel()
	h := authHarness(t, Config{Limits: Limits{MaxWatchesPerCaller: 2, MaxJobsPerCaller: 1}})
	// watch opens an idle watch and waits for its first event: from then
	// on it holds a slot.
	watch := func(token string) (context.CancelFunc, error) {
		ctx, cancel := context.WithCancel(withToken(token))
		s, err := h.client.WatchAssignmentJob(ctx, &tnassignv1.WatchAssignmentJobRequest{AccountId: "9900000", JobId: "idle"})
		if err == nil {
			_, err = s.Recv()
		}
		if err != nil {
			cancel()
		}
		return cancel, err
	}
	c1, err := watch(billingToken)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := watch(billingToken)
	if err != nil {
		t.Fatal(err)
	}
	_, err = watch(billingToken)
	wantRefusal(t, err, codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS)
	if _, meta, _ := errorinfo.Of(err); meta["kind"] != "watches" || meta["limit"] != "2" {
		t.Errorf("ErrorInfo metadata %v, want kind watches and limit 2", meta)
	}
	// Watches are not jobs: the caller may still run its one job, and
	// another caller may watch.
	if err := h.assign(billingToken, first("9900000", "9195550001")); err != nil {
		t.Errorf("a job while watching: %v", err)
	}
	c3, err := watch(readerToken)
	if err != nil {
		t.Errorf("another token: %v", err)
	} else {
		c3()
	}
	c1()
	c2()
	deadline := time.Now().Add(5 * time.Second)
	for h.guard.watches.inUse("token:billing") > 0 {
		if time.Now().After(deadline) {
			t.Fatal("watch slots were not released")
		}
		time.Sleep(5 * time.Millisecond)
	}
	c4, err := watch(billingToken)
	if err != nil {
		t.Errorf("after the watches ended: %v", err)
	} else {
		c4()
	}
}

// TestGatewayPeerNeedsTheKey: without authentication the limits count per
// address; the gateway's report of the HTTP caller's address is believed
// only with the process's key.
func TestGatewayPeerNeedsTheKey(t *testing.T) {
	t.Parallel()
	g := New(Config{GatewayKey: "k3y"})
	md := func(kv ...string) context.Context {
		return metadata.NewIncomingContext(context.Background(), metadata.Pairs(kv...))
	}
	if got := callerFrom(g.identify(md(GatewayKeyMetadata, "k3y", GatewayPeerMetadata, "203.0.113.7"))).key; got != "peer:203.0.113.7" {
		t.Errorf("with the key: %q", got)
	}
	if got := callerFrom(g.identify(md(GatewayKeyMetadata, "forged", GatewayPeerMetadata, "203.0.113.7"))).key; got != "peer:unknown" {
		t.Errorf("with a forged key: %q", got)
	}
}

func TestSlotsRelease(t *testing.T) {
	t.Parallel()
	s := newJobSlots(1)
	release, ok := s.acquire("a")
	if !ok {
		t.Fatal("first slot refused")
	}
	if _, ok := s.acquire("a"); ok {
		t.Fatal("second slot granted")
	}
	release()
	release() // twice is harmless
	if _, ok := s.acquire("a"); !ok || s.inUse("a") != 1 {
		t.Fatal("slot not released exactly once")
	}
}
