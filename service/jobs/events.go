package jobs

import (
	"context"
	"log/slog"

	"github.com/tnassign/tnassign/service/ledger"
)

// Event is one thing a job reports, in this order: Started once; Rejected as numbers are
// refused; OrderSettled as each order settles; Finished last. Every number the job received
// appears exactly once in a Rejected, an OrderSettled, or the not-submitted list of Finished.
// The ledger holds what an event reports before the event is sent.
type Event interface{ event() }

// Started is a job's first event.
type Started struct {
	JobID     string
	AccountID string
	Action    ledger.Action
}

// Rejected reports numbers refused before they were sent: the caller's text, the reason and a
// detail.
type Rejected struct {
	Numbers []ledger.Rejection
}

// OrderSettled reports an order (one batch of the job) at its final state: which numbers
// succeeded and which failed with what error.
type OrderSettled struct {
	CustomerOrderID string
	Settlement      ledger.Settlement
}

// Finished is a job's last event: its final state and counts, the numbers it received but never
// sent, and, when it stopped early, why.
type Finished struct {
	State        ledger.State
	Counts       ledger.Counts
	NotSubmitted []string
	Failure      Reason
}

func (Started) event()      {}
func (Rejected) event()     {}
func (OrderSettled) event() {}
func (Finished) event()     {}

// Send delivers one event to a job's caller; an error means the caller cannot be reached any
// more. It may block while the caller reads slowly: that slows the job down (see sender).
type Send func(Event) error

// sender is the only goroutine that delivers a job's events. Events are queued in a small
// channel: when the caller reads slowly, pushers block, which holds order slots and in turn
// stops the job's input, so a slow reader slows its own job and nothing else.
type sender struct {
	ch   chan Event
	done chan struct{}
	// ctx ends pushes when the engine is forced down while a caller is not reading.
	ctx context.Context
}

// senderQueue is the number of events queued for the caller before pushers block.
const senderQueue = 16

// startSender starts the goroutine that delivers events through send. After a send fails (the
// caller went away), later events are dropped: the job still runs to its end and records every
// outcome.
func startSender(ctx context.Context, send Send, log *slog.Logger) *sender {
	s := &sender{ch: make(chan Event, senderQueue), done: make(chan struct{}), ctx: ctx}
	go func() {
		defer close(s.done)
		var failed bool
		for ev := range s.ch {
			if failed {
				continue
			}
			if err := send(ev); err != nil {
				failed = true
				log.Debug("event delivery failed; dropping later events", "err", err)
			}
		}
	}()
	return s
}

// push queues ev; it blocks while the queue is full, unless the engine is forced down.
func (s *sender) push(ev Event) {
	select {
	case s.ch <- ev:
	case <-s.ctx.Done():
	}
}

// close delivers what is queued and waits for the sender to finish. No push may follow.
func (s *sender) close() {
	close(s.ch)
	<-s.done
}

// maxRejectedEventBytes caps the caller text carried by one Rejected event, so that a request
// message full of bad numbers never yields a response above the clients' default 4 MiB limit.
const maxRejectedEventBytes = 256 << 10

// rejectionBuffer gathers one input message's rejections into events of bounded size.
type rejectionBuffer struct {
	chunks [][]ledger.Rejection
	cur    []ledger.Rejection
	size   int
}

func (b *rejectionBuffer) add(text string, reason ledger.RejectionReason, detail string) {
	if b.size+len(text) > maxRejectedEventBytes && len(b.cur) > 0 {
		b.chunks = append(b.chunks, b.cur)
		b.cur, b.size = nil, 0
	}
	b.cur = append(b.cur, ledger.Rejection{Number: text, Reason: reason, Detail: detail})
	b.size += len(text) + len(detail) + 8
}

// take returns the gathered rejections in event-sized chunks and empties the buffer.
func (b *rejectionBuffer) take() [][]ledger.Rejection {
	if len(b.cur) > 0 {
		b.chunks = append(b.chunks, b.cur)
	}
	out := b.chunks
	b.chunks, b.cur, b.size = nil, nil, 0
	return out
}
