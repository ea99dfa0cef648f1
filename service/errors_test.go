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
		{"shutdown", errShuttingDown, codes.Unavailable, "SHUTTING_DOWN"},
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

func TestSettlementOf(t *testing.T) {
	t.Parallel()
	b := &batch{seq: 1, customerOrderID: "c-1", numbers: []string{"9195550001", "9195550002", "9195550003", "9195550004"}}
	tests := []struct {
		name      string
		resp      bandwidth.OrderResponse
		succeeded []string
		failed    map[int][]string
	}{
		{"complete", bandwidth.OrderResponse{Status: bandwidth.StatusComplete}, b.numbers, nil},
		{"partial", bandwidth.OrderResponse{Status: bandwidth.StatusPartial, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550002", "+1 919 555 0004"}},
		}}, []string{"9195550001", "9195550003"}, map[int][]string{5076: {"9195550002", "9195550004"}}},
		{"foreign and repeated numbers ignored", bandwidth.OrderResponse{Status: bandwidth.StatusPartial, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550002", "9195550002", "2025550100", "junk"}},
			{Code: 5131, TelephoneNumbers: []string{"9195550002", "9195550003"}},
			{Code: 7, TelephoneNumbers: []string{"2025550100"}},
		}}, []string{"9195550001", "9195550004"}, map[int][]string{5076: {"9195550002"}, 5131: {"9195550003"}}},
		{"failed without errors", bandwidth.OrderResponse{Status: bandwidth.StatusFailed}, nil, map[int][]string{0: b.numbers}},
		{"failed with some errors", bandwidth.OrderResponse{Status: bandwidth.StatusFailed, Errors: []bandwidth.NumberError{
			{Code: 5076, TelephoneNumbers: []string{"9195550001"}},
		}}, nil, map[int][]string{5076: {"9195550001"}, 0: {"9195550002", "9195550003", "9195550004"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := settlementOf(b, &tc.resp)
			if fmt.Sprint(s.Succeeded) != fmt.Sprint(tc.succeeded) {
				t.Errorf("succeeded %v, want %v", s.Succeeded, tc.succeeded)
			}
			got := map[int][]string{}
			total := len(s.Succeeded)
			for _, e := range s.Errors {
				got[e.Code] = e.Numbers
				total += len(e.Numbers)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.failed) && !(len(got) == 0 && tc.failed == nil) {
				t.Errorf("errors %v, want %v", got, tc.failed)
			}
			if total != len(b.numbers) {
				t.Errorf("%d numbers accounted for, want %d", total, len(b.numbers))
			}
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Config{Accounts: []string{"9900000"}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.BatchSize != 5000 || cfg.BatchLinger.Seconds() != 1 || cfg.MaxInflightPerJob != 4 || cfg.MaxInflightOrders != 64 {
		t.Errorf("defaults %+v", cfg)
	}
	for _, bad := range []Config{
		{},
		{Accounts: []string{"abc"}},
		{Accounts: []string{"1"}, BatchSize: 5001},
		{Accounts: []string{"1"}, MaxInflightPerJob: -1},
	} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}
