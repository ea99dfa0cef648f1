package bandwidth

import (
	"context"
	"time"
)

// AttemptFunc is told that an attempt to create an order is about to be sent. CreateOrder calls it
// before every POST of the order — the first, each resend after a failure and the replay after a
// 401 — once the attempt has waited for Config.Limiter and its credentials are set, immediately
// before the request is handed to the HTTP client. It is not called for lookups (GETs).
//
// bound is the attempt's longest life on this side: the attempt has ended, one way or the other,
// within bound of the moment AttemptFunc is called (it is Config.RequestTimeout, whose clock has
// already started, so the time AttemptFunc takes is taken from the attempt). ctx is the attempt's
// context: it ends no later than the attempt does. Together with Client.CreateLookupWindow this
// tells a caller until when the attempt may still create an order (see CreateOrder).
//
// Returning an error stops CreateOrder: the attempt is not sent and neither is anything else.
// CreateOrder's error then wraps it; see CreateOrder for when it also matches ErrOutcomeUnknown.
type AttemptFunc func(ctx context.Context, bound time.Duration) error

// CreateOption changes how one CreateOrder call behaves. Create one with BeforeEachAttempt.
type CreateOption struct {
	apply func(*createSettings)
}

// createSettings are the options of one CreateOrder call.
type createSettings struct {
	before []AttemptFunc // called in order before each attempt
}

// BeforeEachAttempt makes CreateOrder call f before each attempt to create the order, so that a
// caller can durably record that an attempt starts before the request can reach Bandwidth. When
// several are given they are called in order, and the first error stops the others. A nil f is
// ignored.
func BeforeEachAttempt(f AttemptFunc) CreateOption {
	return CreateOption{apply: func(s *createSettings) {
		if f != nil {
			s.before = append(s.before, f)
		}
	}}
}

// newCreateSettings applies opts.
func newCreateSettings(opts []CreateOption) createSettings {
	var s createSettings
	for _, o := range opts {
		if o.apply != nil {
			o.apply(&s)
		}
	}
	return s
}

// beforeAttempt calls every AttemptFunc of s, stopping at the first error. It is the
// request.before of a create.
func (s createSettings) beforeAttempt(ctx context.Context, bound time.Duration) error {
	for _, f := range s.before {
		if err := f(ctx, bound); err != nil {
			return err
		}
	}
	return nil
}
