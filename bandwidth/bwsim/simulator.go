package bwsim

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"
)

// Simulator simulates Bandwidth's numbersAssignment and OAuth token endpoints. It is an
// http.Handler, safe for concurrent use; create it with [New].
type Simulator struct {
	cfg     Config
	limiter *rate.Limiter // nil without a rate limit
	faults  faultQueue
	tokens  tokenStore
	stats   counters
	bufs    sync.Pool // *[]byte response buffers
	slow    slowCreates
	logMu   sync.Mutex // serializes writes to Config.CreateLog

	mu       sync.RWMutex
	accounts map[string]*account
	orders   []*order // creation order
	byID     map[uuid.UUID]*order
}

var _ http.Handler = (*Simulator)(nil)

// New returns a Simulator configured by cfg (zero optional fields take their defaults).
func New(cfg Config) *Simulator {
	cfg = cfg.withDefaults()
	s := &Simulator{
		cfg:      cfg,
		accounts: make(map[string]*account, len(cfg.Accounts)),
		byID:     make(map[uuid.UUID]*order),
		tokens:   tokenStore{tokens: make(map[string]time.Time)},
	}
	for _, a := range cfg.Accounts {
		s.accounts[a.ID] = newAccount(a)
	}
	if cfg.RateLimit > 0 {
		burst := cfg.RateBurst
		if burst <= 0 {
			burst = max(1, int(cfg.RateLimit))
		}
		s.limiter = rate.NewLimiter(rate.Limit(cfg.RateLimit), burst)
	}
	return s
}

// Operation names, used by [Fault].Op and in logs.
const (
	OpCreate = "create" // POST …/accounts/{id}/numbersAssignment
	OpGet    = "get"    // GET …/accounts/{id}/numbersAssignment/{orderId}
	OpList   = "list"   // GET …/accounts/{id}/numbersAssignment
	OpToken  = "token"  // POST /api/v1/oauth2/token
)

// TokenPath is the path of the OAuth 2.0 token endpoint.
const TokenPath = "/api/v1/oauth2/token"

// route is a parsed request path.
type route struct {
	op        string
	base      string // "/api", "/api/v1", "/api/v2" or "/v1.0"
	accountID string
	orderID   string
}

// parseRoute maps a request to an operation, or returns the reply for a path or method it does not
// serve.
func parseRoute(r *http.Request) (route, *reply) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	if path == TokenPath {
		if r.Method != http.MethodPost {
			return route{}, methodNotAllowed(rootResponse, http.MethodPost)
		}
		return route{op: OpToken}, nil
	}
	// The base paths the Dashboard endpoints answer under, longest first.
	for _, base := range [...]string{"/api/v1", "/api/v2", "/api", "/v1.0"} {
		rest, ok := strings.CutPrefix(path, base+"/accounts/")
		if !ok {
			continue
		}
		parts := strings.Split(rest, "/")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] != "numbersAssignment" {
			break
		}
		rt := route{base: base, accountID: parts[0]}
		if len(parts) == 3 {
			if r.Method != http.MethodGet {
				return route{}, methodNotAllowed(rootResponse, http.MethodGet)
			}
			rt.op, rt.orderID = OpGet, parts[2]
			return rt, nil
		}
		switch r.Method {
		case http.MethodPost:
			rt.op = OpCreate
		case http.MethodGet:
			rt.op = OpList
		default:
			return route{}, methodNotAllowed(rootResponse, "GET, POST")
		}
		return rt, nil
	}
	return route{}, pageNotFound()
}

// notFoundPage is the answer to a path outside the API: a web server's HTML page, not an API
// document, as a client with a wrong base URL would meet in front of the real API.
const notFoundPage = "<!DOCTYPE html>\n<html>\n<head><title>404 Not Found</title></head>\n" +
	"<body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body>\n</html>\n"

// pageNotFound is the reply for a path the simulator does not serve.
func pageNotFound() *reply {
	return &reply{status: http.StatusNotFound, body: []byte(notFoundPage), contentType: "text/html; charset=utf-8"}
}

// ServeHTTP answers one request: after the configured latency, an injected fault if one is due,
// else the rate limit, authentication and the endpoint itself. A request whose context ends while
// it waits is abandoned with panic(http.ErrAbortHandler), which net/http servers treat as "close the
// connection without an answer".
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Logger != nil {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		w = rec
		defer func() { s.logRequest(r, rec.status, time.Since(start)) }()
	}
	rt, rep := parseRoute(r)
	if rep != nil {
		s.send(w, rep)
		return
	}
	s.stats.countOp(rt.op)
	if !sleep(r.Context(), s.cfg.Latency) {
		abandon()
	}
	f, faulty := s.faults.take(rt.op)
	if faulty {
		s.stats.faults.Add(1)
		if done := s.faultBefore(w, r, rt.op, f); done {
			return
		}
	}
	rep = s.handle(r, rt)
	if faulty {
		s.faultAfter(w, rep, f)
		return
	}
	s.send(w, rep)
}

// handle runs the rate limit, random errors, authentication and the endpoint.
func (s *Simulator) handle(r *http.Request, rt route) *reply {
	if rt.op == OpToken {
		return s.token(r)
	}
	root := rootResponse
	if rt.op == OpList {
		root = rootList
	}
	now := s.cfg.Now()
	if ok, reset := s.allow(now); !ok {
		return rateLimited(reset)
	}
	if s.cfg.ErrorRate > 0 && rand.Float64() < s.cfg.ErrorRate {
		return errorReply(http.StatusServiceUnavailable, root, 1000, "Internal Server Error. Please try again.")
	}
	user, rep := s.authenticate(r, root, now)
	if rep != nil {
		return rep
	}
	acc := s.account(rt.accountID)
	if acc == nil {
		return errorReply(http.StatusForbidden, root, 5051,
			"Not authorized to perform operation on the account '"+rt.accountID+"'")
	}
	switch rt.op {
	case OpCreate:
		return s.create(r, rt, acc, user, now)
	case OpGet:
		return s.get(rt, acc, now)
	default:
		return s.list(r, acc, now)
	}
}

// reply is a response to send.
type reply struct {
	status      int
	body        []byte
	contentType string
	header      http.Header // extra headers
	pooled      *[]byte     // the buffer body came from, returned after sending
}

func errorReply(code int, root string, errorCode int, description string) *reply {
	return &reply{
		status:      code,
		body:        appendResponseStatus(nil, root, errorCode, description),
		contentType: "application/xml",
	}
}

func methodNotAllowed(root, allow string) *reply {
	rep := errorReply(http.StatusMethodNotAllowed, root, 0, "Method not allowed")
	rep.header = http.Header{"Allow": {allow}}
	return rep
}

// buffer returns a response buffer from the pool; xmlReply gives it back after sending.
func (s *Simulator) buffer() *[]byte {
	if p, ok := s.bufs.Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, 0, 4096)
	return &b
}

// xmlReply wraps body, written into the pooled buffer p, as a reply.
func xmlReply(code int, p *[]byte, body []byte) *reply {
	*p = body
	return &reply{status: code, body: body, contentType: "application/xml", pooled: p}
}

// release returns rep's buffer to the pool, unless it grew too large to keep.
func (s *Simulator) release(rep *reply) {
	if rep.pooled != nil && cap(*rep.pooled) <= 1<<20 {
		*rep.pooled = (*rep.pooled)[:0]
		s.bufs.Put(rep.pooled)
	}
	rep.pooled, rep.body = nil, nil
}

// send writes rep and counts it.
func (s *Simulator) send(w http.ResponseWriter, rep *reply) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if len(rep.body) > 0 {
		h.Set("Content-Type", rep.contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(rep.body)))
	s.stats.countStatus(rep.status)
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body)
	s.release(rep)
}

// abandon ends a request whose context ended (the client left, or the server is closing) without
// an answer: returning normally would send an empty 200.
func abandon() {
	panic(http.ErrAbortHandler)
}

// sleep waits for d, or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
