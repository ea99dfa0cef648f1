package service

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// AssignNumbers marks the streamed numbers as assigned at Bandwidth. See the proto for the
// contract; the pipeline is shared with UnassignNumbers.
func (s *Service) AssignNumbers(stream tnassignv1.AssignmentService_AssignNumbersServer) error {
	return serve(s, stream, bandwidth.ActionAssign, assignResponse)
}

// UnassignNumbers marks the streamed numbers as unassigned at Bandwidth. It behaves exactly like
// AssignNumbers with the action UNASSIGN.
func (s *Service) UnassignNumbers(stream tnassignv1.AssignmentService_UnassignNumbersServer) error {
	return serve(s, stream, bandwidth.ActionUnassign, unassignResponse)
}

// serve runs one streaming call. The handler goroutine is the only one that reads the request
// stream: it blocks while the job has no room for another order (see batcher and dispatch), so
// gRPC flow control pushes back on the caller. One sender goroutine writes the response stream.
func serve[Req any, PReq interface {
	*Req
	request
}, Resp any](s *Service, stream grpc.BidiStreamingServer[Req, Resp], action bandwidth.Action, wrap func(*event) *Resp) error {
	if s.stopping.Err() != nil {
		return statusOf(errShuttingDown, "")
	}
	ctx := stream.Context()
	first, err := stream.Recv()
	if errors.Is(err, io.EOF) {
		return statusOf(invalidArgument("the request stream ended before its first message",
			violation("account_id", "is required in the first message")), "")
	}
	if err != nil {
		return statusOf(&streamBroken{err}, "")
	}
	s.work.add(1)
	defer s.work.add(-1)
	if s.stopping.Err() != nil {
		return statusOf(errShuttingDown, "")
	}
	params, err := s.checkFirst(PReq(first))
	if err != nil {
		return statusOf(err, "")
	}
	j, err := s.startJob(ctx, action, params)
	if err != nil {
		return statusOf(err, "")
	}
	j.events = startSender(s.ctx, stream.Send, wrap, j.log)
	j.events.push(startedEvent(j.id, params.accountID, protoAction(action)))
	j.take(PReq(first).GetTelephoneNumbers())
	for !j.stopped() {
		s.work.add(-1) // a job waiting for its caller holds up no shutdown
		msg, err := stream.Recv()
		s.work.add(1)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			j.stop(&streamBroken{err})
			break
		}
		if err := params.checkLater(PReq(msg)); err != nil {
			j.stop(err)
			j.take(PReq(msg).GetTelephoneNumbers()) // counted, not submitted
			break
		}
		j.take(PReq(msg).GetTelephoneNumbers())
	}
	if j.stopped() {
		// Stopped by the caller going away or a shutdown while not reading; no-op otherwise.
		j.stop(context.Cause(j.intake))
	}
	return j.finish()
}
