package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Bounds of one unit's completion.
const (
	maxAttempts = 30              // calls per unit before it counts as failed
	callTimeout = 3 * time.Minute // one call, replays included
)

// caller is one client loop: it submits fresh job units until the load phase ends and
// completes each, with its follow-ups, the way a careful caller does (see doc.go).
type caller struct {
	index        int
	rng          *rand.Rand // this caller's own, seeded from --seed
	gen          *generator
	rec          *record
	replicas     *replicaSet
	http         *http.Client
	gatewayShare float64
	pace         time.Duration // longest pause between messages of a trickling call
}

// run submits fresh units until loadCtx ends; workCtx bounds completing the units already
// started (the drain).
func (c *caller) run(loadCtx, workCtx context.Context) {
	for loadCtx.Err() == nil && workCtx.Err() == nil {
		u, ok := c.gen.fresh(c.rng)
		if !ok {
			c.rec.count(func(s *callerStats) { s.Exhausted = true })
			return
		}
		c.rec.generated(u)
		for u != nil {
			u = c.complete(workCtx, u)
		}
	}
}

// complete calls until u's entries all reached a job, and returns the follow-up unit of those
// a job did not take, or nil.
func (c *caller) complete(ctx context.Context, u *unit) *unit {
	avoid := -1
	var lastErr error
	var firstJob string // the job the request id first started
	attempt := 0
	for attempt < maxAttempts && ctx.Err() == nil {
		attempt++
		if attempt > 1 {
			c.rec.count(func(s *callerStats) { s.Retries++ })
			if sleep(ctx, retryWait(c.rng, attempt)) != nil {
				break
			}
		}
		r := c.replicas.pick(ctx, c.rng, avoid)
		if r == nil {
			break
		}
		res := c.call(ctx, r, u)
		c.rec.observe(u, res.view)
		c.rec.count(func(s *callerStats) {
			s.Calls++
			s.EntriesSent += int64(res.sent)
			s.MaxAttempts = max(s.MaxAttempts, attempt)
			if res.viaGateway {
				s.GatewayCalls++
			}
		})
		jobID := res.view.jobID
		if firstJob == "" {
			firstJob = jobID
		} else if jobID != "" && jobID != firstJob {
			c.rec.anomaly(kindCallerStream, "%s: a retry with the same request id started job %s, not job %s", u.describe(), jobID, firstJob)
		}
		if res.err != nil {
			c.rec.count(func(s *callerStats) { s.failed(res.err) })
		}
		if res.err == nil && res.view.finished != nil {
			rest := c.rec.settle(u, jobID)
			if attempt == 1 && len(rest) > 0 {
				c.rec.anomaly(kindCallerStream, "%s: job %s ended OK, yet %d entries got no outcome", u.describe(), jobID, len(rest))
			}
			c.rec.count(func(s *callerStats) {
				s.Completed++
				if attempt > 1 {
					s.ReplayedCalls++
				}
			})
			return c.followUp(u, rest, "the rest after job "+jobID)
		}
		if h, ok := handedOver(res.err); ok && c.trustRead(u, h, attempt) {
			rest := c.rec.handOver(u, h.jobID, h.read)
			c.rec.count(func(s *callerStats) { s.Completed++ })
			return c.followUp(u, rest, "the rest after job "+h.jobID+" was handed over")
		}
		if res.err == nil {
			c.rec.anomaly(kindCallerStream, "%s: call to %s ended OK without `finished`", u.describe(), r.name)
			res.err = errors.New("ended OK without finished")
		} else if res.viaGateway && status.Convert(res.err).Message() == errCleanEnd.Error() {
			c.rec.anomaly(kindCallerStream, "%s: gateway of %s: %v", u.describe(), r.name, errCleanEnd)
		}
		lastErr = fmt.Errorf("%s: %w", r.name, res.err)
		if fatal(res.err) {
			break
		}
		avoid = r.index
	}
	if lastErr == nil {
		lastErr = context.Cause(ctx)
	}
	c.rec.count(func(s *callerStats) { s.Failed++ })
	c.rec.anomaly(kindUnitFailed, "%s: gave up after %d attempts: %v", u.describe(), attempt, lastErr)
	return nil
}

// trustRead reports whether a JOB_HANDED_OVER status can be acted on: it names the job and
// how many entries it read. A retried call may have been a replay of an earlier attempt's job,
// whose numbers_read (0: the replay read nothing) says nothing about what the job took from
// the earlier stream; such a call is retried again instead, until a replay shows `finished`.
func (c *caller) trustRead(u *unit, h handOver, attempt int) bool {
	if h.jobID == "" || !h.hasRead {
		return false
	}
	if h.read > len(u.entries) {
		c.rec.anomaly(kindCallerStream, "%s: job %s says it read %d numbers of %d sent", u.describe(), h.jobID, h.read, len(u.entries))
		return false
	}
	return attempt == 1 || h.read > 0
}

// followUp makes the unit of the entries a job did not take, or returns nil.
func (c *caller) followUp(u *unit, rest []entry, origin string) *unit {
	if len(rest) == 0 {
		return nil
	}
	c.rec.count(func(s *callerStats) { s.FollowUps++ })
	return c.gen.follow(c.rng, u, rest, origin)
}

// callResult is the end of one call.
type callResult struct {
	view       *callView
	sent       int   // entries streamed
	err        error // the call's status; nil for OK
	viaGateway bool
}

// call makes one attempt of u against r, over gRPC or the gateway at random.
func (c *caller) call(ctx context.Context, r *replica, u *unit) callResult {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	msgs := plan(c.rng, len(u.entries), c.pace)
	if c.rng.Float64() < c.gatewayShare {
		res := callGateway(ctx, c.http, r.httpURL(), u, msgs)
		res.viaGateway = true
		return res
	}
	return callGRPC(ctx, r.client, u, msgs)
}

// fatal reports statuses that no retry can fix: the harness sent something wrong.
func fatal(err error) bool {
	switch status.Code(err) {
	case codes.InvalidArgument, codes.PermissionDenied, codes.Unauthenticated, codes.Unimplemented:
		return true
	default:
		return false
	}
}

// retryWait is the wait before attempt (2, 3, …): 100 ms doubling up to 2 s, with jitter.
func retryWait(rng *rand.Rand, attempt int) time.Duration {
	d := min(2*time.Second, 100*time.Millisecond<<min(attempt-2, 5))
	return d/2 + time.Duration(rng.Int64N(int64(d)))
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
