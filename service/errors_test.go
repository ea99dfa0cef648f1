package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/jobs"
)

func TestStatusOf(t *testing.T) {
	t.Parallel()
	secret := "password=hunter2 at db.internal:5432"
	tests := []struct {
		name   string
		err    error
		code   codes.Code
		reason string
	}{
		{"caller mistake", invalidArgument("bad", violation("account_id", "is required")), codes.InvalidArgument, "INVALID_ARGUMENT"},
		{"account", accountNotAllowed("42"), codes.PermissionDenied, "ACCOUNT_NOT_ALLOWED"},
		{"401", fmt.Errorf("create: %w", &bandwidth.APIError{HTTPStatus: 401, Description: secret}), codes.FailedPrecondition, "BANDWIDTH_AUTH"},
		{"403", &bandwidth.APIError{HTTPStatus: 403}, codes.FailedPrecondition, "BANDWIDTH_AUTH"},
		{"token refused", fmt.Errorf("%w: %s", bandwidth.ErrUnauthorized, secret), codes.FailedPrecondition, "BANDWIDTH_AUTH"},
		{"throttled", fmt.Errorf("%w: %s", bandwidth.ErrRateLimited, secret), codes.ResourceExhausted, "BANDWIDTH_RATE_LIMITED"},
		{"down", fmt.Errorf("%w: dial tcp %s", bandwidth.ErrUnavailable, secret), codes.Unavailable, "BANDWIDTH_UNAVAILABLE"},
		{"unknown outcome while down", fmt.Errorf("%w: %w", bandwidth.ErrOutcomeUnknown, bandwidth.ErrUnavailable), codes.Unavailable, "BANDWIDTH_UNAVAILABLE"},
		{"shutdown", jobs.ErrShuttingDown, codes.Unavailable, "SHUTTING_DOWN"},
		{"cancelled", context.Canceled, codes.Canceled, "CANCELLED"},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), codes.DeadlineExceeded, "DEADLINE_EXCEEDED"},
		{"stream", &streamBroken{status.Error(codes.ResourceExhausted, "grpc: received message larger than max")}, codes.ResourceExhausted, "REQUEST_STREAM_FAILED"},
		{"stream cancelled", &streamBroken{status.Error(codes.Canceled, "context canceled")}, codes.Canceled, "CANCELLED"},
		{"store", storeFailure("record batch", errors.New(secret)), codes.Internal, "INTERNAL"},
		{"store cancelled", storeFailure("record batch", context.Canceled), codes.Internal, "INTERNAL"},
		{"bug", errors.New(secret), codes.Internal, "INTERNAL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := status.Convert(statusOf(tc.err, "job-1"))
			if st.Code() != tc.code {
				t.Errorf("code %v, want %v", st.Code(), tc.code)
			}
			if strings.Contains(st.Message(), "hunter2") || strings.Contains(st.Message(), "db.internal") {
				t.Errorf("message leaks internals: %q", st.Message())
			}
			var infos int
			for _, d := range st.Details() {
				if info, ok := d.(*errdetails.ErrorInfo); ok {
					infos++
					if info.GetReason() != tc.reason || info.GetDomain() != "tnassign" || info.GetMetadata()["job_id"] != "job-1" {
						t.Errorf("ErrorInfo %v", info)
					}
				}
			}
			if infos != 1 {
				t.Errorf("%d ErrorInfo details", infos)
			}
			if reasonOf(tc.err) != tc.reason {
				t.Errorf("reasonOf = %s", reasonOf(tc.err))
			}
		})
	}
	if statusOf(nil, "x") != nil || reasonOf(nil) != "" {
		t.Error("nil error should map to nil")
	}
}
