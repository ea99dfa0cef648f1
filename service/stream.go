package service

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"

	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// serve runs one streaming call as a job of the engine. The handler's first Recv reads the
// first message, which is checked before anything starts; the job then reads the rest through
// next, and stops reading while it has no room for another order, so gRPC flow control pushes
// back on the caller. The engine's one sender goroutine writes the response stream, each event
// converted by wrap.
//
// A call repeating the request_id of an existing job of the account starts nothing: it replays
// that job's recorded events (with the original job id), then its live ones until it finishes,
// and ends with OK. The numbers of the repeated call are not read: a replay only reports, and
// the original job's numbers are the ones that count.
func serve[Req any, PReq interface {
	*Req
	request
}, Resp any](s *Service, stream grpc.BidiStreamingServer[Req, Resp], action ledger.Action, wrap func(jobs.Event) *Resp) error {
	if s.engine.Stopping() {
		return statusOf(jobs.ErrShuttingDown, "")
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
	if s.engine.Stopping() {
		return statusOf(jobs.ErrShuttingDown, "")
	}
	params, err := s.checkFirst(PReq(first), action)
	if err != nil {
		return statusOf(err, "")
	}
	j, existing, err := s.engine.Start(ctx, params)
	if err != nil {
		return statusOf(err, "")
	}
	if existing != nil {
		return s.replay(ctx, *existing, func(ev jobs.Event) error { return stream.Send(wrap(ev)) })
	}
	next := func() ([]string, error) {
		msg, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF):
			return nil, io.EOF
		case err != nil:
			return nil, inputError(&streamBroken{err}, true)
		}
		// A contradicting message's numbers are counted, not submitted; so are those of a
		// message cutting the input short.
		if e := PReq(msg).GetInputError(); e != "" {
			return PReq(msg).GetTelephoneNumbers(), inputError(&inputCut{detail: truncateText(e, maxInputErrorLen)}, true)
		}
		if err := checkLater(params, PReq(msg)); err != nil {
			return PReq(msg).GetTelephoneNumbers(), inputError(err, false)
		}
		return PReq(msg).GetTelephoneNumbers(), nil
	}
	err = j.Run(func(ev jobs.Event) error { return stream.Send(wrap(ev)) }, PReq(first).GetTelephoneNumbers(), next)
	return statusOf(err, j.ID())
}

// replay streams an existing job's events to a caller who repeated its request_id. The caller
// is told the outcome of the original job; the call ends with OK once `finished` is sent.
func (s *Service) replay(ctx context.Context, existing ledger.Job, send jobs.Send) error {
	err := s.engine.Follow(ctx, existing, send)
	if err != nil {
		var se *jobs.StoreError
		if errors.As(err, &se) {
			s.log.Error("replaying a job failed", "job_id", existing.ID, "err", err)
		}
		return statusOf(err, existing.ID)
	}
	return nil
}
