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
// only if its numbers are ours) until no earlier attempt can still create it, by the rule below.
// Only when Bandwidth still has no such order then is the order sent again. An order whose creation
// Bandwidth confirmed (a 2xx status) is never resent.
//
// # When an attempt may still create the order
//
// One rule, used here and meant for callers that record attempts (BeforeEachAttempt): an attempt
// may create the order until its start + RequestTimeout, and an order it created is visible to
// lookups within CreateLookupWindow after that. An attempt starts when it is handed to the HTTP
// client, just after its AttemptFunc returned, so a caller that notes the time its AttemptFunc is
// called may take that time + bound + CreateLookupWindow as the attempt's horizon. After an
// attempt that ended without a response status (a transport error, a timeout, a reset), the order
// is looked for until max(now, start + RequestTimeout) + CreateLookupWindow; after one Bandwidth
// answered with a status (a 5xx, an unreadable 2xx), the request is over at Bandwidth too and the
// order is looked for until now + CreateLookupWindow. CreateLookupWindow must therefore also cover
// the time Bandwidth may keep working on a request after this side gave up on it.
//
// # Options
//
// BeforeEachAttempt(f) calls f before every POST of this call (see AttemptFunc). When f fails,
// CreateOrder sends nothing more and returns an error wrapping f's. That error also matches
// ErrOutcomeUnknown when an earlier attempt of this call was sent and its outcome was unclear
// (as above), even if lookups since found no order: they are evidence, not proof, and a caller
// stopping here must look again before the order is sent another way.
//
// Errors: *ValidationError (nothing sent); *APIError for a refusal such as 400 (the order was not
// created); ErrMisconfigured when the base URL or account is wrong (a 404, an HTML page or a
// redirect; the order was not created); ErrRateLimited or ErrUnavailable when retries run out and the order is
// known not to exist; ErrOutcomeUnknown when it may exist but could not be found (check with
// FindOrder before trying again).
func (c *Client) CreateOrder(ctx context.Context, accountID string, o Order, opts ...CreateOption) (*OrderResponse, error) {
	const op = "create order"
	if err := o.Validate(); err != nil {
		return nil, err
	}
	u, err := c.ordersURL(accountID, "", nil)
	if err != nil {
		return nil, err
	}
	settings := newCreateSettings(opts)
	// The encoded order is not pooled: net/http may still read a request's body after Do returned,
	// and a body that reports its Close to us is no longer one net/http sends with its headers.
	r := request{op: op, account: accountID, method: http.MethodPost, url: u, body: encodeOrder(o), collection: true}
	if len(settings.before) > 0 {
		r.before = settings.beforeAttempt
	}
	b := c.newBudget()
	unclear := false // an attempt of this call was sent and may have created the order
	for {
		rep := c.send(ctx, r)
		b.queued(rep.queued)
		if rep.hookErr {
			if unclear {
				return nil, fmt.Errorf("bandwidth: %s: %w: an earlier attempt may have created the order, and the next was stopped before sending: %w",
					op, ErrOutcomeUnknown, rep.err)
			}
			return nil, fmt.Errorf("bandwidth: %s: stopped before sending: %w", op, rep.err)
		}
		var f failure
		created := isSuccess(rep.status) // Bandwidth said it created the order.
		switch {
		case created && rep.err == nil:
			if err := misconfigured(r, rep); err != nil {
				c.done(&rep)
				return nil, err
			}
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
			f = c.classify(r, rep)
			c.done(&rep)
			if !f.retryable {
				return nil, f.err
			}
		}
		// A 429 means Bandwidth did not take the order; so does a failure before it was sent.
		unknown := created || (rep.sent && rep.status != http.StatusTooManyRequests)
		unclear = unclear || unknown
		if err := ctx.Err(); err != nil {
			if unknown {
				return nil, fmt.Errorf("bandwidth: %s: %w: %w (last failure: %w)", op, ErrOutcomeUnknown, err, f.err)
			}
			return nil, fmt.Errorf("bandwidth: %s: %w", op, err)
		}
		if unknown {
			until := createHorizon(time.Now(), rep.start, rep.status != 0, c.timeout, c.retry.CreateLookupWindow)
			found, err := c.lookupCreated(ctx, accountID, o, until, f.err)
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

// createHorizon returns until when to look for an order whose create attempt, handed to the HTTP
// client at start, ended unclearly at now; answered reports that Bandwidth answered it with an
// HTTP status. It applies CreateOrder's rule: an attempt may create the order until start +
// timeout, and the order is visible to lookups within window after that; an answered attempt is
// over at Bandwidth when its answer arrives.
func createHorizon(now, start time.Time, answered bool, timeout, window time.Duration) time.Time {
	end := now
	if !answered && !start.IsZero() {
		if last := start.Add(timeout); last.After(end) {
			end = last
		}
	}
	return end.Add(window)
}

// lookupCreated looks for the order o, whose create had an unknown outcome (cause), until it is
// found or the time until has passed: the first lookup is immediate, later ones back off, and the
// last is made at until. It returns (nil, nil) when Bandwidth has no such order, and an error
// matching ErrOutcomeUnknown when the lookups fail.
func (c *Client) lookupCreated(ctx context.Context, accountID string, o Order, until time.Time, cause error) (*OrderResponse, error) {
	const op = "create order"
	for n := 1; ; n++ {
		found, err := c.findCreated(ctx, accountID, o)
		switch {
		case err == nil:
			return found, nil
		case !errors.Is(err, ErrNotFound):
			return nil, fmt.Errorf("bandwidth: %s: %w: looking the order up by CustomerOrderId failed: %w (the create failed with: %w)",
				op, ErrOutcomeUnknown, err, cause)
		}
		remaining := time.Until(until)
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
