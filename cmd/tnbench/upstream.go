package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// orderTimeout bounds one order, from its POST to its final status, retries included.
const orderTimeout = 2 * time.Minute

// upstreamClient posts numbersAssignment orders straight to bwsim and polls them to their end, the
// way a script or SDK user would. It respects a rate limit (when set) for every request, POST and
// GET alike, since the upstream counts both, and waits out a 429 until X-RateLimit-Reset.
type upstreamClient struct {
	base    string // e.g. http://127.0.0.1:8089/api
	http    *http.Client
	limiter *rate.Limiter // nil: no pacing
	poll    time.Duration // wait before each GET

	requests, throttled atomic.Int64
}

func newUpstreamClient(base string, workers int, limit float64, burst int, poll time.Duration) *upstreamClient {
	c := &upstreamClient{
		base: base,
		http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers + 1, MaxConnsPerHost: workers + 1}},
		poll: poll,
	}
	if limit > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(limit), max(1, burst))
	}
	return c
}

// close releases the client's connections.
func (c *upstreamClient) close() { c.http.CloseIdleConnections() }

// runOrders sends the pre-encoded orders with the given number of workers, each order polled to
// its final status, and returns the wall time from the first POST to the last final status and
// each order's time from its POST to its final status.
func (c *upstreamClient) runOrders(ctx context.Context, orders [][]byte, workers int) (time.Duration, []time.Duration, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	latencies := make([]time.Duration, len(orders))
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range min(workers, len(orders)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(orders) || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				if err := c.runOrder(ctx, orders[i]); err != nil {
					cancel(fmt.Errorf("order %d: %w", i, err))
					return
				}
				latencies[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, nil, err
	}
	return time.Since(start), latencies, nil
}

// runOrder posts one order and polls it until its status is final. Every number must succeed: the
// benchmark sends only owned numbers.
func (c *upstreamClient) runOrder(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, orderTimeout)
	defer cancel()
	url := c.base + "/accounts/" + accountID + "/numbersAssignment"
	resp, err := c.do(ctx, http.MethodPost, url, body, http.StatusCreated)
	if err != nil {
		return err
	}
	for {
		status := element(resp, "ProcessingStatus")
		switch status {
		case "COMPLETE":
			return nil
		case "RECEIVED", "PROCESSING":
		default:
			return fmt.Errorf("order status %q", status)
		}
		id := element(resp, "OrderId")
		if id == "" {
			return errors.New("order response without OrderId")
		}
		if err := sleep(ctx, c.poll); err != nil {
			return err
		}
		if resp, err = c.do(ctx, http.MethodGet, url+"/"+id, nil, http.StatusOK); err != nil {
			return err
		}
	}
}

// do sends one request, paced by the limiter, retrying 429s after X-RateLimit-Reset, and returns
// the body of a reply with the wanted status.
func (c *upstreamClient) do(ctx context.Context, method, url string, body []byte, want int) ([]byte, error) {
	for {
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return nil, err
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.SetBasicAuth("demo", "demo")
		if body != nil {
			req.Header.Set("Content-Type", "application/xml")
		}
		c.requests.Add(1)
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		switch resp.StatusCode {
		case want:
			return b, nil
		case http.StatusTooManyRequests:
			c.throttled.Add(1)
			if err := sleep(ctx, resetWait(resp.Header.Get("X-RateLimit-Reset"))); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s %s: HTTP %d: %.300s", method, url, resp.StatusCode, b)
		}
	}
}

// resetWait is how long to wait for an X-RateLimit-Reset epoch second: until then, at most 5 s
// and at least 50 ms.
func resetWait(h string) time.Duration {
	sec, err := strconv.ParseInt(h, 10, 64)
	if err != nil {
		return time.Second
	}
	return min(5*time.Second, max(50*time.Millisecond, time.Until(time.Unix(sec, 0))))
}

// element returns the text of the first <name> element of doc, or "".
func element(doc []byte, name string) string {
	open := "<" + name + ">"
	i := bytes.Index(doc, []byte(open))
	if i < 0 {
		return ""
	}
	rest := doc[i+len(open):]
	j := bytes.IndexByte(rest, '<')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
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
