package bwsim

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"
)

// Stats counts the requests a Simulator has seen.
type Stats struct {
	// Creates, Gets, Lists and Tokens count requests per operation, whatever their outcome.
	Creates, Gets, Lists, Tokens int
	// Rejected counts answers with a 4xx status other than 429 (400, 401, 403, 404, 405, 413).
	Rejected int
	// Unauthorized counts 401 answers (also counted in Rejected).
	Unauthorized int
	// RateLimited counts 429 answers, injected or from the rate limit.
	RateLimited int
	// ServerErrors counts 5xx answers.
	ServerErrors int
	// Faults counts injected faults applied.
	Faults int
	// Resets counts connections dropped without an answer.
	Resets int
}

// counters are the live Stats.
type counters struct {
	creates, gets, lists, tokens                 atomic.Int64
	rejected, unauthorized, rateLimited, serverE atomic.Int64
	faults, resets                               atomic.Int64
}

func (c *counters) countOp(op string) {
	switch op {
	case OpCreate:
		c.creates.Add(1)
	case OpGet:
		c.gets.Add(1)
	case OpList:
		c.lists.Add(1)
	case OpToken:
		c.tokens.Add(1)
	}
}

func (c *counters) countStatus(code int) {
	switch {
	case code == http.StatusTooManyRequests:
		c.rateLimited.Add(1)
	case code >= 500:
		c.serverE.Add(1)
	case code >= 400:
		c.rejected.Add(1)
		if code == http.StatusUnauthorized {
			c.unauthorized.Add(1)
		}
	}
}

// Stats returns the request counts so far.
func (s *Simulator) Stats() Stats {
	c := &s.stats
	return Stats{
		Creates:      int(c.creates.Load()),
		Gets:         int(c.gets.Load()),
		Lists:        int(c.lists.Load()),
		Tokens:       int(c.tokens.Load()),
		Rejected:     int(c.rejected.Load()),
		Unauthorized: int(c.unauthorized.Load()),
		RateLimited:  int(c.rateLimited.Load()),
		ServerErrors: int(c.serverE.Load()),
		Faults:       int(c.faults.Load()),
		Resets:       int(c.resets.Load()),
	}
}

// statusRecorder remembers the status a handler wrote, for the request log. Unwrap lets
// http.ResponseController reach the connection for resets.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequest writes one line for a request; status 0 means no answer was sent (a reset, or the
// client went away).
func (s *Simulator) logRequest(r *http.Request, status int, d time.Duration) {
	s.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Duration("duration", d))
}
