package service

import (
	"context"
	"log/slog"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// event is one response event. Both RPCs' responses carry the same oneof of the same messages,
// so the pipeline builds AssignNumbersResponse values and each RPC converts at the edge.
type event = tnassignv1.AssignNumbersResponse

// sender is the only goroutine that sends on a call's response stream. Events are queued in a
// small channel: when the caller reads slowly, pushers block, which holds order slots and in turn
// stops the request reader, so a slow reader slows its own job and nothing else.
type sender struct {
	ch   chan *event
	done chan struct{}
	// ctx ends pushes when the service is forced down while a caller is not reading.
	ctx context.Context
}

// senderQueue is the number of events queued for the stream before pushers block.
const senderQueue = 16

// startSender starts the goroutine that sends events through send, converted by wrap. After a
// send fails (the caller went away), later events are dropped: the job still runs to its end and
// records every outcome.
func startSender[Resp any](ctx context.Context, send func(*Resp) error, wrap func(*event) *Resp, log *slog.Logger) *sender {
	s := &sender{ch: make(chan *event, senderQueue), done: make(chan struct{}), ctx: ctx}
	go func() {
		defer close(s.done)
		var failed bool
		for ev := range s.ch {
			if failed {
				continue
			}
			if err := send(wrap(ev)); err != nil {
				failed = true
				log.Debug("response stream broken; dropping later events", "err", err)
			}
		}
	}()
	return s
}

// push queues ev; it blocks while the queue is full, unless the service is forced down.
func (s *sender) push(ev *event) {
	select {
	case s.ch <- ev:
	case <-s.ctx.Done():
	}
}

// close sends what is queued and waits for the sender to finish. No push may follow.
func (s *sender) close() {
	close(s.ch)
	<-s.done
}

func startedEvent(jobID, accountID string, action tnassignv1.Action) *event {
	return &event{Event: &tnassignv1.AssignNumbersResponse_Started{Started: &tnassignv1.JobStarted{
		JobId: jobID, AccountId: accountID, Action: action,
	}}}
}

func rejectedEvent(rs []*tnassignv1.RejectedNumber) *event {
	return &event{Event: &tnassignv1.AssignNumbersResponse_Rejected{Rejected: &tnassignv1.NumbersRejected{Numbers: rs}}}
}

func orderEvent(o *tnassignv1.OrderSettled) *event {
	return &event{Event: &tnassignv1.AssignNumbersResponse_Order{Order: o}}
}

func finishedEvent(f *tnassignv1.JobFinished) *event {
	return &event{Event: &tnassignv1.AssignNumbersResponse_Finished{Finished: f}}
}

// assignResponse is the identity: events already are AssignNumbersResponse values.
func assignResponse(ev *event) *tnassignv1.AssignNumbersResponse { return ev }

// unassignResponse carries an event's message over to an UnassignNumbersResponse.
func unassignResponse(ev *event) *tnassignv1.UnassignNumbersResponse {
	r := &tnassignv1.UnassignNumbersResponse{}
	switch e := ev.GetEvent().(type) {
	case *tnassignv1.AssignNumbersResponse_Started:
		r.Event = &tnassignv1.UnassignNumbersResponse_Started{Started: e.Started}
	case *tnassignv1.AssignNumbersResponse_Rejected:
		r.Event = &tnassignv1.UnassignNumbersResponse_Rejected{Rejected: e.Rejected}
	case *tnassignv1.AssignNumbersResponse_Order:
		r.Event = &tnassignv1.UnassignNumbersResponse_Order{Order: e.Order}
	case *tnassignv1.AssignNumbersResponse_Finished:
		r.Event = &tnassignv1.UnassignNumbersResponse_Finished{Finished: e.Finished}
	}
	return r
}

// maxRejectedEventBytes caps the caller text carried by one rejected event, so that a request
// message full of bad numbers never yields a response above the clients' default 4 MiB limit.
const maxRejectedEventBytes = 256 << 10

// rejectionBuffer gathers one request message's rejections into events of bounded size.
type rejectionBuffer struct {
	chunks [][]*tnassignv1.RejectedNumber
	cur    []*tnassignv1.RejectedNumber
	size   int
}

func (b *rejectionBuffer) add(text string, reason tnassignv1.RejectionReason, detail string) {
	if b.size+len(text) > maxRejectedEventBytes && len(b.cur) > 0 {
		b.chunks = append(b.chunks, b.cur)
		b.cur, b.size = nil, 0
	}
	b.cur = append(b.cur, &tnassignv1.RejectedNumber{TelephoneNumber: text, Reason: reason, Detail: detail})
	b.size += len(text) + len(detail) + 8
}

// take returns the gathered rejections in event-sized chunks and empties the buffer.
func (b *rejectionBuffer) take() [][]*tnassignv1.RejectedNumber {
	if len(b.cur) > 0 {
		b.chunks = append(b.chunks, b.cur)
	}
	out := b.chunks
	b.chunks, b.cur, b.size = nil, nil, 0
	return out
}
