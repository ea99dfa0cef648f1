package service

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
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
	s := &Service{accounts: map[string]struct{}{"9900000": {}}}
	f.Fuzz(func(t *testing.T, account, orderID, requestID string, validate bool, account2, orderID2, requestID2 string, validate2 bool) {
		req := &tnassignv1.AssignNumbersRequest{AccountId: account, CustomerOrderId: orderID, RequestId: requestID, ValidateOnly: validate}
		p, err := s.checkFirst(req)
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
		if p.accountID != "9900000" || customerOrderIDProblem(p.customerOrderID) != "" || requestIDProblem(p.requestID) != "" {
			t.Fatalf("accepted %+v", p)
		}
		later := &tnassignv1.AssignNumbersRequest{AccountId: account2, CustomerOrderId: orderID2, RequestId: requestID2, ValidateOnly: validate2}
		if err := p.checkLater(later); err != nil {
			if status.Code(statusOf(err, "")) != codes.InvalidArgument {
				t.Fatalf("a later message refused with %v", err)
			}
		} else if account2 != "" && account2 != p.accountID {
			t.Fatalf("a later message switched the account to %q", account2)
		}
	})
}
