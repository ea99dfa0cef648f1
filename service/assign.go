package service

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
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
//
// A call repeating the request_id of an existing job of the account starts nothing: it replays
// that job's recorded events (with the original job id), then its live ones until it finishes,
// and ends with OK. The numbers of the repeated call are not read: a replay only reports, and
// the original job's numbers are the ones that count.
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
	j, existing, err := s.startJob(ctx, ctx, action, params)
	if err != nil {
		return statusOf(err, "")
	}
	if existing != nil {
		s.work.add(-1) // a replay holds up no shutdown
		defer s.work.add(1)
		return s.replay(ctx, *existing, func(ev *event) error { return stream.Send(wrap(ev)) })
	}
	j.events = startSender(s.ctx, stream.Send, wrap, j.log)
	j.emit(startedEvent(j.id, params.accountID, protoAction(action)))
	next := func() ([]string, error) {
		msg, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		case err != nil:
			return nil, &streamBroken{err}
		}
		// A contradicting message's numbers are counted, not submitted; so are those of a
		// message cutting the input short.
		if e := PReq(msg).GetInputError(); e != "" {
			return PReq(msg).GetTelephoneNumbers(), &inputCut{detail: truncateText(e, maxInputErrorLen)}
		}
		return PReq(msg).GetTelephoneNumbers(), params.checkLater(PReq(msg))
	}
	return j.run(PReq(first).GetTelephoneNumbers(), next, true)
}

// run feeds the job its numbers, first and then each batch next returns until io.EOF, and
// finishes it. Any other error from next stops the job (its numbers are recorded as not
// submitted). With parked, next waits for a caller: while it does, the job holds up no shutdown.
func (j *job) run(first []string, next func() ([]string, error), parked bool) error {
	j.startBatching()
	j.take(first)
	if !j.stopped() {
		j.readAll(next, parked)
	}
	if j.stopped() {
		// Stopped by the caller going away, a shutdown or a lost lease; no-op otherwise.
		j.stop(context.Cause(j.intake))
	}
	return j.finish()
}

// message is what one call of a job's input returned.
type message struct {
	nums []string
	err  error
}

// readAll takes what next returns until io.EOF, an error, or the job stops. next runs in a
// goroutine of its own, so that a job that stops (a shutdown, a lost lease, a fatal upstream
// error) stops reading at once, even while next waits for the caller: a message that arrives
// after the stop is left unread, and the job's count of numbers read tells the caller where its
// input was cut. The goroutine ends when next returns after readAll did (for a stream: when the
// call ends, which makes Recv fail).
func (j *job) readAll(next func() ([]string, error), parked bool) {
	msgs := make(chan message)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			nums, err := next()
			select {
			case msgs <- message{nums, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		if parked {
			j.s.work.add(-1)
		}
		var m message
		got := false
		select {
		case m = <-msgs:
			got = true
		case <-j.intake.Done():
		}
		if parked {
			j.s.work.add(1)
		}
		switch {
		case !got || j.stopped():
			return
		case errors.Is(m.err, io.EOF):
			j.inputEnded = true
			return
		case m.err != nil:
			j.stop(m.err)
			j.take(m.nums)
			return
		}
		j.take(m.nums)
	}
}

// replay streams an existing job's events to a caller who repeated its request_id. The caller
// is told the outcome of the original job; the call ends with OK once `finished` is sent.
func (s *Service) replay(ctx context.Context, existing ledger.Job, send func(*event) error) error {
	err := s.follow(ctx, existing, send)
	if err != nil {
		var se *storeError
		if errors.As(err, &se) {
			s.log.Error("replaying a job failed", "job_id", existing.ID, "err", err)
		}
		return statusOf(err, existing.ID)
	}
	return nil
}
