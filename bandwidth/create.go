package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// CreateOrder validates o and sends it as a new order of the account, returning the order as
// Bandwidth accepted it (usually RECEIVED or PROCESSING; pass its OrderID to AwaitOrder).
//
// Throttling (429) and failures before the order left this process are retried directly: the order
// was not created. When the outcome is unknown — a timeout or connection reset after sending, a 5xx,
// an unreadable 2xx — the order is never resent blindly. CreateOrder looks it up by CustomerOrderId
// (ListOrders, then GetOrder of the newest summary with the same id, action and count, accepted
// only if its numbers are ours), and keeps looking for Config.Retry.CreateLookupWindow, because a
// just-created order can take a moment to become visible and a create that timed out here may still
// be completing there. Only when Bandwidth still has no such order at the end of the window is the
// order sent again. An order whose creation Bandwidth confirmed (a 2xx status) is never resent.
//
// Errors: *ValidationError (nothing sent); *APIError for a refusal such as 400 (the order was not
// created); ErrRateLimited or ErrUnavailable when retries run out and the order is known not to
// exist; ErrOutcomeUnknown when it may exist but could not be found (check with FindOrder before
// trying again).
func (c *Client) CreateOrder(ctx context.Context, accountID string, o Order) (*OrderResponse, error) {
	const op = "create order"
	if err := o.Validate(); err != nil {
		return nil, err
	}
	u, err := c.ordersURL(accountID, "", nil)
	if err != nil {
		return nil, err
	}
	// The encoded order is not pooled: net/http may still read a request's body after Do returned,
	// and a body that reports its Close to us is no longer one net/http sends with its headers.
	r := request{op: op, account: accountID, method: http.MethodPost, url: u, body: encodeOrder(o)}
	b := c.newBudget()
	for {
		rep := c.send(ctx, r)
		b.queued(rep.queued)
		var f failure
		created := isSuccess(rep.status) // Bandwidth said it created the order.
		switch {
		case created && rep.err == nil:
			resp, err := decodeOrder(op, rep.body, rep.status)
			c.done(&rep)
			var ae *APIError
			if err == nil || errors.As(err, &ae) {
				return resp, err
			}
			f = failure{err: err, retryable: true, reason: "bad_response"}
		case created:
			// The body was cut short or too large: the order exists, its details are lost.
			f = failure{err: fmt.Errorf("bandwidth: %s: %w", op, rep.err), retryable: true, reason: "transport"}
			c.done(&rep)
		default:
			f = c.classify(op, rep)
			c.done(&rep)
			if !f.retryable {
				return nil, f.err
			}
		}
		// A 429 means Bandwidth did not take the order; so does a failure before it was sent.
		unknown := created || (rep.sent && rep.status != http.StatusTooManyRequests)
		if err := ctx.Err(); err != nil {
			if unknown {
				return nil, fmt.Errorf("bandwidth: %s: %w: %w (last failure: %w)", op, ErrOutcomeUnknown, err, f.err)
			}
			return nil, fmt.Errorf("bandwidth: %s: %w", op, err)
		}
		if unknown {
			found, err := c.lookupCreated(ctx, accountID, o, f.err)
			if err != nil {
				return nil, err
			}
			if found != nil {
				c.log.WarnContext(ctx, "bandwidth: create outcome was unknown; found the order by CustomerOrderId",
					"account_id", accountID, "customer_order_id", o.CustomerOrderID, "order_id", found.OrderID, "cause", f.err)
				return found, nil
			}
			if created {
				return nil, fmt.Errorf("bandwidth: %s: %w: Bandwidth confirmed the order but it cannot be found by CustomerOrderId: %w", op, ErrOutcomeUnknown, f.err)
			}
			c.log.WarnContext(ctx, "bandwidth: create outcome was unknown; Bandwidth has no such order, sending it again",
				"account_id", accountID, "customer_order_id", o.CustomerOrderID, "cause", f.err)
		}
		d, err := b.next(ctx, f)
		if err != nil {
			return nil, err
		}
		if err := c.retryWait(ctx, op, f, d); err != nil {
			return nil, fmt.Errorf("bandwidth: %s: %w (while waiting to retry: %w)", op, err, f.err)
		}
	}
}

// lookupCreated looks for the order o, whose create had an unknown outcome (cause), until it is
// found or Config.Retry.CreateLookupWindow has passed: the first lookup is immediate, later ones back
// off, and the last is made at the end of the window. It returns (nil, nil) when Bandwidth has no
// such order, and an error matching ErrOutcomeUnknown when the lookups fail.
func (c *Client) lookupCreated(ctx context.Context, accountID string, o Order, cause error) (*OrderResponse, error) {
	const op = "create order"
	deadline := time.Now().Add(c.retry.CreateLookupWindow)
	for n := 1; ; n++ {
		found, err := c.findCreated(ctx, accountID, o)
		switch {
		case err == nil:
			return found, nil
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("bandwidth: %s: %w: looking the order up by CustomerOrderId failed: %w (the create failed with: %w)",
				op, ErrOutcomeUnknown, err, cause)
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			return nil, nil
		}
		c.obs.ObserveRetry(op, "not_found")
		if err := sleep(ctx, min(backoff(c.retry.BaseDelay, c.retry.MaxDelay, n), remaining)); err != nil {
			return nil, fmt.Errorf("bandwidth: %s: %w: %w (the create failed with: %w)", op, ErrOutcomeUnknown, err, cause)
		}
	}
}

// maxLookupCandidates bounds the orders read in full while looking for one created order.
const maxLookupCandidates = 5

// findCreated returns Bandwidth's order that o created, or an error matching ErrNotFound. An order
// matches when it has o's CustomerOrderId and, where Bandwidth reports them, o's action, number
// count and numbers.
func (c *Client) findCreated(ctx context.Context, accountID string, o Order) (*OrderResponse, error) {
	l, err := c.ListOrders(ctx, accountID, ListFilter{CustomerOrderID: o.CustomerOrderID})
	if err != nil {
		return nil, err
	}
	cands := matchingSummaries(l.Orders, func(s OrderSummary) bool {
		return s.CustomerOrderID == o.CustomerOrderID &&
			(s.Action == "" || s.Action == o.Action) &&
			(s.TotalQuantity == 0 || s.TotalQuantity == len(o.TelephoneNumbers))
	})
	for _, s := range cands[:min(len(cands), maxLookupCandidates)] {
		resp, err := c.GetOrder(ctx, accountID, s.OrderID)
		switch {
		case errors.Is(err, ErrNotFound):
			continue // listed but not readable yet
		case err != nil:
			return nil, err
		case sameOrder(resp.Order, o):
			return resp, nil
		}
	}
	return nil, ErrNotFound
}

// sameOrder reports whether the echo of an order in a response is compatible with the order sent:
// elements Bandwidth left out are not held against it.
func sameOrder(echo, sent Order) bool {
	if echo.CustomerOrderID != "" && echo.CustomerOrderID != sent.CustomerOrderID {
		return false
	}
	if echo.Action != "" && echo.Action != sent.Action {
		return false
	}
	if len(echo.TelephoneNumbers) == 0 {
		return true
	}
	if len(echo.TelephoneNumbers) != len(sent.TelephoneNumbers) {
		return false
	}
	a, b := slices.Clone(echo.TelephoneNumbers), slices.Clone(sent.TelephoneNumbers)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
