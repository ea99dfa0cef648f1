package guard

import (
	"context"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Config configures a Guard. The zero value authenticates nobody and limits
// nothing: what a loopback-only development server runs with.
type Config struct {
	// Tokens are the bearer tokens callers must present; nil turns
	// authentication off (every caller may do everything).
	Tokens *TokenStore
	// Limits cap each job and each caller; the zero value limits nothing.
	Limits
	// GatewayKey is the key the process's gateway sends with each call (see
	// NewGatewayKey); "" trusts no gateway-reported address.
	GatewayKey string
}

// Guard authenticates, authorizes and limits gRPC calls. Install Identify
// outermost (so the call log can name the token) and Unary/Stream inside the
// logging and panic recovery.
type Guard struct {
	tokens     *TokenStore
	maxNumbers int
	slots      *jobSlots // jobs
	watches    *jobSlots
	gatewayKey string
}

// New returns a Guard for cfg.
func New(cfg Config) *Guard {
	return &Guard{
		tokens:     cfg.Tokens,
		maxNumbers: cfg.MaxNumbersPerJob,
		slots:      newJobSlots(cfg.MaxJobsPerCaller),
		watches:    newJobSlots(cfg.MaxWatchesPerCaller),
		gatewayKey: cfg.GatewayKey,
	}
}

// AuthEnabled reports whether calls need a token.
func (g *Guard) AuthEnabled() bool { return g.tokens != nil }

// IdentifyUnary resolves the caller of a unary call; it refuses nothing.
func (g *Guard) IdentifyUnary(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	return h(g.identify(ctx), req)
}

// IdentifyStream resolves the caller of a streaming call; it refuses
// nothing.
func (g *Guard) IdentifyStream(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	return h(srv, &contextStream{ServerStream: ss, ctx: g.identify(ss.Context())})
}

// Unary authorizes a unary call, and for CreateAssignmentJob caps its
// numbers and counts it as one of the caller's jobs while it is submitted.
func (g *Guard) Unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	r := ruleFor(info.FullMethod)
	if err := g.authorize(ctx, r, req, true); err != nil {
		return nil, err
	}
	if r.job {
		if g.maxNumbers > 0 && len(numbersOf(req)) > g.maxNumbers {
			return nil, tooManyNumbers(g.maxNumbers)
		}
		release, ok := g.slots.acquire(callerFrom(ctx).key)
		if !ok {
			return nil, tooManyJobs(g.slots.limit)
		}
		defer release()
	}
	return h(ctx, req)
}

// Stream authorizes a streaming call: the token and action at once, the
// account of every request message as it arrives (the first one names it;
// the handler sees no message the token may not use). A job stream counts
// against the caller's concurrent jobs and its numbers against the cap; a
// watch counts against the caller's concurrent watches.
func (g *Guard) Stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	ctx := ss.Context()
	r := ruleFor(info.FullMethod)
	if err := g.authorize(ctx, r, nil, false); err != nil {
		return err
	}
	if r.job {
		release, ok := g.slots.acquire(callerFrom(ctx).key)
		if !ok {
			return tooManyJobs(g.slots.limit)
		}
		defer release()
	}
	if r.watch {
		release, ok := g.watches.acquire(callerFrom(ctx).key)
		if !ok {
			return tooManyWatches(g.watches.limit)
		}
		defer release()
	}
	gs := &guardedStream{ServerStream: ss, guard: g, rule: r, caller: callerFrom(ctx)}
	err := h(srv, gs)
	// A refusal of a request message is the call's status, whatever the
	// handler made of the failed receive.
	if refused := gs.refused(); refused != nil {
		return refused
	}
	return err
}

// authorize checks the call's token against the method's rule; with
// withMessage, also the action and account the request names.
func (g *Guard) authorize(ctx context.Context, r rule, req any, withMessage bool) error {
	if r.open || g.tokens == nil {
		return nil
	}
	c := callerFrom(ctx)
	if c.Token == nil {
		return c.authErr
	}
	if r.anyToken {
		return nil
	}
	if r.deny {
		return refuseMethod()
	}
	action := r.action
	if action == "" && withMessage && r.byRequest != nil {
		action = r.byRequest(req)
	}
	if action != "" && !c.Token.AllowsAction(action) {
		return actionDenied(c.Token, action)
	}
	if withMessage {
		return checkAccount(c.Token, action, req)
	}
	return nil
}

// checkAccount refuses a message naming an account the token may not use.
// A message without an account passes: the service refuses a first message
// without one, and later messages keep the first one's.
func checkAccount(t *Token, action Action, msg any) error {
	g, ok := msg.(interface{ GetAccountId() string })
	if !ok {
		return nil
	}
	if a := g.GetAccountId(); a != "" && !t.AllowsAccount(a) {
		return accountDenied(t, action, a)
	}
	return nil
}

// numbersOf returns the telephone numbers a message carries.
func numbersOf(msg any) []string {
	if g, ok := msg.(interface{ GetTelephoneNumbers() []string }); ok {
		return g.GetTelephoneNumbers()
	}
	return nil
}

// contextStream is a ServerStream with the caller in its context.
type contextStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *contextStream) Context() context.Context { return s.ctx }

// guardedStream checks each request message before the handler sees it.
type guardedStream struct {
	grpc.ServerStream
	guard   *Guard
	rule    rule
	caller  *Caller
	numbers int

	mu      sync.Mutex
	refusal error
}

// RecvMsg receives a message and refuses it, failing the receive, when its
// account is not the token's or it takes the job past the numbers cap.
func (s *guardedStream) RecvMsg(m any) error {
	if err := s.refused(); err != nil {
		return err
	}
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	var err error
	if s.guard.tokens != nil && s.caller.Token != nil && !s.rule.anyToken {
		err = checkAccount(s.caller.Token, s.rule.action, m)
	}
	if err == nil && s.rule.job && s.guard.maxNumbers > 0 {
		s.numbers += len(numbersOf(m))
		if s.numbers > s.guard.maxNumbers {
			err = tooManyNumbers(s.guard.maxNumbers)
		}
	}
	if err != nil {
		s.mu.Lock()
		s.refusal = err
		s.mu.Unlock()
	}
	return err
}

func (s *guardedStream) refused() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusal
}

// GatewayKey returns the key the process's gateway sends with its calls.
func (g *Guard) GatewayKey() string { return g.gatewayKey }

// ValidBearer reports whether authorization (the values of an HTTP
// Authorization header) is exactly one known bearer token.
func (g *Guard) ValidBearer(authorization []string) bool {
	if g.tokens == nil {
		return false
	}
	ctx := metadata.NewIncomingContext(context.Background(), metadata.MD{"authorization": authorization})
	return callerFrom(g.identify(ctx)).Token != nil
}
