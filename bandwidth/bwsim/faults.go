package bwsim

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// FaultKind is a kind of injected failure.
type FaultKind int

// The fault kinds.
const (
	// FaultRateLimit answers 429 with an empty body and X-RateLimit-Reset, Fault.ResetAfter (default
	// one second) from now, in epoch seconds rounded up.
	FaultRateLimit FaultKind = iota + 1
	// FaultServerError answers Fault.Status (default 503) with a ResponseStatus body (code 1000),
	// without handling the request: no order is created.
	FaultServerError
	// FaultResetBeforeCreate drops the connection (a TCP reset) without handling the request: no
	// order is created.
	FaultResetBeforeCreate
	// FaultResetAfterCreate handles the request — a create stores its order — then drops the
	// connection instead of answering, so the client never learns the outcome.
	FaultResetAfterCreate
	// FaultTruncatedBody handles the request, then sends the status, a Content-Length for the full
	// body and only its first half before closing the connection.
	FaultTruncatedBody
	// FaultOversizedBody handles the request, then streams its answer with Fault.Size bytes (default
	// 32 MiB) of padding inside the root element, without a Content-Length.
	FaultOversizedBody
	// FaultLatency delays the request by Fault.Delay, then handles it normally. As with
	// Config.Latency, a create is handled even if its client gave up during the delay.
	FaultLatency
	// FaultUnauthorized answers 401 with WWW-Authenticate whatever the credentials, as if they had
	// been revoked.
	FaultUnauthorized
)

// String returns the kind's name.
func (k FaultKind) String() string {
	switch k {
	case FaultRateLimit:
		return "rate-limit"
	case FaultServerError:
		return "server-error"
	case FaultResetBeforeCreate:
		return "reset-before-create"
	case FaultResetAfterCreate:
		return "reset-after-create"
	case FaultTruncatedBody:
		return "truncated-body"
	case FaultOversizedBody:
		return "oversized-body"
	case FaultLatency:
		return "latency"
	case FaultUnauthorized:
		return "unauthorized"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// DefaultOversizedBytes is the padding of FaultOversizedBody when Fault.Size is zero.
const DefaultOversizedBytes = 32 << 20

// Fault is a failure to inject into the requests an operation receives.
type Fault struct {
	Kind FaultKind
	// Op is the operation the fault applies to: OpCreate, OpGet, OpList, OpToken, or "" for any.
	Op string
	// Times is how many matching requests the fault applies to; zero means every one until
	// ClearFaults.
	Times int
	// Status is FaultServerError's HTTP status; zero means 503.
	Status int
	// Delay is FaultLatency's delay.
	Delay time.Duration
	// ResetAfter is how far ahead FaultRateLimit's X-RateLimit-Reset lies; zero means one second.
	ResetAfter time.Duration
	// Size is FaultOversizedBody's padding in bytes; zero means DefaultOversizedBytes.
	Size int64
}

// Inject queues faults. Each request takes the first queued fault whose Op matches it, so faults
// are consumed in the order injected; a fault leaves the queue once it has applied Times times.
// Inject panics on a fault with an unknown Kind or Op, which is a bug in the calling test.
func (s *Simulator) Inject(faults ...Fault) {
	for _, f := range faults {
		if f.Kind < FaultRateLimit || f.Kind > FaultUnauthorized {
			panic(fmt.Sprintf("bwsim: Inject: unknown fault kind %d", int(f.Kind)))
		}
		switch f.Op {
		case "", OpCreate, OpGet, OpList, OpToken:
		default:
			panic(fmt.Sprintf("bwsim: Inject: unknown op %q", f.Op))
		}
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for _, f := range faults {
		s.faults.queue = append(s.faults.queue, &pendingFault{fault: f, left: f.Times})
	}
}

// ClearFaults removes every queued fault.
func (s *Simulator) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.queue = nil
}

// faultQueue holds the injected faults not yet used up.
type faultQueue struct {
	mu    sync.Mutex
	queue []*pendingFault
}

type pendingFault struct {
	fault Fault
	left  int // applications left; 0 for a fault without a limit
}

// take returns the fault due for a request of op, if any, and uses it once.
func (q *faultQueue) take(op string) (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, p := range q.queue {
		if p.fault.Op != "" && p.fault.Op != op {
			continue
		}
		if p.fault.Times > 0 {
			if p.left--; p.left == 0 {
				q.queue = append(q.queue[:i:i], q.queue[i+1:]...)
			}
		}
		return p.fault, true
	}
	return Fault{}, false
}

// faultBefore applies the faults that replace handling; it reports whether the request is done.
// The token endpoint's answers are JSON, as RFC 6749 has them.
func (s *Simulator) faultBefore(w http.ResponseWriter, r *http.Request, op string, f Fault) bool {
	root := rootResponse
	if op == OpList {
		root = rootList
	}
	switch f.Kind {
	case FaultLatency:
		if !sleep(r.Context(), f.Delay) {
			abandon()
		}
		return false
	case FaultRateLimit:
		after := f.ResetAfter
		if after <= 0 {
			after = time.Second
		}
		s.send(w, rateLimited(s.cfg.Now().Add(after)))
	case FaultServerError:
		code := f.Status
		if code == 0 {
			code = http.StatusServiceUnavailable
		}
		if op == OpToken {
			s.send(w, s.oauthError(code, "server_error"))
		} else {
			s.send(w, errorReply(code, root, 1000, "Internal Server Error. Please try again."))
		}
	case FaultUnauthorized:
		if op == OpToken {
			rep := s.oauthError(http.StatusUnauthorized, "invalid_client")
			rep.header.Set("WWW-Authenticate", `Basic realm="`+Realm+`"`)
			s.send(w, rep)
		} else {
			s.send(w, s.unauthorized(root, false))
		}
	case FaultResetBeforeCreate:
		s.reset(w)
	default:
		return false
	}
	return true
}

// faultAfter delivers rep as the fault f prescribes.
func (s *Simulator) faultAfter(w http.ResponseWriter, rep *reply, f Fault) {
	switch f.Kind {
	case FaultResetAfterCreate:
		s.release(rep)
		s.reset(w)
	case FaultTruncatedBody:
		h := w.Header()
		for k, v := range rep.header {
			h[k] = v
		}
		h.Set("Content-Type", rep.contentType)
		h.Set("Content-Length", fmt.Sprint(len(rep.body)))
		s.stats.countStatus(rep.status)
		w.WriteHeader(rep.status)
		_, _ = w.Write(rep.body[:len(rep.body)/2])
		s.release(rep)
		// Returning with less written than announced makes net/http close the connection.
	case FaultOversizedBody:
		s.sendOversized(w, rep, f.Size)
	default:
		s.send(w, rep)
	}
}

// sendOversized streams rep with size bytes of padding before its root element's end tag.
func (s *Simulator) sendOversized(w http.ResponseWriter, rep *reply, size int64) {
	if size <= 0 {
		size = DefaultOversizedBytes
	}
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	h.Set("Content-Type", "application/xml")
	s.stats.countStatus(rep.status)
	w.WriteHeader(rep.status)
	cut := max(bytes.LastIndex(rep.body, []byte("</")), 0)
	chunk := bytes.Repeat([]byte("x"), 32<<10)
	write := func(b []byte) bool { _, err := w.Write(b); return err == nil }
	ok := write(rep.body[:cut]) && write([]byte("<Padding>"))
	for left := size; ok && left > 0; left -= int64(len(chunk)) {
		ok = write(chunk[:min(left, int64(len(chunk)))])
	}
	if ok && write([]byte("</Padding>\n")) {
		write(rep.body[cut:])
	}
	s.release(rep)
}

// reset drops the request's connection with a TCP reset, without an answer.
func (s *Simulator) reset(w http.ResponseWriter) {
	s.stats.resets.Add(1)
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not a hijackable connection (HTTP/2, a recorder): abort the handler, which closes it.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
