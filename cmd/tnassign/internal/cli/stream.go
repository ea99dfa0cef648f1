package cli

import (
	"context"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// event is one response of either streaming RPC; exactly one field is set.
type event struct {
	started  *tnassignv1.JobStarted
	rejected *tnassignv1.NumbersRejected
	order    *tnassignv1.OrderSettled
	finished *tnassignv1.JobFinished
}

// callStream hides the difference between AssignNumbers and
// UnassignNumbers, whose messages have the same fields.
type callStream interface {
	Send(*tnassignv1.AssignNumbersRequest) error
	Recv() (event, error)
	CloseSend() error
}

// openStream starts the RPC for action.
func openStream(ctx context.Context, c tnassignv1.AssignmentServiceClient, action tnassignv1.Action) (callStream, error) {
	if action == tnassignv1.Action_ACTION_UNASSIGN {
		s, err := c.UnassignNumbers(ctx)
		return unassignStream{s}, err
	}
	s, err := c.AssignNumbers(ctx)
	return assignStream{s}, err
}

type assignStream struct {
	s tnassignv1.AssignmentService_AssignNumbersClient
}

func (a assignStream) Send(r *tnassignv1.AssignNumbersRequest) error { return a.s.Send(r) }
func (a assignStream) CloseSend() error                              { return a.s.CloseSend() }
func (a assignStream) Recv() (event, error) {
	m, err := a.s.Recv()
	if err != nil {
		return event{}, err
	}
	return event{m.GetStarted(), m.GetRejected(), m.GetOrder(), m.GetFinished()}, nil
}

type unassignStream struct {
	s tnassignv1.AssignmentService_UnassignNumbersClient
}

func (u unassignStream) Send(r *tnassignv1.AssignNumbersRequest) error {
	return u.s.Send(&tnassignv1.UnassignNumbersRequest{
		AccountId:        r.GetAccountId(),
		TelephoneNumbers: r.GetTelephoneNumbers(),
		CustomerOrderId:  r.GetCustomerOrderId(),
		RequestId:        r.GetRequestId(),
		ValidateOnly:     r.GetValidateOnly(),
	})
}
func (u unassignStream) CloseSend() error { return u.s.CloseSend() }
func (u unassignStream) Recv() (event, error) {
	m, err := u.s.Recv()
	if err != nil {
		return event{}, err
	}
	return event{m.GetStarted(), m.GetRejected(), m.GetOrder(), m.GetFinished()}, nil
}
