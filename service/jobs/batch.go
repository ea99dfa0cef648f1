package jobs

import (
	"strconv"
	"sync"
	"time"
)

// batch is one Bandwidth order being formed or in flight.
type batch struct {
	// seq numbers the job's batches from 1.
	seq int
	// customerOrderID is the CustomerOrderId the order carries: unique within the job.
	customerOrderID string
	// numbers are the order's distinct canonical numbers, formatted once when they were received
	// (see job.take).
	numbers []string
}

// batcher packs a job's valid numbers into batches of at most size numbers. A batch is handed to
// send when it is full, when the job closes it, and when linger passed without new numbers, so a
// slow trickle is not held back. send runs with the batcher's lock held and may block until the
// job has room for another order: while it blocks, add blocks too, so the request reader stops
// and the numbers a job holds stay bounded by its in-flight orders plus one batch.
type batcher struct {
	size   int
	linger time.Duration
	// prefix starts every CustomerOrderId; "-<seq>" completes it.
	prefix string
	send   func(*batch)

	mu     sync.Mutex
	cur    []string
	seq    int
	closed bool
	timer  *time.Timer
}

func newBatcher(size int, linger time.Duration, prefix string, send func(*batch)) *batcher {
	return &batcher{size: size, linger: linger, prefix: prefix, send: send, cur: make([]string, 0, size)}
}

// add appends the canonical numbers ns to the current batch, sending each batch that fills up.
func (b *batcher) add(ns []string) {
	if len(ns) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for len(ns) > 0 {
		n := min(len(ns), b.size-len(b.cur))
		b.cur = append(b.cur, ns[:n]...)
		ns = ns[n:]
		if len(b.cur) == b.size {
			b.flushLocked()
		}
	}
	if len(b.cur) > 0 && !b.closed {
		if b.timer == nil {
			b.timer = time.AfterFunc(b.linger, b.lingered)
		} else {
			b.timer.Reset(b.linger)
		}
	}
}

// lingered sends the current batch when the linger timer fires.
func (b *batcher) lingered() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed && len(b.cur) > 0 {
		b.flushLocked()
	}
}

// close ends batching. With flush, the partial batch is sent; otherwise its numbers are returned
// unsent. No add may follow.
func (b *batcher) close(flush bool) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.timer != nil {
		b.timer.Stop()
	}
	b.closed = true
	if flush && len(b.cur) > 0 {
		b.flushLocked()
	}
	rest := b.cur
	b.cur = nil
	return rest
}

// flushLocked sends the current batch, which keeps its numbers' slice; b.mu is held.
func (b *batcher) flushLocked() {
	b.seq++
	next := &batch{
		seq:             b.seq,
		customerOrderID: b.prefix + "-" + strconv.Itoa(b.seq),
		numbers:         b.cur,
	}
	b.cur = make([]string, 0, b.size)
	b.send(next)
}
