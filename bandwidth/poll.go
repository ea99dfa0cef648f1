package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// AwaitOrder polls an order with GetOrder until its status is final (COMPLETE, PARTIAL or FAILED)
// and returns it. The first poll comes after Config.Poll.Initial, not at once: an order is awaited
// right after CreateOrder returned it unfinished, and a GET at that moment would only ever answer
// RECEIVED or PROCESSING while costing a request of the account's rate limit. Later polls back off
// (capped exponential backoff with jitter). Callers that already hold a final response (CreateOrder
// may return one) should not call AwaitOrder.
//
// A 404 is retried while the order has not been seen yet and Poll.NotFoundGrace, counted from the
// first poll, has not passed, since a just-created order may not be readable at once.
//
// AwaitOrder sets no deadline of its own (Bandwidth promises no processing time): bound it with
// ctx. It returns GetOrder's error when a poll fails past its retries, or the context's error
// (wrapped) when ctx is done; the order keeps settling at Bandwidth and can be awaited again.
func (c *Client) AwaitOrder(ctx context.Context, accountID, orderID string) (*OrderResponse, error) {
	const op = "get order"
	var first time.Time
	seen := false
	for delay := c.poll.Initial; ; delay = min(delay*2, c.poll.Max) {
		d := delay - delay/5 + randDuration(2*delay/5) // ±20 %
		if err := sleep(ctx, d); err != nil {
			return nil, fmt.Errorf("bandwidth: awaiting order %s: %w", orderID, err)
		}
		if first.IsZero() {
			first = time.Now()
		}
		resp, err := c.GetOrder(ctx, accountID, orderID)
		switch {
		case err == nil:
			if resp.Status.Final() {
				return resp, nil
			}
			seen = true
		case errors.Is(err, ErrNotFound) && !seen && time.Since(first) < c.poll.NotFoundGrace:
			c.obs.ObserveRetry(op, "not_found")
			c.log.DebugContext(ctx, "bandwidth: order not found yet", "order_id", orderID)
		default:
			return nil, err
		}
	}
}
