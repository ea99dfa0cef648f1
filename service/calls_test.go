package service_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
)

func TestValidateOnly(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10}})
	sent := append(numbers(9195557000, 25), "nope", "919-555-7000", "2025550100")
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, ValidateOnly: true}, sent, 7))
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := checkInvariant(t, sent, r, false)
	for _, n := range append(numbers(9195557000, 25), "2025550100") {
		if out[n] != notSubmitted {
			t.Errorf("%s: %s, want not submitted", n, out[n])
		}
	}
	if out["nope"] != "rejected:INVALID_FORMAT" || out["919-555-7000"] != "rejected:DUPLICATE" {
		t.Errorf("rejections %v", r.rejected)
	}
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL || len(r.orders) != 0 {
		t.Errorf("finished %v, %d orders", r.finished.GetState(), len(r.orders))
	}
	if !slices.IsSorted(r.finished.GetNotSubmittedNumbers()) {
		t.Error("planned numbers are not listed in ascending order")
	}
	if st := h.sim.Stats(); st.Creates+st.Gets+st.Lists+st.Tokens != 0 {
		t.Errorf("the simulator saw requests: %+v", st)
	}
	checkLedger(t, h, r, ledger.StatePartial)

	r = h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, ValidateOnly: true}, numbers(9195557000, 3), 7))
	if r.err != nil || r.finished.GetState() != tnassignv1.JobState_JOB_STATE_SUCCEEDED {
		t.Errorf("a clean dry run: %v, %v", r.finished, r.err)
	}
}

// TestRefusedCalls: caller mistakes in the first message are INVALID_ARGUMENT with field
// violations, other accounts PERMISSION_DENIED; nothing reaches Bandwidth and no event is sent.
func TestRefusedCalls(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	long := strings.Repeat("a", 33)
	tests := []struct {
		name   string
		msgs   []*tnassignv1.AssignNumbersRequest
		code   codes.Code
		reason string
		fields []string
	}{
		{"empty stream", nil, codes.InvalidArgument, "INVALID_ARGUMENT", []string{"account_id"}},
		{"no account", []*tnassignv1.AssignNumbersRequest{{TelephoneNumbers: []string{"9195550001"}}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"account_id"}},
		{"account not digits", []*tnassignv1.AssignNumbersRequest{{AccountId: "99-00"}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"account_id"}},
		{"customer order id too long", []*tnassignv1.AssignNumbersRequest{{AccountId: account, CustomerOrderId: long}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"customer_order_id"}},
		{"customer order id characters", []*tnassignv1.AssignNumbersRequest{{AccountId: account, CustomerOrderId: "a<b>"}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"customer_order_id"}},
		{"request id", []*tnassignv1.AssignNumbersRequest{{AccountId: account, RequestId: "tab\tinside"}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"request_id"}},
		{"several", []*tnassignv1.AssignNumbersRequest{{CustomerOrderId: long, RequestId: strings.Repeat("r", 129)}},
			codes.InvalidArgument, "INVALID_ARGUMENT", []string{"account_id", "customer_order_id", "request_id"}},
		{"account not allowed", []*tnassignv1.AssignNumbersRequest{{AccountId: "1234567", TelephoneNumbers: []string{"9195550001"}}},
			codes.PermissionDenied, "ACCOUNT_NOT_ALLOWED", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := h.assign(t.Context(), tc.msgs)
			code, reason, fields := statusInfo(t, r.err)
			if code != tc.code || reason != tc.reason || !slices.Equal(fields, tc.fields) {
				t.Errorf("status %v %s %v, want %v %s %v (%v)", code, reason, fields, tc.code, tc.reason, tc.fields, r.err)
			}
			if len(r.kinds) != 0 {
				t.Errorf("events %v, want none", r.kinds)
			}
		})
	}
	if st := h.sim.Stats(); st.Creates+st.Gets+st.Lists+st.Tokens != 0 {
		t.Errorf("the simulator saw requests: %+v", st)
	}
}

// TestLaterMessageContradicts: after started, a message naming another account (or turning on
// validate_only) ends the call with finished, then INVALID_ARGUMENT; its numbers are not
// submitted and earlier ones are processed.
func TestLaterMessageContradicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		later *tnassignv1.AssignNumbersRequest
		field string
	}{
		{"account", &tnassignv1.AssignNumbersRequest{AccountId: "1234567"}, "account_id"},
		{"validate_only", &tnassignv1.AssignNumbersRequest{ValidateOnly: true}, "validate_only"},
		{"customer_order_id", &tnassignv1.AssignNumbersRequest{CustomerOrderId: "other"}, "customer_order_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10}})
			good := numbers(9195558000, 10)
			bad := numbers(9195558100, 5)
			tc.later.TelephoneNumbers = bad
			msgs := []*tnassignv1.AssignNumbersRequest{
				{AccountId: account, TelephoneNumbers: good},
				tc.later,
				{TelephoneNumbers: numbers(9195558200, 5)}, // never read
			}
			r := h.assign(t.Context(), msgs)
			code, _, fields := statusInfo(t, r.err)
			if code != codes.InvalidArgument || !slices.Equal(fields, []string{tc.field}) {
				t.Fatalf("status %v %v (%v)", code, fields, r.err)
			}
			out := checkInvariant(t, append(append([]string{}, good...), numbers(9195558100, 10)...), r, true)
			for _, n := range good {
				if out[n] != succeeded {
					t.Errorf("%s: %s", n, out[n])
				}
			}
			for _, n := range bad {
				if out[n] != notSubmitted {
					t.Errorf("%s: %s, want not submitted", n, out[n])
				}
			}
			if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_FAILED || r.finished.GetReceivedCount() != 15 {
				t.Errorf("finished %v", r.finished)
			}
		})
	}
}

// TestLingerFlush: a slow trickle is sent after BatchLinger without new numbers, while the call
// stays open.
func TestLingerFlush(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchLinger: 30 * time.Millisecond}})
	stream, err := h.client.AssignNumbers(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var r result
	recv := func() {
		m, err := stream.Recv()
		if err != nil {
			t.Fatal(err)
		}
		r.add(m)
	}
	sent := numbers(9195559000, 6)
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: account, TelephoneNumbers: sent[:2]}); err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{TelephoneNumbers: sent[2:3]}); err != nil {
		t.Fatal(err)
	}
	recv() // started
	recv() // the first three numbers' order, without half-closing
	if len(r.orders) != 1 || len(r.orders[0].GetSucceededNumbers()) != 3 {
		t.Fatalf("events %v, orders %v", r.kinds, r.orders)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{TelephoneNumbers: sent[3:]}); err != nil {
		t.Fatal(err)
	}
	recv() // lingered again
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	r2 := collect(func() (*tnassignv1.AssignNumbersResponse, error) { return stream.Recv() })
	for _, k := range r2.kinds {
		r.kinds = append(r.kinds, k)
	}
	r.finished, r.err = r2.finished, r2.err
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, sent, r, false)
	if len(r.orders) != 2 || len(h.sim.Received()) != 2 {
		t.Errorf("%d orders, want 2", len(r.orders))
	}
}

// TestShutdown: a running job stops reading (ABORTED, unsent numbers not submitted) while its
// orders settle; new calls are UNAVAILABLE; Ready fails.
func TestShutdown(t *testing.T) {
	t.Parallel()
	gate := &gatedUpstream{release: make(chan struct{})}
	h := newHarness(t, harnessOptions{
		cfg:  service.Config{BatchSize: 100, MaxInflightPerJob: 1},
		wrap: func(up service.Upstream) service.Upstream { gate.Upstream = up; return gate },
	})
	if err := h.svc.Ready(t.Context()); err != nil {
		t.Fatal(err)
	}
	sent := numbers(9195550000, 1000)
	done := make(chan result)
	go func() {
		done <- h.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 100))
	}()
	waitFor(t, "an order hanging", func() bool { return gate.waiting() == 1 })
	// A stopped job reads nothing more: wait until it has taken the second message (recorded,
	// waiting for an order slot), whose numbers the shutdown then leaves not submitted.
	waitFor(t, "the second message taken", func() bool {
		page, err := h.store.ListJobs(t.Context(), account, ledger.JobQuery{})
		if err != nil || len(page.Jobs) != 1 {
			return false
		}
		pw, err := h.store.PendingWork(t.Context(), page.Jobs[0].ID)
		return err == nil && len(pw.Unbatched) >= 100
	})
	shutdown := make(chan error)
	go func() { shutdown <- h.svc.Shutdown(context.Background()) }()
	waitFor(t, "Ready to fail", func() bool { return h.svc.Ready(t.Context()) != nil })
	if r := h.assign(t.Context(), []*tnassignv1.AssignNumbersRequest{{AccountId: account}}); r.err == nil {
		t.Error("a call during shutdown was accepted")
	} else if code, reason, _ := statusInfo(t, r.err); code != codes.Unavailable || reason != "SHUTTING_DOWN" {
		t.Errorf("status %v", r.err)
	}
	close(gate.release)
	if err := <-shutdown; err != nil {
		t.Fatal(err)
	}
	r := <-done
	if code, reason, _ := statusInfo(t, r.err); code != codes.Unavailable || reason != "SHUTTING_DOWN" {
		t.Errorf("status %v", r.err)
	}
	out := checkInvariant(t, sent, r, true)
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED {
		t.Errorf("state %v", r.finished.GetState())
	}
	var ok, ns int
	for _, o := range out {
		switch o {
		case succeeded:
			ok++
		case notSubmitted:
			ns++
		default:
			t.Errorf("outcome %s", o)
		}
	}
	if ok != 100 || ns == 0 {
		t.Errorf("%d succeeded (want the one order in flight: 100), %d not submitted", ok, ns)
	}
	checkLedger(t, h, r, ledger.StateAborted)
}
