package main

import (
	"context"
	"math/rand/v2"
	"sync"
	"syscall"
	"time"
)

// killEvent is one fault: a replica signalled.
type killEvent struct {
	Replica string // replica id
	At      time.Time
	Signal  syscall.Signal // SIGKILL or SIGTERM
}

// faultLog is what the fault loop did.
type faultLog struct {
	kills    []killEvent
	skipped  int   // rounds with fewer than two replicas live
	restartE error // the first restart that failed
}

// runFaults kills a random live replica every ~every (±50%) until loadCtx ends — SIGKILL or
// SIGTERM at random — and restarts it with the same flags after 0.5–2 s. It never signals the
// last live replica. It returns once every restart it began is done; restarts use ctx.
func (s *replicaSet) runFaults(loadCtx, ctx context.Context, rng *rand.Rand, every time.Duration) faultLog {
	var (
		fl   faultLog
		mu   sync.Mutex
		wg   sync.WaitGroup
		wait = func() time.Duration { return every/2 + time.Duration(rng.Int64N(int64(every)+1)) }
	)
	for sleep(loadCtx, wait()) == nil {
		live := s.live()
		if len(live) < 2 {
			fl.skipped++
			continue
		}
		r := live[rng.IntN(len(live))]
		sig := syscall.SIGKILL
		if rng.IntN(2) == 1 {
			sig = syscall.SIGTERM
		}
		pause := 500*time.Millisecond + time.Duration(rng.Int64N(int64(1500*time.Millisecond)))
		r.mu.Lock()
		p := r.proc
		r.live, r.bouncing = false, true
		r.mu.Unlock()
		fl.kills = append(fl.kills, killEvent{Replica: r.name, At: time.Now(), Signal: sig})
		s.logf("%s: %s", r.name, signalName(sig))
		p.signal(sig)
		wg.Go(func() {
			if err := s.bounce(ctx, r, p, pause); err != nil {
				mu.Lock()
				if fl.restartE == nil {
					fl.restartE = err
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return fl
}

// bounce waits for a signalled incarnation to exit (killing it after 20 s), pauses, and starts
// the next one.
func (s *replicaSet) bounce(ctx context.Context, r *replica, p *proc, pause time.Duration) error {
	if !p.wait(20 * time.Second) {
		s.logf("%s did not stop within 20s of SIGTERM; killing it", r.name)
		p.signal(syscall.SIGKILL)
		<-p.exited
	}
	if err := sleep(ctx, pause); err != nil {
		return err
	}
	return s.start(ctx, r)
}

// signalName names the signals tnchaos sends.
func signalName(sig syscall.Signal) string {
	switch sig {
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGTERM:
		return "SIGTERM"
	default:
		return sig.String()
	}
}
