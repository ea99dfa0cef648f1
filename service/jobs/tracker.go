package jobs

import (
	"context"
	"sync"
)

// tracker counts busy work: jobs not parked waiting for their caller, and orders in flight.
// Shutdown waits for it to drop to zero.
type tracker struct {
	mu     sync.Mutex
	n      int
	idle   chan struct{} // closed when n drops to 0; replaced when it rises again
	closed bool          // no new work may start
}

// close refuses new work: tryStart fails from now on.
func (t *tracker) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// tryStart counts new work (a job, an order, a recovery) as busy, unless the tracker is closed.
func (t *tracker) tryStart() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.addLocked(1)
	return true
}

func (t *tracker) add(delta int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addLocked(delta)
}

func (t *tracker) addLocked(delta int) {
	if t.n == 0 && delta > 0 {
		t.idle = make(chan struct{})
	}
	t.n += delta
	if t.n == 0 && t.idle != nil {
		close(t.idle)
	}
}

// wait returns when no work is busy, or ctx's error.
func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	idle := t.idle
	t.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
