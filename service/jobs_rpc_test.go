package service_test

import (
	"slices"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
)

const otherAccount = "9900001"

// runJob runs one AssignNumbers call of sent to its end.
func runJob(t *testing.T, h *harness, first *tnassignv1.AssignNumbersRequest, sent []string) result {
	t.Helper()
	r := h.assign(t.Context(), requests(first, sent, 7))
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r
}

// mixedNumbers are owned numbers, an invalid one, a duplicate and numbers the account does not
// own (which Bandwidth fails).
func mixedNumbers() []string {
	return append(numbers(9195551000, 12), "nope", "919-555-1000", "2025550100", "2025550101")
}

func TestGetAssignmentJob(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 5, Accounts: []string{account, otherAccount}}})
	r := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: account, CustomerOrderId: "review-1", RequestId: "get-1"}, mixedNumbers())
	id := r.started.GetJobId()

	got, err := h.client.GetAssignmentJob(t.Context(), &tnassignv1.GetAssignmentJobRequest{AccountId: account, JobId: id})
	if err != nil {
		t.Fatal(err)
	}
	j := got.GetAssignmentJob()
	f := r.finished
	if j.GetName() != "accounts/"+account+"/assignmentJobs/"+id || j.GetJobId() != id || j.GetAccountId() != account ||
		j.GetState() != f.GetState() || j.GetAction() != tnassignv1.Action_ACTION_ASSIGN ||
		j.GetCustomerOrderId() != "review-1" || j.GetRequestId() != "get-1" {
		t.Errorf("job %v", j)
	}
	if j.GetReceivedCount() != f.GetReceivedCount() || j.GetRejectedCount() != f.GetRejectedCount() ||
		j.GetSucceededCount() != f.GetSucceededCount() || j.GetFailedCount() != f.GetFailedCount() ||
		j.GetNotSubmittedCount() != f.GetNotSubmittedCount() {
		t.Errorf("counts %v, finished %v", j, f)
	}
	if len(j.GetOrders()) != len(r.orders) {
		t.Fatalf("%d orders, the call reported %d", len(j.GetOrders()), len(r.orders))
	}
	var total int64
	for _, o := range j.GetOrders() {
		total += o.GetTotalQuantity()
		if o.GetOrderId() == "" || o.GetProcessingStatus() == tnassignv1.ProcessingStatus_PROCESSING_STATUS_UNSPECIFIED {
			t.Errorf("order %v", o)
		}
	}
	if total != f.GetSucceededCount()+f.GetFailedCount() {
		t.Errorf("orders hold %d numbers", total)
	}
	if j.GetCreateTime() == nil || j.GetUpdateTime() == nil || j.GetFinishTime() == nil {
		t.Errorf("times %v %v %v", j.GetCreateTime(), j.GetUpdateTime(), j.GetFinishTime())
	}

	tests := []struct {
		name    string
		req     *tnassignv1.GetAssignmentJobRequest
		code    codes.Code
		reason  string
		noInfo  bool
		comment string
	}{
		{name: "another account's job", req: &tnassignv1.GetAssignmentJobRequest{AccountId: otherAccount, JobId: id}, code: codes.NotFound, reason: "JOB_NOT_FOUND"},
		{name: "unknown job", req: &tnassignv1.GetAssignmentJobRequest{AccountId: account, JobId: "0190c0de-0000-7000-8000-000000000000"}, code: codes.NotFound, reason: "JOB_NOT_FOUND"},
		{name: "account not allowed", req: &tnassignv1.GetAssignmentJobRequest{AccountId: "123", JobId: id}, code: codes.PermissionDenied, reason: "ACCOUNT_NOT_ALLOWED"},
		{name: "no account", req: &tnassignv1.GetAssignmentJobRequest{JobId: id}, code: codes.InvalidArgument, reason: "INVALID_ARGUMENT"},
		{name: "no job id", req: &tnassignv1.GetAssignmentJobRequest{AccountId: account}, code: codes.InvalidArgument, reason: "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := h.client.GetAssignmentJob(t.Context(), tt.req)
			code, reason, _ := statusInfo(t, err)
			if code != tt.code || reason != tt.reason {
				t.Errorf("got %v %s, want %v %s", code, reason, tt.code, tt.reason)
			}
		})
	}
}

func TestListAssignmentJobs(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{Accounts: []string{account, otherAccount}}})
	var ids []string
	for i := range 5 {
		acct := account
		r := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: acct}, numbers(9195552000+int64(i)*10, 3))
		ids = append(ids, r.started.GetJobId())
	}
	dry := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: account, ValidateOnly: true}, []string{"nope"})
	runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: otherAccount}, []string{"nope"})

	var listed []string
	token := ""
	pages := 0
	for {
		resp, err := h.client.ListAssignmentJobs(t.Context(), &tnassignv1.ListAssignmentJobsRequest{AccountId: account, PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(resp.GetAssignmentJobs()) > 2 {
			t.Fatalf("page of %d", len(resp.GetAssignmentJobs()))
		}
		for _, j := range resp.GetAssignmentJobs() {
			if j.GetAccountId() != account {
				t.Errorf("listed %s of account %s", j.GetJobId(), j.GetAccountId())
			}
			listed = append(listed, j.GetJobId())
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	want := append(slices.Clone(ids), dry.started.GetJobId())
	slices.Reverse(want)
	if !slices.Equal(listed, want) || pages != 3 {
		t.Errorf("listed %v in %d pages, want newest first %v", listed, pages, want)
	}

	failed, err := h.client.ListAssignmentJobs(t.Context(), &tnassignv1.ListAssignmentJobsRequest{AccountId: account, State: tnassignv1.JobState_JOB_STATE_FAILED})
	if err != nil {
		t.Fatal(err)
	}
	if len(failed.GetAssignmentJobs()) != 1 || failed.GetAssignmentJobs()[0].GetJobId() != dry.started.GetJobId() {
		t.Errorf("state filter: %v", failed.GetAssignmentJobs())
	}

	for name, req := range map[string]*tnassignv1.ListAssignmentJobsRequest{
		"bad token":          {AccountId: account, PageToken: "garbage"},
		"negative page size": {AccountId: account, PageSize: -1},
	} {
		_, err := h.client.ListAssignmentJobs(t.Context(), req)
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := h.client.ListAssignmentJobs(t.Context(), &tnassignv1.ListAssignmentJobsRequest{AccountId: "42"}); status.Code(err) != codes.PermissionDenied {
		t.Errorf("account not allowed: %v", err)
	}
}

func TestListNumberOutcomes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, harnessOptions{cfg: service.Config{BatchSize: 5, Accounts: []string{account, otherAccount}}})
	sent := mixedNumbers()
	r := runJob(t, h, &tnassignv1.AssignNumbersRequest{AccountId: account}, sent)
	want := checkInvariant(t, sent, r, false)
	id := r.started.GetJobId()

	all := map[string]tnassignv1.NumberResult{}
	token := ""
	for {
		resp, err := h.client.ListNumberOutcomes(t.Context(), &tnassignv1.ListNumberOutcomesRequest{AccountId: account, JobId: id, PageSize: 4, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(resp.GetNumberOutcomes()) > 4 {
			t.Fatalf("page of %d", len(resp.GetNumberOutcomes()))
		}
		for _, o := range resp.GetNumberOutcomes() {
			key := o.GetTelephoneNumber()
			if o.GetResult() == tnassignv1.NumberResult_NUMBER_RESULT_REJECTED {
				key += "/" + o.GetRejectionReason().String()
			}
			all[key] = o.GetResult()
		}
		if token = resp.GetNextPageToken(); token == "" {
			break
		}
	}
	if len(all) != len(want) {
		t.Errorf("%d outcomes listed, the call reported %d: %v", len(all), len(want), all)
	}
	for _, result := range []tnassignv1.NumberResult{
		tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED, tnassignv1.NumberResult_NUMBER_RESULT_FAILED, tnassignv1.NumberResult_NUMBER_RESULT_REJECTED,
	} {
		resp, err := h.client.ListNumberOutcomes(t.Context(), &tnassignv1.ListNumberOutcomesRequest{AccountId: account, JobId: id, Result: result})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, v := range all {
			if v == result {
				n++
			}
		}
		if len(resp.GetNumberOutcomes()) != n || n == 0 {
			t.Errorf("%v: %d outcomes, want %d (> 0)", result, len(resp.GetNumberOutcomes()), n)
		}
		for _, o := range resp.GetNumberOutcomes() {
			if o.GetResult() != result {
				t.Errorf("filter %v returned %v", result, o)
			}
			if result == tnassignv1.NumberResult_NUMBER_RESULT_FAILED && (o.GetCode() == 0 || o.GetOrderId() == "") {
				t.Errorf("failed outcome without code or order: %v", o)
			}
		}
	}
	if _, err := h.client.ListNumberOutcomes(t.Context(), &tnassignv1.ListNumberOutcomesRequest{AccountId: otherAccount, JobId: id}); status.Code(err) != codes.NotFound {
		t.Errorf("another account: %v", err)
	}
	if _, err := h.client.ListNumberOutcomes(t.Context(), &tnassignv1.ListNumberOutcomesRequest{AccountId: account, JobId: id, PageToken: "x"}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("bad token: %v", err)
	}
}
