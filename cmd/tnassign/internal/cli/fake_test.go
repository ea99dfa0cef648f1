package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// fakeServer is an in-process AssignmentService that keeps the event
// contract: started first; rejections (as sent) after each message; an
// order per batch with every number in succeeded_numbers or errors; finished
// last, listing what it never submitted. Numbers whose first six digits are
// in owned succeed; others fail with 5076.
type fakeServer struct {
	tnassignv1.UnimplementedAssignmentServiceServer

	batchSize  int             // numbers per order; default 5000
	owned      map[string]bool // owned 6-digit prefixes
	abortAfter int             // >0: fail with UNAVAILABLE once this many numbers arrived
	afterFirst func()          // called once the first message is read

	mu     sync.Mutex
	firsts []*tnassignv1.AssignNumbersRequest // the first message of every call
	msgs   int
}

func newFake() *fakeServer {
	return &fakeServer{batchSize: 5000, owned: map[string]bool{"919555": true, "415871": true}}
}

func (f *fakeServer) AssignNumbers(s tnassignv1.AssignmentService_AssignNumbersServer) error {
	return f.serve(tnassignv1.Action_ACTION_ASSIGN, s.Recv, func(r *tnassignv1.AssignNumbersResponse) error { return s.Send(r) })
}

func (f *fakeServer) UnassignNumbers(s tnassignv1.AssignmentService_UnassignNumbersServer) error {
	recv := func() (*tnassignv1.AssignNumbersRequest, error) {
		m, err := s.Recv()
		if err != nil {
			return nil, err
		}
		return &tnassignv1.AssignNumbersRequest{AccountId: m.AccountId, TelephoneNumbers: m.TelephoneNumbers,
			CustomerOrderId: m.CustomerOrderId, RequestId: m.RequestId, ValidateOnly: m.ValidateOnly}, nil
	}
	send := func(r *tnassignv1.AssignNumbersResponse) error {
		out := &tnassignv1.UnassignNumbersResponse{}
		switch e := r.Event.(type) {
		case *tnassignv1.AssignNumbersResponse_Started:
			out.Event = &tnassignv1.UnassignNumbersResponse_Started{Started: e.Started}
		case *tnassignv1.AssignNumbersResponse_Rejected:
			out.Event = &tnassignv1.UnassignNumbersResponse_Rejected{Rejected: e.Rejected}
		case *tnassignv1.AssignNumbersResponse_Order:
			out.Event = &tnassignv1.UnassignNumbersResponse_Order{Order: e.Order}
		case *tnassignv1.AssignNumbersResponse_Finished:
			out.Event = &tnassignv1.UnassignNumbersResponse_Finished{Finished: e.Finished}
		}
		return s.Send(out)
	}
	return f.serve(tnassignv1.Action_ACTION_UNASSIGN, recv, send)
}

func (f *fakeServer) serve(action tnassignv1.Action, recv func() (*tnassignv1.AssignNumbersRequest, error), send func(*tnassignv1.AssignNumbersResponse) error) error {
	first, err := recv()
	if err != nil {
		return err
	}
	f.mu.Lock()
	f.firsts = append(f.firsts, first)
	f.mu.Unlock()
	switch first.GetAccountId() {
	case "":
		st, _ := status.New(codes.InvalidArgument, "account_id is required").WithDetails(&errdetails.BadRequest{
			FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: "account_id", Description: "required in the first message"}}})
		return st.Err()
	case "denied":
		return status.Error(codes.PermissionDenied, "account denied is not served here")
	}
	if f.afterFirst != nil {
		f.afterFirst()
	}
	if err := send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Started{Started: &tnassignv1.JobStarted{
		JobId: "job-1", AccountId: first.GetAccountId(), Action: action}}}); err != nil {
		return err
	}
	fin := &tnassignv1.JobFinished{}
	seen := map[string]bool{}
	var batch []string
	orders := 0
	flush := func(n int) error {
		for len(batch) >= n && len(batch) > 0 {
			size := min(len(batch), f.batchSize)
			orders++
			o := f.settle(fmt.Sprintf("order-%d", orders), batch[:size])
			batch = batch[size:]
			fin.SucceededCount += int64(len(o.SucceededNumbers))
			for _, e := range o.Errors {
				fin.FailedCount += int64(len(e.TelephoneNumbers))
			}
			if err := send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Order{Order: o}}); err != nil {
				return err
			}
		}
		return nil
	}
	finish := func(state tnassignv1.JobState) error {
		fin.State = state
		fin.NotSubmittedNumbers = append(fin.NotSubmittedNumbers, batch...)
		fin.NotSubmittedCount = int64(len(fin.NotSubmittedNumbers))
		return send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Finished{Finished: fin}})
	}
	for req := first; ; {
		f.mu.Lock()
		f.msgs++
		f.mu.Unlock()
		rej := &tnassignv1.NumbersRejected{}
		for i, raw := range req.GetTelephoneNumbers() {
			fin.ReceivedCount++
			canon, ok := fakeNormalize(raw)
			switch {
			case !ok:
				rej.Numbers = append(rej.Numbers, &tnassignv1.RejectedNumber{TelephoneNumber: raw,
					Reason: tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT, Detail: "not a 10-digit NANP number"})
			case seen[canon]:
				rej.Numbers = append(rej.Numbers, &tnassignv1.RejectedNumber{TelephoneNumber: raw,
					Reason: tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE, Detail: "already in this job"})
			default:
				seen[canon] = true
				batch = append(batch, canon)
			}
			if f.abortAfter > 0 && fin.ReceivedCount >= int64(f.abortAfter) {
				// Stop here: the rest of this message was received but
				// never normalized, so it is listed as sent.
				fin.RejectedCount += int64(len(rej.Numbers))
				if len(rej.Numbers) > 0 {
					if err := send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Rejected{Rejected: rej}}); err != nil {
						return err
					}
				}
				batch = append(batch, req.GetTelephoneNumbers()[i+1:]...)
				fin.ReceivedCount += int64(len(req.GetTelephoneNumbers()) - i - 1)
				if err := finish(tnassignv1.JobState_JOB_STATE_FAILED); err != nil {
					return err
				}
				return status.Error(codes.Unavailable, "bandwidth is down")
			}
		}
		if len(rej.Numbers) > 0 {
			fin.RejectedCount += int64(len(rej.Numbers))
			if err := send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Rejected{Rejected: rej}}); err != nil {
				return err
			}
		}
		if !first.GetValidateOnly() {
			if err := flush(f.batchSize); err != nil {
				return err
			}
		}
		var err error
		req, err = recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
	}
	if !first.GetValidateOnly() {
		if err := flush(1); err != nil {
			return err
		}
	}
	state := tnassignv1.JobState_JOB_STATE_PARTIAL
	switch {
	case fin.RejectedCount+fin.FailedCount == 0:
		state = tnassignv1.JobState_JOB_STATE_SUCCEEDED
	case fin.SucceededCount == 0:
		state = tnassignv1.JobState_JOB_STATE_FAILED
	}
	return finish(state)
}

func (f *fakeServer) settle(id string, numbers []string) *tnassignv1.OrderSettled {
	o := &tnassignv1.OrderSettled{OrderId: id, CustomerOrderId: "c-" + id}
	var notOwned []string
	for _, n := range numbers {
		if f.owned[n[:6]] {
			o.SucceededNumbers = append(o.SucceededNumbers, n)
		} else {
			notOwned = append(notOwned, n)
		}
	}
	switch {
	case len(notOwned) == 0:
		o.ProcessingStatus = tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE
	case len(o.SucceededNumbers) == 0:
		o.ProcessingStatus = tnassignv1.ProcessingStatus_PROCESSING_STATUS_FAILED
	default:
		o.ProcessingStatus = tnassignv1.ProcessingStatus_PROCESSING_STATUS_PARTIAL
	}
	if len(notOwned) > 0 {
		o.Errors = []*tnassignv1.OrderError{{Code: 5076, Description: "Number does not belong to this account.", TelephoneNumbers: notOwned}}
	}
	return o
}

// fakeNormalize is the server's documented rule, written independently of
// rows.Key: punctuation " -().", an optional +1 or 1, ten digits, area code
// and exchange starting with 2-9.
func fakeNormalize(s string) (string, bool) {
	s = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(s)
	s = strings.TrimPrefix(s, "+")
	if len(s) == 11 && s[0] == '1' {
		s = s[1:]
	}
	if len(s) != 10 || strings.Trim(s, "0123456789") != "" || s[0] < '2' || s[3] < '2' {
		return "", false
	}
	return s, true
}

// startFake serves f over bufconn and returns the dial options that reach it
// (with --server passthrough:///bufnet).
func startFake(t *testing.T, f *fakeServer) []grpc.DialOption {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	tnassignv1.RegisterAssignmentServiceServer(srv, f)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	t.Cleanup(func() {
		srv.Stop()
		<-done
	})
	return []grpc.DialOption{grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	})}
}
