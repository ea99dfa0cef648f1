package service_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
)

func TestAssign12345NumbersInThreeOrders(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	sent := append(numbers(9195550000, 10000), numbers(4158710000, 2345)...)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account, CustomerOrderId: "march batch"}, sent, 1000))
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := checkInvariant(t, sent, r, false)
	for _, n := range sent {
		if out[n] != succeeded {
			t.Fatalf("%s: %s, want succeeded", n, out[n])
		}
	}
	if r.started.GetAccountId() != account || r.started.GetAction() != tnassignv1.Action_ACTION_ASSIGN {
		t.Errorf("started = %v", r.started)
	}
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_SUCCEEDED {
		t.Errorf("state %v", r.finished.GetState())
	}
	received := h.sim.Received()
	var sizes []int
	var wire []string
	ids := map[string]bool{}
	for _, o := range received {
		sizes = append(sizes, len(o.TelephoneNumbers))
		wire = append(wire, o.TelephoneNumbers...)
		ids[o.CustomerOrderID] = true
		if o.Action != "ASSIGN" || o.AccountID != account {
			t.Errorf("order %s: action %s account %s", o.OrderID, o.Action, o.AccountID)
		}
	}
	slices.Sort(sizes)
	if !slices.Equal(sizes, []int{2345, 5000, 5000}) {
		t.Errorf("order sizes %v, want 5000, 5000, 2345", sizes)
	}
	if !ids["march batch-1"] || !ids["march batch-2"] || !ids["march batch-3"] {
		t.Errorf("customer order ids %v", ids)
	}
	slices.Sort(wire)
	if want := slices.Sorted(slices.Values(sent)); !slices.Equal(wire, want) {
		t.Errorf("the simulator received %d numbers, want the %d sent", len(wire), len(want))
	}
	for _, o := range r.orders {
		if o.GetProcessingStatus() != tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE || o.GetOrderId() == "" {
			t.Errorf("order %v", o)
		}
	}
	checkLedger(t, h, r, ledger.StateSucceeded)
	batches, err := h.store.Batches(r.started.GetJobId())
	if err != nil || len(batches) != 3 {
		t.Fatalf("ledger batches %d, %v", len(batches), err)
	}
	for _, b := range batches {
		if b.OrderID == "" || b.Status != "COMPLETE" {
			t.Errorf("ledger batch %d: order %q status %q", b.Seq, b.OrderID, b.Status)
		}
	}
}

func TestGeneratedCustomerOrderIDs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 10}})
	sent := numbers(9195550000, 25)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 25))
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, sent, r, false)
	re := regexp.MustCompile(`^[0-9a-f]{32}-[1-3]$`)
	seen := map[string]bool{}
	for _, o := range h.sim.Received() {
		if !re.MatchString(o.CustomerOrderID) || seen[o.CustomerOrderID] {
			t.Errorf("customer order id %q", o.CustomerOrderID)
		}
		seen[o.CustomerOrderID] = true
	}
	if len(seen) != 3 {
		t.Errorf("%d orders, want 3", len(seen))
	}
}

// TestMixedInput sends invalid, duplicate, not-owned, not-in-service and owned numbers, through
// both RPCs, and checks every number's exact outcome.
func TestMixedInput(t *testing.T) {
	t.Parallel()
	for _, rpc := range []string{"assign", "unassign"} {
		t.Run(rpc, func(t *testing.T) {
			t.Parallel()
			cfg := bwsim.DefaultConfig()
			cfg.Accounts[0].NotInService = []string{"4352150007"}
			h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 4}})
			sent := []string{
				"9195550001",        // owned
				"+1 (919) 555-0002", // owned, punctuated
				"919-555-0001",      // duplicate of the first
				"abc",               // invalid
				"0195550003",        // area code starts with 0
				"9191550003",        // exchange starts with 1
				"2025550104",        // not owned: 5076
				"4352150007",        // owned, not in service: 5131
				"1.919.555.0005",    // owned
				"",                  // empty
				"+19195550002",      // duplicate of the second
				"4158710006",        // owned
			}
			first := &tnassignv1.AssignNumbersRequest{AccountId: account}
			msgs := requests(first, sent, 5)
			var r result
			if rpc == "assign" {
				r = h.assign(t.Context(), msgs)
			} else {
				r = h.unassign(t.Context(), msgs)
			}
			if r.err != nil {
				t.Fatal(r.err)
			}
			out := checkInvariant(t, sent, r, false)
			want := map[string]string{
				"9195550001":   succeeded,
				"9195550002":   succeeded,
				"919-555-0001": "rejected:DUPLICATE",
				"abc":          "rejected:INVALID_FORMAT",
				"0195550003":   "rejected:INVALID_FORMAT",
				"9191550003":   "rejected:INVALID_FORMAT",
				"2025550104":   failedWith(5076),
				"4352150007":   failedWith(5131),
				"9195550005":   succeeded,
				"":             "rejected:INVALID_FORMAT",
				"+19195550002": "rejected:DUPLICATE",
				"4158710006":   succeeded,
			}
			for n, w := range want {
				if out[n] != w {
					t.Errorf("%q: %s, want %s", n, out[n], w)
				}
			}
			if len(out) != len(want) {
				t.Errorf("%d outcomes, want %d: %v", len(out), len(want), out)
			}
			if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_PARTIAL {
				t.Errorf("state %v, want PARTIAL", r.finished.GetState())
			}
			for _, rj := range r.rejected {
				if rj.GetDetail() == "" {
					t.Errorf("rejection of %q has no detail", rj.GetTelephoneNumber())
				}
			}
			// Rejections are reported as they happen: before any order settles.
			if r.kinds[1] != "rejected" {
				t.Errorf("events %v: want the rejections right after started", r.kinds)
			}
			wantAction := "ASSIGN"
			if rpc == "unassign" {
				wantAction = "UNASSIGN"
			}
			for _, o := range h.sim.Received() {
				if o.Action != wantAction {
					t.Errorf("order action %s, want %s", o.Action, wantAction)
				}
			}
			checkLedger(t, h, r, ledger.StatePartial)
		})
	}
}

func TestAsynchronousOrders(t *testing.T) {
	t.Parallel()
	cfg := bwsim.DefaultConfig()
	cfg.ProcessingPolls = 3
	cfg.ProcessingDelay = 20 * time.Millisecond
	h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 100}})
	sent := numbers(9195551000, 450)
	r := h.assign(t.Context(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account}, sent, 50))
	if r.err != nil {
		t.Fatal(r.err)
	}
	out := checkInvariant(t, sent, r, false)
	for _, n := range sent {
		if out[n] != succeeded {
			t.Fatalf("%s: %s", n, out[n])
		}
	}
	if st := h.sim.Stats(); st.Creates != 5 || st.Gets < 5*4 {
		t.Errorf("stats %+v: want 5 creates and at least 4 polls each", st)
	}
	checkLedger(t, h, r, ledger.StateSucceeded)
}

func TestZeroNumbers(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{})
	r := h.assign(t.Context(), []*tnassignv1.AssignNumbersRequest{{AccountId: account}, {AccountId: account}})
	if r.err != nil {
		t.Fatal(r.err)
	}
	checkInvariant(t, nil, r, false)
	if r.finished.GetState() != tnassignv1.JobState_JOB_STATE_SUCCEEDED || r.finished.GetReceivedCount() != 0 {
		t.Errorf("finished %v", r.finished)
	}
	if st := h.sim.Stats(); st.Creates != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestConcurrentJobs(t *testing.T) {
	t.Parallel()
	const jobs, per = 50, 300
	cfg := bwsim.DefaultConfig()
	cfg.Accounts[0].OwnedPrefixes = []string{"919"}
	h := newHarness(t, harnessOptions{sim: &cfg, cfg: service.Config{BatchSize: 100, MaxInflightOrders: 16, MaxInflightPerJob: 2}})
	results := make([]result, jobs)
	sent := make([][]string, jobs)
	done := make(chan int)
	for i := range jobs {
		sent[i] = numbers(9192000000+int64(i)*10000, per)
		go func() {
			results[i] = h.assign(context.Background(), requests(&tnassignv1.AssignNumbersRequest{AccountId: account,
				CustomerOrderId: fmt.Sprintf("job %d", i)}, sent[i], 50))
			done <- i
		}()
	}
	for range jobs {
		<-done
	}
	ids := map[string]bool{}
	for i, r := range results {
		if r.err != nil {
			t.Fatalf("job %d: %v", i, r.err)
		}
		out := checkInvariant(t, sent[i], r, false)
		for _, n := range sent[i] {
			if out[n] != succeeded {
				t.Fatalf("job %d: %s: %s", i, n, out[n])
			}
		}
		if ids[r.started.GetJobId()] {
			t.Fatalf("job id %s reused", r.started.GetJobId())
		}
		ids[r.started.GetJobId()] = true
		checkLedger(t, h, r, ledger.StateSucceeded)
	}
	if got := len(h.sim.Received()); got != jobs*per/100 {
		t.Errorf("%d orders, want %d", got, jobs*per/100)
	}
	checkNoDuplicateSubmission(t, h.sim)
}
