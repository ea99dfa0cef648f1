package service

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// TestStatusReasonsAreErrorReasons gives statusOf one error of every kind it classifies and
// checks that the status's one ErrorInfo names a value of the API's ErrorReason enum, by the
// value's name, in the domain tnassign, with the code the enum's documentation promises. The
// cases together must produce every reason the service sends (the guard's refusals are checked
// in its own package; internal/errorinfo checks that every value is sent by someone).
func TestStatusReasonsAreErrorReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		code   codes.Code
		reason tnassignv1.ErrorReason
	}{
		{"caller mistake", invalidArgument("bad", violation("account_id", "is required")), codes.InvalidArgument, tnassignv1.ErrorReason_INVALID_ARGUMENT},
		{"request id reused", &jobs.RequestIDReusedError{JobID: "job-0"}, codes.InvalidArgument, tnassignv1.ErrorReason_INVALID_ARGUMENT},
		{"bad page token", readFailure("list jobs", fmt.Errorf("x: %w", ledger.ErrBadPageToken)), codes.InvalidArgument, tnassignv1.ErrorReason_INVALID_ARGUMENT},
		{"input cut short", &inputCut{detail: "line 3 is not JSON"}, codes.InvalidArgument, tnassignv1.ErrorReason_INPUT_CUT_SHORT},
		{"account not allowed", accountNotAllowed("42"), codes.PermissionDenied, tnassignv1.ErrorReason_ACCOUNT_NOT_ALLOWED},
		{"job not found", jobNotFound("9900000", "nope"), codes.NotFound, tnassignv1.ErrorReason_JOB_NOT_FOUND},
		{"handed over: lease lost", &jobs.HandedOverError{Cause: jobs.ErrLeaseLost, Read: 7}, codes.Unavailable, tnassignv1.ErrorReason_JOB_HANDED_OVER},
		{"handed over: forced down", &jobs.HandedOverError{Cause: jobs.ErrForcedDown}, codes.Unavailable, tnassignv1.ErrorReason_JOB_HANDED_OVER},
		{"handed over: ledger failed", &jobs.HandedOverError{Cause: jobs.ErrLedgerFailed, Read: 3}, codes.Unavailable, tnassignv1.ErrorReason_JOB_HANDED_OVER},
		{"misconfigured", fmt.Errorf("create order: %w: 404 for POST https://example.test/x", bandwidth.ErrMisconfigured), codes.FailedPrecondition, tnassignv1.ErrorReason_BANDWIDTH_MISCONFIGURED},
		{"credentials forbidden", &bandwidth.APIError{HTTPStatus: 403}, codes.FailedPrecondition, tnassignv1.ErrorReason_BANDWIDTH_AUTH},
		{"credentials refused", fmt.Errorf("fetch token: %w", bandwidth.ErrUnauthorized), codes.FailedPrecondition, tnassignv1.ErrorReason_BANDWIDTH_AUTH},
		{"throttled", fmt.Errorf("create order: %w", bandwidth.ErrRateLimited), codes.ResourceExhausted, tnassignv1.ErrorReason_BANDWIDTH_RATE_LIMITED},
		{"down", fmt.Errorf("create order: %w", bandwidth.ErrUnavailable), codes.Unavailable, tnassignv1.ErrorReason_BANDWIDTH_UNAVAILABLE},
		{"shutting down", jobs.ErrShuttingDown, codes.Unavailable, tnassignv1.ErrorReason_SHUTTING_DOWN},
		{"interrupted", jobs.ErrInterrupted, codes.Aborted, tnassignv1.ErrorReason_JOB_INTERRUPTED},
		{"cancelled", context.Canceled, codes.Canceled, tnassignv1.ErrorReason_CANCELLED},
		{"stream cancelled", &streamBroken{status.Error(codes.Canceled, "context canceled")}, codes.Canceled, tnassignv1.ErrorReason_CANCELLED},
		{"deadline", context.DeadlineExceeded, codes.DeadlineExceeded, tnassignv1.ErrorReason_DEADLINE_EXCEEDED},
		{"stream deadline", &streamBroken{status.Error(codes.DeadlineExceeded, "deadline")}, codes.DeadlineExceeded, tnassignv1.ErrorReason_DEADLINE_EXCEEDED},
		{"stream message too large", &streamBroken{status.Error(codes.ResourceExhausted, "grpc: received message larger than max")}, codes.ResourceExhausted, tnassignv1.ErrorReason_REQUEST_STREAM_FAILED},
		{"stream failed without a code", &streamBroken{errors.New("connection reset")}, codes.Canceled, tnassignv1.ErrorReason_REQUEST_STREAM_FAILED},
		{"ledger", storeFailure("record batch", errors.New("disk full")), codes.Internal, tnassignv1.ErrorReason_INTERNAL},
		{"ledger read", readFailure("get job", errors.New("disk full")), codes.Internal, tnassignv1.ErrorReason_INTERNAL},
		{"bug", errors.New("nil map"), codes.Internal, tnassignv1.ErrorReason_INTERNAL},
	}
	sent := map[tnassignv1.ErrorReason]bool{}
	for _, tc := range tests {
		for _, jobID := range []string{"", "job-1"} {
			st := status.Convert(statusOf(tc.err, jobID))
			var infos []*errdetails.ErrorInfo
			for _, d := range st.Details() {
				if info, ok := d.(*errdetails.ErrorInfo); ok {
					infos = append(infos, info)
				}
			}
			if len(infos) != 1 {
				t.Errorf("%s (job %q): %d ErrorInfo details, want 1", tc.name, jobID, len(infos))
				continue
			}
			info := infos[0]
			got := errorinfo.Parse(info.GetReason())
			switch {
			case got == tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED:
				t.Errorf("%s: reason %q is not a value of ErrorReason", tc.name, info.GetReason())
			case got != tc.reason || info.GetReason() != tc.reason.String():
				t.Errorf("%s: reason %q, want %s", tc.name, info.GetReason(), tc.reason)
			}
			if info.GetDomain() != errorinfo.Domain || info.GetDomain() != "tnassign" {
				t.Errorf("%s: domain %q", tc.name, info.GetDomain())
			}
			if st.Code() != tc.code {
				t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.code)
			}
			if jobID != "" && info.GetMetadata()["job_id"] != jobID {
				t.Errorf("%s: metadata %v lacks the job id", tc.name, info.GetMetadata())
			}
			if r, _, found := errorinfo.Of(st.Err()); !found || r != tc.reason {
				t.Errorf("%s: errorinfo.Of = %v, %v", tc.name, r, found)
			}
			if reasonOf(tc.err) != info.GetReason() {
				t.Errorf("%s: reasonOf = %q, the status says %q", tc.name, reasonOf(tc.err), info.GetReason())
			}
			sent[got] = true
		}
	}
	// Every reason the service sends; a new one must be added to the enum and here.
	want := []tnassignv1.ErrorReason{
		tnassignv1.ErrorReason_INVALID_ARGUMENT, tnassignv1.ErrorReason_INPUT_CUT_SHORT,
		tnassignv1.ErrorReason_ACCOUNT_NOT_ALLOWED, tnassignv1.ErrorReason_JOB_NOT_FOUND,
		tnassignv1.ErrorReason_JOB_HANDED_OVER, tnassignv1.ErrorReason_JOB_INTERRUPTED,
		tnassignv1.ErrorReason_BANDWIDTH_AUTH, tnassignv1.ErrorReason_BANDWIDTH_MISCONFIGURED,
		tnassignv1.ErrorReason_BANDWIDTH_RATE_LIMITED, tnassignv1.ErrorReason_BANDWIDTH_UNAVAILABLE,
		tnassignv1.ErrorReason_SHUTTING_DOWN, tnassignv1.ErrorReason_CANCELLED,
		tnassignv1.ErrorReason_DEADLINE_EXCEEDED, tnassignv1.ErrorReason_REQUEST_STREAM_FAILED,
		tnassignv1.ErrorReason_INTERNAL,
	}
	for _, r := range want {
		if !sent[r] {
			t.Errorf("no case produced %s", r)
		}
		delete(sent, r)
	}
	for r := range sent {
		t.Errorf("the service sends %s, which the list of its reasons lacks", r)
	}
}

// TestHandedOverMetadata checks the metadata a caller follows a handed-over job with.
func TestHandedOverMetadata(t *testing.T) {
	t.Parallel()
	r, meta, found := errorinfo.Of(statusOf(&jobs.HandedOverError{Cause: jobs.ErrLeaseLost, Read: 7}, "job-1"))
	if !found || r != tnassignv1.ErrorReason_JOB_HANDED_OVER || meta["job_id"] != "job-1" || meta["numbers_read"] != "7" {
		t.Errorf("ErrorInfo %v %v (found %v)", r, meta, found)
	}
}

// reasonOf is the failure reason the ledger records for a job that err stopped: the engine's
// own (jobs.ReasonOf), for the errors of the caller's stream as serve hands them to the engine.
func reasonOf(err error) string {
	var (
		ce *callError
		sb *streamBroken
		ic *inputCut
	)
	if errors.As(err, &ce) || errors.As(err, &sb) || errors.As(err, &ic) {
		err = inputError(err, false)
	}
	return string(jobs.ReasonOf(err))
}

// TestEngineReasonsAreErrorReasons checks that every failure reason the engine records is a
// value of the API's ErrorReason enum, by name.
func TestEngineReasonsAreErrorReasons(t *testing.T) {
	t.Parallel()
	for _, r := range jobs.Reasons() {
		if errorinfo.Parse(string(r)) == tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			t.Errorf("jobs.Reason %q is not a value of ErrorReason", r)
		}
	}
}
