package bwsim

import (
	"net/http"
	"strconv"
	"time"
)

// allow takes a token from the rate limiter. When none is available it reports false and when a
// request will be allowed again.
func (s *Simulator) allow(now time.Time) (bool, time.Time) {
	if s.limiter == nil {
		return true, time.Time{}
	}
	res := s.limiter.ReserveN(now, 1)
	if !res.OK() {
		return false, now.Add(time.Second)
	}
	delay := res.DelayFrom(now)
	if delay == 0 {
		return true, time.Time{}
	}
	res.CancelAt(now)
	return false, now.Add(delay)
}

// rateLimited is Bandwidth's 429: an empty body and X-RateLimit-Reset, the epoch second from which
// the caller may try again (rounded up, so waiting until then is always enough).
func rateLimited(reset time.Time) *reply {
	sec := reset.Unix()
	if reset.After(time.Unix(sec, 0)) {
		sec++
	}
	return &reply{
		status: http.StatusTooManyRequests,
		header: http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(sec, 10)}},
	}
}
