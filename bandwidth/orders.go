package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"
)

// GetOrder returns an order of the account by its OrderId. It retries throttling and server
// failures; an order Bandwidth does not know is an *APIError matching ErrNotFound (which can
// happen for a moment right after creation; AwaitOrder allows for it). An HTML page or a redirect
// instead of an order is an error matching ErrMisconfigured.
func (c *Client) GetOrder(ctx context.Context, accountID, orderID string) (*OrderResponse, error) {
	const op = "get order"
	if orderID == "" {
		return nil, &ValidationError{Field: "order ID", Problem: "is required"}
	}
	u, err := c.ordersURL(accountID, orderID, nil)
	if err != nil {
		return nil, err
	}
	var resp *OrderResponse
	r := request{op: op, account: accountID, method: http.MethodGet, url: u}
	err = c.get(ctx, r, func(body []byte) (err error) {
		resp, err = decodeOrder(op, body, 200)
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// decodeOrder decodes an order response body, attributing errors to op.
func decodeOrder(op string, body []byte, status int) (*OrderResponse, error) {
	r, err := decodeOrderResponse(body, status)
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			ae.Op = op
			return nil, ae
		}
		return nil, badResponse(op, err)
	}
	return r, nil
}

// ListOrders returns the account's orders that match f (at most 1,000, Bandwidth's cap). Without a
// date range or a specific filter (CustomerOrderID, TelephoneNumber, OrderIDFragment) Bandwidth
// limits the search to the last two years. An invalid filter is a *ValidationError. A 404, an HTML
// page or a redirect is an error matching ErrMisconfigured: the list exists for every account.
func (c *Client) ListOrders(ctx context.Context, accountID string, f ListFilter) (*OrderList, error) {
	const op = "list orders"
	q, err := f.query()
	if err != nil {
		return nil, err
	}
	u, err := c.ordersURL(accountID, "", q)
	if err != nil {
		return nil, err
	}
	var l *OrderList
	r := request{op: op, account: accountID, method: http.MethodGet, url: u, collection: true}
	err = c.get(ctx, r, func(body []byte) (err error) {
		if l, err = decodeOrderList(body); err != nil {
			return badResponse(op, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// query returns f as the list endpoint's query parameters.
func (f ListFilter) query() (url.Values, error) {
	q := url.Values{}
	if f.CustomerOrderID != "" {
		if err := validateCustomerOrderID(f.CustomerOrderID); err != nil {
			return nil, err
		}
		q.Set("customerOrderId", f.CustomerOrderID)
	}
	if f.TelephoneNumber != "" {
		q.Set("tn", f.TelephoneNumber)
	}
	if f.OrderIDFragment != "" {
		q.Set("orderIdFragment", f.OrderIDFragment)
	}
	for _, s := range f.Statuses {
		st, err := ParseStatus(string(s))
		if err != nil {
			return nil, &ValidationError{Field: "Statuses", Problem: err.Error()}
		}
		q.Add("status", string(st))
	}
	if f.Action != "" {
		if !f.Action.Valid() {
			return nil, &ValidationError{Field: "Action", Problem: fmt.Sprintf("must be ASSIGN or UNASSIGN, not %q", truncate(string(f.Action), 20))}
		}
		q.Set("action", f.Action.listValue())
	}
	for _, d := range [...]struct {
		name string
		t    time.Time
	}{
		{"createdDateFrom", f.CreatedFrom},
		{"createdDateTo", f.CreatedTo},
		{"modifiedDateFrom", f.ModifiedFrom},
		{"modifiedDateTo", f.ModifiedTo},
	} {
		if !d.t.IsZero() {
			q.Set(d.name, d.t.Format("2006-01-02"))
		}
	}
	return q, nil
}

// FindOrder returns the newest order of the account created with the CustomerOrderId, read in
// full with GetOrder. It returns an error matching ErrNotFound when Bandwidth lists none.
func (c *Client) FindOrder(ctx context.Context, accountID, customerOrderID string) (*OrderResponse, error) {
	if err := validateCustomerOrderID(customerOrderID); err != nil {
		return nil, err
	}
	l, err := c.ListOrders(ctx, accountID, ListFilter{CustomerOrderID: customerOrderID})
	if err != nil {
		return nil, err
	}
	cands := matchingSummaries(l.Orders, func(s OrderSummary) bool { return s.CustomerOrderID == customerOrderID })
	if len(cands) == 0 {
		return nil, fmt.Errorf("bandwidth: find order: no order with CustomerOrderId %q: %w", customerOrderID, ErrNotFound)
	}
	return c.GetOrder(ctx, accountID, cands[0].OrderID)
}

// matchingSummaries returns the summaries that satisfy keep, newest first.
func matchingSummaries(all []OrderSummary, keep func(OrderSummary) bool) []OrderSummary {
	var out []OrderSummary
	for _, s := range all {
		if keep(s) {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b OrderSummary) int { return b.OrderDate.Compare(a.OrderDate) })
	return out
}
