package bandwidth

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"golang.org/x/time/rate"
)

// Limiter paces the requests of a Client (Config.Limiter) per Bandwidth account.
type Limiter interface {
	// Wait blocks until accountID may send one more request and returns nil. It returns an error
	// instead, without waiting for the turn, when ctx is done or its deadline comes before the
	// turn would; that error matches ctx's error (context.Canceled or context.DeadlineExceeded).
	// It must be safe for concurrent use.
	Wait(ctx context.Context, accountID string) error
}

// maxLimitedAccounts bounds the accounts an AccountLimiter tracks at once.
const maxLimitedAccounts = 1024

// AccountLimiter is a Limiter with a token bucket per account: each account may send perSecond
// requests per second on average and burst requests at once. Create it with NewAccountLimiter.
//
// It tracks at most 1,024 accounts. An account whose bucket is full — idle long enough to send a
// whole burst — is forgotten when room is needed, which changes nothing; only past 1,024 accounts
// all busy at once does it forget one that is not, letting that account burst early.
type AccountLimiter struct {
	limit rate.Limit
	burst int

	mu       sync.Mutex
	accounts map[string]*rate.Limiter
}

var _ Limiter = (*AccountLimiter)(nil)

// NewAccountLimiter returns a Limiter that allows each account perSecond requests per second on
// average, in bursts of at most burst requests. A burst below 1 means ceil(perSecond), at least 1;
// a perSecond that is not a positive finite number means no limit.
func NewAccountLimiter(perSecond float64, burst int) *AccountLimiter {
	limit := rate.Limit(perSecond)
	if !(perSecond > 0) || math.IsInf(perSecond, 1) {
		limit = rate.Inf
	}
	if burst < 1 {
		burst = 1
		if limit != rate.Inf {
			burst = int(max(1, math.Min(math.Ceil(perSecond), math.MaxInt32)))
		}
	}
	return &AccountLimiter{limit: limit, burst: burst, accounts: make(map[string]*rate.Limiter)}
}

// Wait blocks until accountID may send one more request; see Limiter.
func (l *AccountLimiter) Wait(ctx context.Context, accountID string) error {
	if l.limit == rate.Inf {
		return ctx.Err()
	}
	err := l.bucket(accountID).Wait(ctx)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	// rate.Limiter refuses at once a wait that would outlast ctx's deadline.
	return fmt.Errorf("bandwidth: account %s may not send before the context's deadline: %w", truncate(accountID, 40), context.DeadlineExceeded)
}

// bucket returns accountID's token bucket, creating it (and making room for it) if need be.
func (l *AccountLimiter) bucket(accountID string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.accounts[accountID]; ok {
		return b
	}
	if len(l.accounts) >= maxLimitedAccounts {
		l.evict()
	}
	b := rate.NewLimiter(l.limit, l.burst)
	l.accounts[accountID] = b
	return b
}

// evict forgets the accounts whose buckets are full, or one account when none is. l.mu is held.
func (l *AccountLimiter) evict() {
	for id, b := range l.accounts {
		if b.Tokens() >= float64(l.burst) {
			delete(l.accounts, id)
		}
	}
	if len(l.accounts) < maxLimitedAccounts {
		return
	}
	for id := range l.accounts {
		delete(l.accounts, id)
		return
	}
}
