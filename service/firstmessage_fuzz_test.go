package service

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

// FuzzFirstMessage: whatever the first (and a later) message holds,
// validation never panics, accepts only a well-formed first message for an
// allowed account, and refuses with INVALID_ARGUMENT or PERMISSION_DENIED
// carrying the service's ErrorInfo and small details.
func FuzzFirstMessage(f *testing.F) {
	f.Add("9900000", "order 1", "req-1", false, "9900000", "", "", true)
	f.Add("", "", "", false, "", "", "", false)
	f.Add("12a", "bad_id!", "\x00", true, "9900001", "x", "y", true)
	f.Add("9900001", "", "", false, "", "", "", false)
	f.Add("99000000000000000000000", "0123456789012345678901234567890123", "\u00e9", false, "9900000", "order 1", "req-2", false)
	s, err := New(Config{Accounts: []string{"9900000"}}, noUpstream{}, memory.New(), nil, nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Shutdown(context.Background()) })
	f.Fuzz(func(t *testing.T, account, orderID, requestID string, validate bool, account2, orderID2, requestID2 string, validate2 bool) {
		req := &tnassignv1.AssignNumbersRequest{AccountId: account, CustomerOrderId: orderID, RequestId: requestID, ValidateOnly: validate}
		p, err := s.checkFirst(req, ledger.ActionAssign)
		if err != nil {
			st := status.Convert(statusOf(err, ""))
			if st.Code() != codes.InvalidArgument && st.Code() != codes.PermissionDenied {
				t.Fatalf("refused with %v", st.Code())
			}
			if len(st.Details()) == 0 || len(st.Proto().String()) > 8<<10 {
				t.Fatalf("status details missing or too large: %d bytes", len(st.Proto().String()))
			}
			return
		}
		if p.AccountID != "9900000" || jobs.CustomerOrderIDProblem(p.CustomerOrderID) != "" || jobs.RequestIDProblem(p.RequestID) != "" {
			t.Fatalf("accepted %+v", p)
		}
		later := &tnassignv1.AssignNumbersRequest{AccountId: account2, CustomerOrderId: orderID2, RequestId: requestID2, ValidateOnly: validate2}
		if err := checkLater(p, later); err != nil {
			if status.Code(statusOf(err, "")) != codes.InvalidArgument {
				t.Fatalf("a later message refused with %v", err)
			}
		} else if account2 != "" && account2 != p.AccountID {
			t.Fatalf("a later message switched the account to %q", account2)
		}
	})
}

// noUpstream is a Bandwidth that refuses everything: the checks under test send nothing.
type noUpstream struct{}

var errNoUpstream = errors.New("no upstream in this test")

func (noUpstream) CreateOrder(context.Context, string, bandwidth.Order, ...bandwidth.CreateOption) (*bandwidth.OrderResponse, error) {
	return nil, errNoUpstream
}

func (noUpstream) AwaitOrder(context.Context, string, string) (*bandwidth.OrderResponse, error) {
	return nil, errNoUpstream
}

func (noUpstream) FindOrder(context.Context, string, string) (*bandwidth.OrderResponse, error) {
	return nil, errNoUpstream
}

func (noUpstream) CreateLookupWindow() time.Duration { return 0 }
