package service_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
)

// TestRecoverableFaults injects faults the client recovers from: every number must succeed and
// none may be submitted in two accepted orders.
func TestRecoverableFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults []bwsim.Fault
	}{
		{"429 on create", []bwsim.Fault{{Kind: bwsim.FaultRateLimit, Op: bwsim.OpCreate, Times: 2, ResetAfter: time.Millisecond}}},
		{"429 on poll", []bwsim.Fault{{Kind: bwsim.FaultRateLimit, Op: bwsim.OpGet, Times: 2, ResetAfter: time.Millisecond}}},
		{"503 on create", []bwsim.Fault{{Kind: bwsim.FaultServerError, Op: bwsim.OpCreate, Times: 2}}},
		{"500 on poll", []bwsim.Fault{{Kind: bwsim.FaultServerError, Op: bwsim.OpGet, Times: 2, Status: http.StatusInternalServerError}}},
		{"reset before create", []bwsim.Fault{{Kind: bwsim.FaultResetBeforeCreate, Op: bwsim.OpCreate, Times: 1}}},
		{"lost create response", []bwsim.Fault{{Kind: bwsim.FaultResetAfterCreate, Op: bwsim.OpCreate, Times: 2}}},
		{"truncated poll", []bwsim.Fault{{Kind: bwsim.FaultTruncatedBody, Op: bwsim.OpGet, Times: 1}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 100, MaxInflightPerJob: 1}})
			h.sim.Inject(tc.faults...)
			sent := numbers(9195552000, 300)
			r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 100))
			if r.err != nil {
				t.Fatal(r.err)
			}
			out := checkInvariant(t, sent, r, false)
			for _, n := range sent {
				if out[n] != succeeded {
					t.Fatalf("%s: %s", n, out[n])
				}
			}
			if st := h.sim.Stats(); st.Faults == 0 {
				t.Errorf("no fault applied: %+v", st)
			}
			checkNoDuplicateSubmission(t, h.sim)
			checkLedger(t, h, r, ledger.StateSucceeded)
		})
	}
}

// TestFatalUpstreamErrors: the job stops taking numbers, sends finished (FAILED) and ends with
// the mapped status; nothing is lost.
func TestFatalUpstreamErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		faults []bwsim.Fault
		auth   bandwidth.Authenticator
		code   codes.Code
		reason string
	}{
		{"401 revoked", []bwsim.Fault{{Kind: bwsim.FaultUnauthorized, Op: bwsim.OpCreate}}, nil, codes.FailedPrecondition, "BANDWIDTH_AUTH"},
		{"wrong credentials", nil, bandwidth.BasicAuth("demo", "wrong"), codes.FailedPrecondition, "BANDWIDTH_AUTH"},
		{"down", []bwsim.Fault{{Kind: bwsim.FaultServerError, Op: bwsim.OpCreate}}, nil, codes.Unavailable, "BANDWIDTH_UNAVAILABLE"},
		{"throttled", []bwsim.Fault{{Kind: bwsim.FaultRateLimit, Op: bwsim.OpCreate, ResetAfter: time.Millisecond}}, nil, codes.ResourceExhausted, "BANDWIDTH_RATE_LIMITED"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, harnessOptions{auth: tc.auth, cfg: service.Config{BatchSize: 100},
				retry: &bandwidth.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
					MaxRateLimitWait: time.Millisecond, MaxElapsed: 50 * time.Millisecond, CreateLookupWindow: 20 * time.Millisecond}})
			h.sim.Inject(tc.faults...)
			sent := append(numbers(9195553000, 1000), "bogus")
			r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 100))
			code, reason, _ := statusInfo(t, r.err)
			if code != tc.code || reason != tc.reason {
				t.Fatalf("status %v %s, want %v %s (%v)", code, reason, tc.code, tc.reason, r.err)
			}
			out := checkInvariant(t, sent, r, true)
			if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_FAILED {
				t.Errorf("state %v, want FAILED", r.finished.GetState())
			}
			for n, o := range out {
				if o != notSubmitted && o != "rejected:INVALID_FORMAT" {
					t.Errorf("%s: %s, want not submitted", n, o)
				}
			}
			if len(h.sim.Received()) != 0 {
				t.Errorf("the simulator accepted %d orders", len(h.sim.Received()))
			}
			checkLedger(t, h, r, ledger.StateFailed)
		})
	}
}

// TestRequestLevelRejection: Bandwidth refusing one order as a request (400) fails that order's
// numbers and the job goes on.
func TestRequestLevelRejection(t *testing.T) {
	t.Parallel()
	cfg := bwsim.DefaultConfig()
	cfg.Accounts[0].AssignmentDisabled = true
	h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 10}})
	sent := numbers(9195554000, 25)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 25))
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, sent, r, false)
	if len(r.orders) != 3 {
		t.Fatalf("%d order events, want 3", len(r.orders))
	}
	for _, o := range r.orders {
		if o.GetOrderId() != "" || o.GetProcessingStatus() != tnassignv1.ProcessingStatus_PROCESSING_STATUS_FAILED ||
			len(o.GetErrors()) != 1 || o.GetErrors()[0].GetCode() != 12752 || o.GetErrors()[0].GetDescription() == "" {
			t.Errorf("order %v", o)
		}
	}
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_FAILED {
		t.Errorf("state %v", r.finished.GetState())
	}
	checkLedger(t, h, r, ledger.StateFailed)
}

// TestUnknownOutcome: when polling fails past the client's retries, the order's numbers are
// reported failed with code 0, an outcome-unknown description and the ids to look up.
func TestUnknownOutcome(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10},
		retry: &bandwidth.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	h.sim.Inject(bwsim.Fault{Kind: bwsim.FaultTruncatedBody, Op: bwsim.OpGet})
	sent := numbers(9195555000, 10)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, CustomerOrderId: "X"}, sent, 10))
	// Polling failed with Bandwidth unavailable past the retries: the job stops, too.
	if code, reason, _ := statusInfo(t, r.err); code != codes.Unavailable || reason != "BANDWIDTH_UNAVAILABLE" {
		t.Errorf("status %v", r.err)
	}
	out := checkInvariant(t, sent, r, false)
	for _, n := range sent {
		if out[n] != failedWith(0) {
			t.Fatalf("%s: %s, want failed with code 0", n, out[n])
		}
	}
	o := r.orders[0]
	desc := o.GetErrors()[0].GetDescription()
	if o.GetOrderId() == "" || !contains(desc, "outcome unknown") || !contains(desc, `"X-1"`) || !contains(desc, o.GetOrderId()) {
		t.Errorf("order %v", o)
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || (len(s) >= len(sub) && index(s, sub) >= 0) }

func index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestCancelMidStream: the caller goes away after some orders were sent. Those orders still
// settle and are recorded; the numbers received but not sent are not submitted; the job ends
// ABORTED.
func TestCancelMidStream(t *testing.T) {
	t.Parallel()
	cfg := bwsim.DefaultConfig()
	cfg.ProcessingDelay = 300 * time.Millisecond // orders are still settling when the caller leaves
	h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 100, MaxInflightPerJob: 2}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	stream, err := h.client.AssignNumbers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: account, TelephoneNumbers: numbers(9195556000, 250)}); err != nil {
		t.Fatal(err)
	}
	first, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	jobID := first.GetStarted().GetJobId()
	// Two orders are in flight (MaxInflightPerJob) and 50 numbers wait in the next batch.
	waitFor(t, "two orders created", func() bool { return len(h.sim.Received()) == 2 })
	cancel()
	waitFor(t, "the job to end", func() bool {
		j, err := h.store.GetJob(context.Background(), jobID)
		return err == nil && j.State.Final()
	})
	job, _ := h.store.GetJob(context.Background(), jobID)
	if job.State != ledger.StateAborted || job.Failure != "CANCELLED" {
		t.Errorf("job %+v, want ABORTED by CANCELLED", job)
	}
	want := ledger.Counts{Received: 250, Succeeded: 200, NotSubmitted: 50}
	if job.Counts != want {
		t.Errorf("counts %+v, want %+v", job.Counts, want)
	}
	outcomes, err := h.store.Outcomes(jobID)
	if err != nil {
		t.Fatal(err)
	}
	onWire := map[string]bool{}
	for _, o := range h.sim.Received() {
		for _, n := range o.TelephoneNumbers {
			onWire[n] = true
		}
	}
	got := map[string]ledger.OutcomeResult{}
	for _, o := range outcomes {
		got[o.Number] = o.Result
	}
	for _, n := range numbers(9195556000, 250) {
		want := ledger.ResultNotSubmitted
		if onWire[n] {
			want = ledger.ResultSucceeded
		}
		if got[n] != want {
			t.Errorf("%s: %s, want %s", n, got[n], want)
		}
	}
	if len(got) != 250 {
		t.Errorf("%d outcomes recorded, want 250", len(got))
	}
}

// TestBackpressure: while Bandwidth hangs, the service stops reading the stream, so the numbers
// it holds stay bounded however many the caller wants to send.
func TestBackpressure(t *testing.T) {
	t.Parallel()
	gate := &gatedUpstream{release: make(chan struct{})}
	h := newHarness(t, harnessOptions{
		cfg:  service.Config{BatchSize: 100, MaxInflightPerJob: 2},
		wrap: func(up service.Upstream) service.Upstream { gate.Upstream = up; return gate },
	})
	sent := numbers(9195550000, 5000)
	var r result
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r = h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 100))
	}()
	waitFor(t, "two orders hanging", func() bool { return gate.waiting() == 2 })
	time.Sleep(100 * time.Millisecond) // let the caller push as much as flow control allows
	// Two batches in flight, one full batch waiting for a slot, one message being handled,
	// and what gRPC buffers (a 64 KiB stream window: about 5 messages of 100 numbers).
	got := h.received.Load()
	if got > 1000 {
		t.Errorf("the server read %d numbers while Bandwidth hung; want it to stop reading", got)
	}
	t.Logf("numbers read while Bandwidth hung: %d of %d", got, len(sent))
	close(gate.release)
	wg.Wait()
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := checkInvariant(t, sent, r, false)
	for _, n := range sent {
		if out[n] != succeeded {
			t.Fatalf("%s: %s", n, out[n])
		}
	}
}

// gatedUpstream holds every CreateOrder until release is closed.
type gatedUpstream struct {
	service.Upstream
	release chan struct{}
	mu      sync.Mutex
	n       int
}

func (g *gatedUpstream) CreateOrder(ctx context.Context, accountID string, o bandwidth.Order, opts ...bandwidth.CreateOption) (*bandwidth.OrderResponse, error) {
	g.mu.Lock()
	g.n++
	g.mu.Unlock()
	select {
	case <-g.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	g.mu.Lock()
	g.n--
	g.mu.Unlock()
	return g.Upstream.CreateOrder(ctx, accountID, o, opts...)
}

func (g *gatedUpstream) waiting() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n
}
