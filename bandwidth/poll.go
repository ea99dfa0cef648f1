package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AwaitOrder polls an order with GetOrder until its status is final (COMPLETE, PARTIAL or FAILED)
// and returns it. Polls are spaced by Config.Poll: capped exponential backoff with jitter. A 404 is
// retried while the order has not been seen yet and Poll.NotFoundGrace has not passed, since a
// just-created order may not be readable at once.
//
// AwaitOrder sets no deadline of its own (Bandwidth promises no processing time): bound it with
// ctx. It returns GetOrder's error when a poll fails past its retries, or the context's error
// (wrapped) when ctx is done; the order keeps settling at Bandwidth and can be awaited again.
func (c *Client) AwaitOrder(ctx context.Context, accountID, orderID string) (*OrderResponse, error) {
	const op = "get order"
	start := time.Now()
	seen := false
	delay := c.poll.Initial
	for {
		resp, err := c.GetOrder(ctx, accountID, orderID)
		switch {
		case err == nil:
			if resp.Status.Final() {
				return resp, nil
			}
			seen = true
		case errors.Is(err, ErrNotFound) && !seen && time.Since(start) < c.poll.NotFoundGrace:
			c.obs.ObserveRetry(op, "not_found")
			c.log.DebugContext(ctx, "bandwidth: order not found yet", "order_id", orderID)
		default:
			return nil, err
		}
		d := delay - delay/5 + randDuration(2*delay/5) // ±20 %
		if err := sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("bandwidth: awaiting order %s: %w", orderID, err)
		}
		delay = min(delay*2, c.poll.Max)
	}
}
