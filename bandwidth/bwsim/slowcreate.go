package bwsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// Slow creates (Config.CreateDelay, CreateDelayMax, SlowCreateRate) model a server that takes its
// time and finishes its work even when the client has gone: the delay does not end when the
// request's context does, only when it has passed or when the server that runs the simulator
// closes. The handler goroutine itself waits, so a slow create holds its connection, and
// net/http's shutdown and Server.Close see it as an in-flight request.

// lifetimeKey is the context key under which NewServer and Serve store the context that ends when
// they stop serving (see withLifetime).
type lifetimeKey struct{}

// withLifetime returns base carrying itself as the server's lifetime: requests' contexts derive
// from base, and also end when their client goes, so a slow create needs base itself to tell
// "the client left" (keep working) from "the server stops" (give up).
func withLifetime(base context.Context) context.Context {
	return context.WithValue(base, lifetimeKey{}, base)
}

// lifetime returns the lifetime of the server that received r, or a context that never ends
// when the simulator runs under another server (then slow creates always run to the end, and that
// server's Close waits for them).
func lifetime(r *http.Request) context.Context {
	if life, ok := r.Context().Value(lifetimeKey{}).(context.Context); ok {
		return life
	}
	return context.Background()
}

// slowCreates is the state of the slow creates of a Simulator.
type slowCreates struct {
	pending atomic.Int64
}

// createDelay decides whether a create is slow and, if so, for how long.
func (s *Simulator) createDelay() (time.Duration, bool) {
	lo, hi := s.cfg.CreateDelay, s.cfg.CreateDelayMax
	if hi <= 0 {
		return 0, false
	}
	if rate := s.cfg.SlowCreateRate; rate > 0 && rate < 1 && rand.Float64() >= rate {
		return 0, false
	}
	d := lo
	if hi > lo {
		d += time.Duration(rand.Int64N(int64(hi-lo) + 1))
	}
	return d, true
}

// delayCreate waits out a slow create's delay d for r. It reports false when the server closed
// first: the create must then give up without creating its order.
func (s *Simulator) delayCreate(r *http.Request, d time.Duration) bool {
	s.slow.pending.Add(1)
	defer s.slow.pending.Add(-1)
	wait := s.cfg.CreateWait
	if wait == nil {
		wait = sleep
	}
	return wait(lifetime(r), d)
}

// PendingCreates returns how many slow creates are waiting out their delay (Config.CreateDelay)
// now; their orders do not exist yet.
func (s *Simulator) PendingCreates() int { return int(s.slow.pending.Load()) }
