package main

import (
	"context"
	"errors"
	"io"
	"sync"

	"google.golang.org/grpc"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// numbersStream is an AssignNumbers or UnassignNumbers client stream.
type numbersStream interface {
	send(first bool, u *unit, numbers []string) error
	recv() (eventMsg, error)
	CloseSend() error
}

// assignStream adapts the AssignNumbers stream.
type assignStream struct {
	grpc.BidiStreamingClient[tnassignv1.AssignNumbersRequest, tnassignv1.AssignNumbersResponse]
}

func (s assignStream) send(first bool, u *unit, numbers []string) error {
	req := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: numbers}
	if first {
		req.AccountId, req.RequestId, req.CustomerOrderId = accountID, u.requestID, u.customerOrderID
	}
	return s.Send(req)
}

func (s assignStream) recv() (eventMsg, error) { return s.Recv() }

// unassignStream adapts the UnassignNumbers stream.
type unassignStream struct {
	grpc.BidiStreamingClient[tnassignv1.UnassignNumbersRequest, tnassignv1.UnassignNumbersResponse]
}

func (s unassignStream) send(first bool, u *unit, numbers []string) error {
	req := &tnassignv1.UnassignNumbersRequest{TelephoneNumbers: numbers}
	if first {
		req.AccountId, req.RequestId, req.CustomerOrderId = accountID, u.requestID, u.customerOrderID
	}
	return s.Send(req)
}

func (s unassignStream) recv() (eventMsg, error) { return s.Recv() }

// openStream starts u's call.
func openStream(ctx context.Context, client tnassignv1.AssignmentServiceClient, u *unit) (numbersStream, error) {
	if u.action == tnassignv1.Action_ACTION_UNASSIGN {
		s, err := client.UnassignNumbers(ctx)
		return unassignStream{s}, err
	}
	s, err := client.AssignNumbers(ctx)
	return assignStream{s}, err
}

// callGRPC streams u's entries in the planned messages while reading the events, and returns
// what the call showed and its status.
func callGRPC(ctx context.Context, client tnassignv1.AssignmentServiceClient, u *unit, msgs []message) callResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res := callResult{view: newCallView()}
	stream, err := openStream(ctx, client, u)
	if err != nil {
		res.err = err
		return res
	}
	texts := u.texts()
	var wg sync.WaitGroup
	var sent int
	wg.Go(func() {
		off := 0
		for i, m := range msgs {
			if sleep(ctx, m.pause) != nil || stream.send(i == 0, u, texts[off:off+m.n]) != nil {
				return // the receiving side learns why
			}
			off += m.n
			sent = off
		}
		_ = stream.CloseSend()
	})
	for {
		ev, err := stream.recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			res.err = err
			break
		}
		res.view.apply(ev)
	}
	cancel() // unblocks a send the server no longer reads
	wg.Wait()
	res.sent = sent
	return res
}
