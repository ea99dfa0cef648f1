package service_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

// Outcome labels used by checkInvariant's result.
const (
	succeeded    = "succeeded"
	notSubmitted = "not_submitted"
)

func failedWith(code int32) string { return fmt.Sprintf("failed:%d", code) }

// checkInvariant asserts the contract's invariant on a call's events: started first, finished
// last, every number read by the server in exactly one rejected entry, order entry or the
// not-submitted list, and counts that add up. sent are the numbers the client tried to send, in
// order; the server may have read only a prefix of them when the call ended early
// (prefixOK). It returns each number's outcome: by caller text for rejections ("rejected:REASON"),
// by canonical form otherwise.
func checkInvariant(t *testing.T, sent []string, r result, prefixOK bool) map[string]string {
	t.Helper()
	if len(r.kinds) == 0 || r.kinds[0] != "started" || r.kinds[len(r.kinds)-1] != "finished" {
		t.Fatalf("events %v: want started first and finished last (err %v)", r.kinds, r.err)
	}
	if n := strings.Count(strings.Join(r.kinds, " "), "finished"); n != 1 {
		t.Fatalf("%d finished events", n)
	}
	f := r.finished
	out := map[string]string{}
	var rejectedTexts []string
	for _, rj := range r.rejected {
		rejectedTexts = append(rejectedTexts, rj.GetTelephoneNumber())
	}
	set := func(n, outcome string) {
		if prev, dup := out[n]; dup {
			t.Errorf("number %s reported twice: %s and %s", n, prev, outcome)
		}
		out[n] = outcome
	}
	var succeededN, failedN int64
	for _, o := range r.orders {
		for _, n := range o.GetSucceededNumbers() {
			set(n, succeeded)
			succeededN++
		}
		for _, e := range o.GetErrors() {
			for _, n := range e.GetTelephoneNumbers() {
				set(n, failedWith(e.GetCode()))
				failedN++
			}
		}
	}
	for _, n := range f.GetNotSubmittedNumbers() {
		set(n, notSubmitted)
	}
	// Walk the sent numbers in order, consuming rejections in order and other outcomes by number.
	consumed := map[string]bool{}
	read := 0
	ri := 0
	for _, text := range sent {
		key := canonical(text)
		if _, ok := out[text]; ok && !consumed[text] { // not submitted as given
			key = text
		}
		if _, ok := out[key]; ok && !consumed[key] {
			consumed[key] = true
			read++
			continue
		}
		if ri < len(rejectedTexts) && rejectedTexts[ri] == text {
			ri++
			read++
			continue
		}
		break
	}
	if ri != len(rejectedTexts) {
		t.Errorf("rejections do not match the numbers sent, in order: matched %d of %d", ri, len(rejectedTexts))
	}
	if len(consumed) != len(out) {
		t.Errorf("%d outcomes reported, %d matched numbers sent", len(out), len(consumed))
	}
	if read != len(sent) && !prefixOK {
		t.Errorf("numbers sent: %d; accounted for: %d (first unaccounted: %q)", len(sent), read, sent[read])
	}
	if f.GetReceivedCount() != int64(read) {
		t.Errorf("received_count = %d, want %d", f.GetReceivedCount(), read)
	}
	if f.GetRejectedCount() != int64(len(r.rejected)) || f.GetSucceededCount() != succeededN ||
		f.GetFailedCount() != failedN || f.GetNotSubmittedCount() != int64(len(f.GetNotSubmittedNumbers())) {
		t.Errorf("counts %v do not match events: rejected %d, succeeded %d, failed %d", f, len(r.rejected), succeededN, failedN)
	}
	if sum := f.GetRejectedCount() + f.GetSucceededCount() + f.GetFailedCount() + f.GetNotSubmittedCount(); sum != f.GetReceivedCount() {
		t.Errorf("counts do not add up: %v", f)
	}
	for _, rj := range r.rejected {
		out[rj.GetTelephoneNumber()] = "rejected:" + strings.TrimPrefix(rj.GetReason().String(), "REJECTION_REASON_")
	}
	return out
}

// checkLedger asserts the ledger recorded the job as the caller saw it.
func checkLedger(t *testing.T, h *harness, r result, want ledger.State) {
	t.Helper()
	ctx := context.Background()
	job, err := h.store.GetJob(ctx, r.started.GetJobId())
	if err != nil {
		t.Fatal(err)
	}
	if job.State != want {
		t.Errorf("ledger state %s, want %s", job.State, want)
	}
	f := r.finished
	wantCounts := ledger.Counts{Received: f.GetReceivedCount(), Rejected: f.GetRejectedCount(),
		Succeeded: f.GetSucceededCount(), Failed: f.GetFailedCount(), NotSubmitted: f.GetNotSubmittedCount()}
	if job.Counts != wantCounts {
		t.Errorf("ledger counts %+v, want %+v", job.Counts, wantCounts)
	}
	outcomes, err := h.store.Outcomes(r.started.GetJobId())
	if err != nil {
		t.Fatal(err)
	}
	got := map[ledger.OutcomeResult]int{}
	for _, o := range outcomes {
		if o.Result == memory.ResultUnknown {
			t.Errorf("ledger: %s has no outcome", o.Number)
		}
		got[o.Result]++
	}
	if int64(got[ledger.ResultSucceeded]) != f.GetSucceededCount() || int64(got[ledger.ResultFailed]) != f.GetFailedCount() ||
		int64(got[ledger.ResultRejected]) != f.GetRejectedCount() || int64(got[ledger.ResultNotSubmitted]) != f.GetNotSubmittedCount() {
		t.Errorf("ledger outcomes %v do not match finished %v", got, f)
	}
}

// canonical is the test's own normalization of a number it knows to be valid.
func canonical(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			b = append(b, s[i])
		}
	}
	if len(b) == 11 && b[0] == '1' {
		b = b[1:]
	}
	return string(b)
}

// checkNoDuplicateSubmission asserts no number reached Bandwidth in two accepted orders.
func checkNoDuplicateSubmission(t *testing.T, sim *bwsim.Server) {
	t.Helper()
	seen := map[string]string{}
	for _, o := range sim.Received() {
		for _, n := range o.TelephoneNumbers {
			if prev, dup := seen[n]; dup {
				t.Errorf("%s was submitted in orders %s and %s", n, prev, o.OrderID)
			}
			seen[n] = o.OrderID
		}
	}
}

// statusInfo returns a status's code, ErrorInfo reason and BadRequest field names.
func statusInfo(t *testing.T, err error) (codes.Code, string, []string) {
	t.Helper()
	st, ok := status.FromError(err)
	if !ok {
		t.Fatalf("not a status: %v", err)
	}
	var reason string
	var fields []string
	infos := 0
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.ErrorInfo:
			infos++
			reason = d.GetReason()
			if d.GetDomain() != "tnassign" {
				t.Errorf("ErrorInfo domain %q", d.GetDomain())
			}
		case *errdetails.BadRequest:
			for _, v := range d.GetFieldViolations() {
				fields = append(fields, v.GetField())
			}
		}
	}
	if infos != 1 {
		t.Errorf("status %v carries %d ErrorInfo, want 1", st, infos)
	}
	slices.Sort(fields)
	return st.Code(), reason, fields
}
