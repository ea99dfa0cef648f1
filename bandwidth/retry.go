package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// failure is a classified unsuccessful reply.
type failure struct {
	err       error
	retryable bool
	reason    string        // for Observer.ObserveRetry: "429", "5xx", "transport"
	wait      time.Duration // a server-requested wait (429), or 0 to back off
}

// classify turns an unsuccessful reply to r into an error and a retry decision. A reply with a 2xx
// status and no error is not a failure and must not be passed in.
func (c *Client) classify(r request, rep reply) failure {
	op := r.op
	switch {
	case rep.limitErr, rep.hookErr:
		// The context ends before the limiter allows the request, or request.before refused it:
		// nothing was sent.
		return failure{err: rep.err}
	case rep.authErr:
		var ae *APIError
		if errors.As(rep.err, &ae) && ae.Retryable || errors.Is(rep.err, ErrUnavailable) {
			return failure{err: rep.err, retryable: true, reason: "transport"}
		}
		// Refused credentials or a bad configuration: retrying will not help. So it is with an
		// error that is neither an APIError nor a transport failure (a cancelled wait).
		var ue interface{ Timeout() bool }
		if !errors.Is(rep.err, ErrUnauthorized) && errors.As(rep.err, &ue) {
			return failure{err: rep.err, retryable: true, reason: "transport"}
		}
		return failure{err: rep.err}
	case rep.err != nil && errors.Is(rep.err, ErrResponseTooLarge):
		return failure{err: fmt.Errorf("bandwidth: %s: %w", op, rep.err)}
	case rep.err != nil:
		return failure{err: fmt.Errorf("bandwidth: %s: %w: %w", op, ErrUnavailable, rep.err), retryable: true, reason: "transport"}
	}
	if err := misconfigured(r, rep); err != nil {
		return failure{err: err}
	}
	ae := newAPIError(op, rep.status, rep.body)
	switch {
	case rep.status == http.StatusTooManyRequests:
		d, _ := rateLimitDelay(rep.header, time.Now(), c.retry)
		return failure{err: ae, retryable: true, reason: "429", wait: d}
	case rep.status >= 500:
		return failure{err: ae, retryable: true, reason: "5xx"}
	}
	return failure{err: ae}
}

// budget tracks the retries of one operation. Throttling (429) and failures (5xx, transport
// errors, unreadable responses) are counted apart: only failures spend RetryPolicy.MaxAttempts, since
// a 429 says nothing about Bandwidth's health and its wait is the server's to set. Both are bounded
// by RetryPolicy.MaxElapsed; time spent queued in Config.Limiter does not count.
type budget struct {
	p         RetryPolicy
	start     time.Time
	failures  int // failed attempts other than 429
	throttled int // attempts answered 429
}

func (c *Client) newBudget() *budget { return &budget{p: c.retry, start: time.Now()} }

// queued excludes d, time spent waiting for Config.Limiter, from the elapsed time.
func (b *budget) queued(d time.Duration) { b.start = b.start.Add(d) }

// next accounts for a failed attempt and returns how long to wait before the next one, or an error
// (wrapping f.err) when attempts, time, or the context's deadline would run out first.
func (b *budget) next(ctx context.Context, f failure) (time.Duration, error) {
	var n int
	if f.reason == "429" {
		b.throttled++
		n = b.throttled
	} else {
		b.failures++
		n = b.failures
		if b.failures >= b.p.MaxAttempts {
			return 0, fmt.Errorf("%w (gave up after %s)", f.err, b.attempts())
		}
	}
	d := f.wait
	if d <= 0 {
		d = backoff(b.p.BaseDelay, b.p.MaxDelay, n)
	}
	if elapsed := time.Since(b.start); elapsed+d > b.p.MaxElapsed {
		return 0, fmt.Errorf("%w (gave up after %s in %s)", f.err, b.attempts(), elapsed.Round(time.Millisecond))
	}
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return 0, fmt.Errorf("%w (gave up after %s: the context ends before the next one)", f.err, b.attempts())
	}
	return d, nil
}

// attempts describes the attempts made, such as "5 attempts, 3 of them throttled".
func (b *budget) attempts() string {
	s := strconv.Itoa(b.failures+b.throttled) + " attempts"
	if b.throttled > 0 {
		s += ", " + strconv.Itoa(b.throttled) + " of them throttled"
	}
	return s
}

// retryWait records a retry and waits d, or until ctx is done.
func (c *Client) retryWait(ctx context.Context, op string, f failure, d time.Duration) error {
	c.obs.ObserveRetry(op, f.reason)
	c.log.DebugContext(ctx, "bandwidth: retrying", "op", op, "reason", f.reason, "delay", d, "error", f.err)
	return sleep(ctx, d)
}

// get sends r, an idempotent GET, until it succeeds or the retry budget runs out, and returns what
// decode returns for the body of the successful response. The body is reused once decode returns:
// decode must not keep it. A successful response that is an HTML page is not decoded: it is an
// error matching ErrMisconfigured.
func (c *Client) get(ctx context.Context, r request, decode func(body []byte) error) error {
	op := r.op
	b := c.newBudget()
	for {
		rep := c.send(ctx, r)
		b.queued(rep.queued)
		if err := ctx.Err(); err != nil {
			c.done(&rep)
			return fmt.Errorf("bandwidth: %s: %w", op, err)
		}
		if rep.err == nil && isSuccess(rep.status) {
			err := misconfigured(r, rep)
			if err == nil {
				err = decode(rep.body)
			}
			c.done(&rep)
			return err
		}
		f := c.classify(r, rep)
		c.done(&rep)
		if !f.retryable {
			return f.err
		}
		d, err := b.next(ctx, f)
		if err != nil {
			return err
		}
		if err := c.retryWait(ctx, op, f, d); err != nil {
			return fmt.Errorf("bandwidth: %s: %w (while waiting to retry: %w)", op, err, f.err)
		}
	}
}

// backoff returns the jittered delay before retry number n (1-based): base doubled n-1 times,
// capped at max, then drawn uniformly from its upper half ("equal jitter"), so that clients that
// failed together do not retry together, yet every wait is at least half the nominal one.
func backoff(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + randDuration(d/2)
}

// randDuration returns a random duration in [0, d].
func randDuration(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// rateLimitDelay returns how long a 429 asks to wait. Bandwidth sends X-RateLimit-Reset, the epoch
// second at which the limit resets; values above 1e12 are taken to be milliseconds (an older
// Bandwidth API's convention). A reset already past means "retry soon"; one further away than
// p.MaxRateLimitWait is capped to it. Retry-After (seconds) is honoured when X-RateLimit-Reset is
// absent. The result includes a little jitter; ok is false when neither header is usable.
func rateLimitDelay(h http.Header, now time.Time, p RetryPolicy) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(secs) && secs > 0 {
			if secs > 1e12 {
				secs /= 1000
			}
			switch until := secs - float64(now.UnixNano())/1e9; {
			case until <= 0:
				d = 0
			case until >= p.MaxRateLimitWait.Seconds():
				d = p.MaxRateLimitWait
			default:
				d = time.Duration(until * float64(time.Second))
			}
			ok = true
		}
	}
	if !ok {
		if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
			if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
				ok = true
				if d = p.MaxRateLimitWait; secs < int(p.MaxRateLimitWait/time.Second) {
					d = time.Duration(secs) * time.Second
				}
			}
		}
	}
	if !ok {
		return 0, false
	}
	if d <= 0 {
		// The limit has reset already: retry after a short jittered pause.
		return backoff(p.BaseDelay, p.MaxDelay, 1), true
	}
	// The header has one-second resolution and many clients read the same value: spread them.
	return d + randDuration(min(d/4, time.Second)), true
}

// sleep waits for d or until ctx is done, returning ctx.Err() in the latter case.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
