package guard

import (
	"context"
	"errors"
	"io"
	"testing"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	h := authHarness(t, Config{})
	ctx := context.Background()
	get := &tnassignv1.GetAssignmentJobRequest{AccountId: "9900000", JobId: "j"}
	tests := []struct {
		name   string
		ctx    context.Context
		reason tnassignv1.ErrorReason
	}{
		{"no token", ctx, tnassignv1.ErrorReason_TOKEN_MISSING},
		{"unknown token", withToken(unknownToken), tnassignv1.ErrorReason_TOKEN_UNKNOWN},
		{"not a bearer token", metadata.AppendToOutgoingContext(ctx, "authorization", "Basic "+billingToken), tnassignv1.ErrorReason_TOKEN_MISSING},
		{"bearer without a token", metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "), tnassignv1.ErrorReason_TOKEN_MISSING},
		{"two tokens", metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+billingToken, "authorization", "Bearer "+opsToken), tnassignv1.ErrorReason_TOKEN_MISSING},
		{"the digest instead of the token", withToken(digest(billingToken)), tnassignv1.ErrorReason_TOKEN_UNKNOWN},
	}
	for _, tc := range tests {
		t.Run(tc.name+" unary", func(t *testing.T) {
			_, err := h.client.GetAssignmentJob(tc.ctx, get)
			wantRefusal(t, err, codes.Unauthenticated, tc.reason)
		})
		t.Run(tc.name+" stream", func(t *testing.T) {
			s, err := h.client.AssignNumbers(tc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			_ = s.Send(first("9900000", "9195550001"))
			_, err = s.Recv()
			wantRefusal(t, err, codes.Unauthenticated, tc.reason)
		})
	}
	if got := h.served(); len(got) != 0 {
		t.Errorf("the service was called without a valid token: %v", got)
	}
	// The scheme is case-insensitive, as RFC 9110 says.
	if _, err := h.client.GetAssignmentJob(metadata.AppendToOutgoingContext(ctx, "authorization", "bearer "+billingToken), get); err != nil {
		t.Errorf("lower-case bearer: %v", err)
	}
}

func TestAuthorization(t *testing.T) {
	t.Parallel()
	h := authHarness(t, Config{})
	create := func(account string, a tnassignv1.Action) *tnassignv1.CreateAssignmentJobRequest {
		return &tnassignv1.CreateAssignmentJobRequest{AccountId: account, Action: a, TelephoneNumbers: []string{"9195550001"}}
	}
	const allowed = tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED
	tests := []struct {
		name   string
		call   func() error
		reason tnassignv1.ErrorReason // unset when allowed
	}{
		{"own account, assign", func() error { return h.assign(billingToken, first("9900000", "9195550001")) }, allowed},
		{"account A's token on account B (stream)", func() error { return h.assign(billingToken, first("9900001", "9195550001")) }, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED},
		{"later message switches account", func() error {
			return h.assign(billingToken, first("9900000", "9195550001"), first("9900001", "9195550002"))
		}, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED},
		{"assign-only token unassigns", func() error {
			s, err := h.client.UnassignNumbers(withToken(billingToken))
			if err != nil {
				return err
			}
			_ = s.Send(&tnassignv1.UnassignNumbersRequest{AccountId: "9900000", TelephoneNumbers: []string{"9195550001"}})
			_ = s.CloseSend()
			_, err = s.Recv()
			return err
		}, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED},
		{"assign-only token creates an unassign job", func() error {
			_, err := h.client.CreateAssignmentJob(withToken(billingToken), create("9900000", tnassignv1.Action_ACTION_UNASSIGN))
			return err
		}, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED},
		{"create an assign job", func() error {
			_, err := h.client.CreateAssignmentJob(withToken(billingToken), create("9900000", tnassignv1.Action_ACTION_ASSIGN))
			return err
		}, allowed},
		{"account A's token on account B (unary)", func() error {
			_, err := h.client.GetAssignmentJob(withToken(billingToken), &tnassignv1.GetAssignmentJobRequest{AccountId: "9900001"})
			return err
		}, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED},
		{"read-only token assigns", func() error { return h.assign(readerToken, first("9900000", "9195550001")) }, tnassignv1.ErrorReason_ACTION_NOT_PERMITTED},
		{"read-only token reads", func() error {
			_, err := h.client.GetAssignmentJob(withToken(readerToken), &tnassignv1.GetAssignmentJobRequest{AccountId: "9900001"})
			return err
		}, allowed},
		{"watch another account", func() error {
			s, err := h.client.WatchAssignmentJob(withToken(billingToken), &tnassignv1.WatchAssignmentJobRequest{AccountId: "9900001", JobId: "j"})
			if err != nil {
				return err
			}
			_, err = s.Recv()
			return err
		}, tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED},
		{"wildcard account", func() error { return h.assign(opsToken, first("1234567", "9195550001")) }, allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.reason == allowed {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			wantRefusal(t, err, codes.PermissionDenied, tc.reason)
		})
	}
}

func TestHealthOpenReflectionNeedsAToken(t *testing.T) {
	t.Parallel()
	h := authHarness(t, Config{})
	if _, err := healthpb.NewHealthClient(h.conn).Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
		t.Errorf("health without a token: %v", err)
	}
	list := func(ctx context.Context) error {
		s, err := grpc_reflection_v1.NewServerReflectionClient(h.conn).ServerReflectionInfo(ctx)
		if err != nil {
			return err
		}
		// io.EOF: the server already ended the call (a refusal); Recv tells its status.
		if err := s.Send(&grpc_reflection_v1.ServerReflectionRequest{MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}}); err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		_, err = s.Recv()
		_ = s.CloseSend()
		return err
	}
	wantRefusal(t, list(context.Background()), codes.Unauthenticated, tnassignv1.ErrorReason_TOKEN_MISSING)
	if err := list(withToken(readerToken)); err != nil {
		t.Errorf("reflection with a valid token: %v", err)
	}
}

// TestEveryMethodHasARule: a method added to the API without a policy would
// be refused when authentication is on; this keeps the table complete.
func TestEveryMethodHasARule(t *testing.T) {
	t.Parallel()
	desc := tnassignv1.AssignmentService_ServiceDesc
	var names []string
	for _, m := range desc.Methods {
		names = append(names, m.MethodName)
	}
	for _, s := range desc.Streams {
		names = append(names, s.StreamName)
	}
	for _, n := range names {
		r := ruleFor("/" + desc.ServiceName + "/" + n)
		if r.deny || r.open || (r.action == "" && r.byRequest == nil) {
			t.Errorf("%s has no action in the access policy", n)
		}
	}
	if r := ruleFor("/tnassign.v1.AssignmentService/DeleteEverything"); !r.deny {
		t.Error("an unknown method is not denied")
	}
}

func TestNoAuthAllowsEverything(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{})
	if err := h.assign("", first("9900001", "9195550001")); err != nil {
		t.Errorf("without authentication: %v", err)
	}
}
