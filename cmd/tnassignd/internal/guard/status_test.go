package guard

import (
	"context"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

// TestRefusalReasonsAreErrorReasons makes the guard refuse a call in every
// way it can, through its interceptors, and checks that each status carries
// one ErrorInfo naming a value of the API's ErrorReason enum, by the value's
// name, in the domain tnassign, with the code the enum documents. The cases
// together must produce every reason the guard sends (REQUEST_TOO_LARGE, the
// gateway's, is checked in the server package; internal/errorinfo checks
// that every value is sent by someone).
func TestRefusalReasonsAreErrorReasons(t *testing.T) {
	t.Parallel()
	ts, err := ParseTokens([]byte(testTokensJSON()))
	if err != nil {
		t.Fatal(err)
	}
	g := New(Config{Tokens: NewTokenStore(ts), Limits: Limits{MaxNumbersPerJob: 2, MaxJobsPerCaller: 1}})
	// call runs a unary call through both of the guard's interceptors, as
	// the server chains them; inner, when set, is the handler.
	call := func(token, method string, req any, inner grpc.UnaryHandler) error {
		ctx := context.Background()
		if token != "" {
			ctx = metadata.NewIncomingContext(ctx, metadata.Pairs("authorization", "Bearer "+token))
		}
		if inner == nil {
			inner = func(context.Context, any) (any, error) { return nil, nil }
		}
		_, err := g.IdentifyUnary(ctx, req, &grpc.UnaryServerInfo{FullMethod: method}, func(ctx context.Context, req any) (any, error) {
			return g.Unary(ctx, req, &grpc.UnaryServerInfo{FullMethod: method}, inner)
		})
		return err
	}
	const (
		get    = tnassignv1.AssignmentService_GetAssignmentJob_FullMethodName
		create = tnassignv1.AssignmentService_CreateAssignmentJob_FullMethodName
	)
	job := func(action tnassignv1.Action, numbers ...string) *tnassignv1.CreateAssignmentJobRequest {
		return &tnassignv1.CreateAssignmentJobRequest{AccountId: "9900000", Action: action, TelephoneNumbers: numbers}
	}
	read := func(token, account string) func() error {
		return func() error { return call(token, get, &tnassignv1.GetAssignmentJobRequest{AccountId: account}, nil) }
	}
	tests := []struct {
		name   string
		call   func() error
		code   codes.Code
		reason tnassignv1.ErrorReason
	}{
		{"no token", read("", "9900000"), codes.Unauthenticated, tnassignv1.ErrorReason_TOKEN_MISSING},
		{"unknown token", read(unknownToken, "9900000"), codes.Unauthenticated, tnassignv1.ErrorReason_TOKEN_UNKNOWN},
		{"another account", read(billingToken, "9900001"), codes.PermissionDenied, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED},
		{"another action", func() error {
			return call(billingToken, create, job(tnassignv1.Action_ACTION_UNASSIGN, "9195550001"), nil)
		}, codes.PermissionDenied, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED},
		{"a method without a policy", func() error {
			return call(opsToken, "/tnassign.v1.AssignmentService/DeleteEverything", nil, nil)
		}, codes.PermissionDenied, tnassignv1.ErrorReason_METHOD_NOT_PERMITTED},
		{"too many numbers", func() error {
			return call(billingToken, create, job(tnassignv1.Action_ACTION_ASSIGN, "9195550001", "9195550002", "9195550003"), nil)
		}, codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_NUMBERS},
		{"too many jobs", func() error {
			// The second job arrives while the first is being submitted.
			var second error
			first := call(billingToken, create, job(tnassignv1.Action_ACTION_ASSIGN, "9195550001"), func(context.Context, any) (any, error) {
				second = call(billingToken, create, job(tnassignv1.Action_ACTION_ASSIGN, "9195550002"), nil)
				return nil, nil
			})
			if first != nil {
				t.Errorf("the first job: %v", first)
			}
			return second
		}, codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS},
	}
	sent := map[tnassignv1.ErrorReason]bool{}
	for _, tc := range tests {
		st := status.Convert(tc.call())
		var infos []*errdetails.ErrorInfo
		for _, d := range st.Details() {
			if info, ok := d.(*errdetails.ErrorInfo); ok {
				infos = append(infos, info)
			}
		}
		if len(infos) != 1 {
			t.Errorf("%s: %v has %d ErrorInfo details, want 1", tc.name, st.Err(), len(infos))
			continue
		}
		got := errorinfo.Parse(infos[0].GetReason())
		switch {
		case got == tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED:
			t.Errorf("%s: reason %q is not a value of ErrorReason", tc.name, infos[0].GetReason())
		case got != tc.reason:
			t.Errorf("%s: reason %s, want %s", tc.name, got, tc.reason)
		}
		if infos[0].GetDomain() != "tnassign" {
			t.Errorf("%s: domain %q", tc.name, infos[0].GetDomain())
		}
		if st.Code() != tc.code {
			t.Errorf("%s: code %v, want %v", tc.name, st.Code(), tc.code)
		}
		sent[got] = true
	}
	// Every reason the guard sends; a new one must be added to the enum and here.
	for _, r := range []tnassignv1.ErrorReason{
		tnassignv1.ErrorReason_TOKEN_MISSING, tnassignv1.ErrorReason_TOKEN_UNKNOWN,
		tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED,
		tnassignv1.ErrorReason_METHOD_NOT_PERMITTED, tnassignv1.ErrorReason_TOO_MANY_NUMBERS,
		tnassignv1.ErrorReason_TOO_MANY_JOBS,
	} {
		if !sent[r] {
			t.Errorf("no case produced %s", r)
		}
		delete(sent, r)
	}
	for r := range sent {
		t.Errorf("the guard sends %s, which the list of its reasons lacks", r)
	}
}
