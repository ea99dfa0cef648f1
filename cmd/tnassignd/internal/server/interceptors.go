package server

import (
	"context"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// The interceptors apply to every call, whether it came over gRPC or
// through the JSON gateway (which dials the gRPC server). observe is the
// outermost: it logs and counts what the caller finally sees, including the
// INTERNAL that recoverer makes of a panic.

// interceptors builds the unary and stream interceptors.
// The guard identifies the caller first (so that the log line can name the
// token) and refuses calls inside the logging and panic recovery.
type interceptors struct {
	log     *slog.Logger
	metrics *Metrics
	guard   *guard.Guard
}

func (ic interceptors) unary() grpc.ServerOption {
	return grpc.ChainUnaryInterceptor(ic.guard.IdentifyUnary, ic.observeUnary, ic.recoverUnary, ic.guard.Unary)
}

func (ic interceptors) stream() grpc.ServerOption {
	return grpc.ChainStreamInterceptor(ic.guard.IdentifyStream, ic.observeStream, ic.recoverStream, ic.guard.Stream)
}

// recoverUnary turns a handler panic into INTERNAL, logging the stack.
func (ic interceptors) recoverUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (resp any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ic.panicked(info.FullMethod, p)
		}
	}()
	return h(ctx, req)
}

// recoverStream turns a handler panic into INTERNAL, logging the stack.
func (ic interceptors) recoverStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = ic.panicked(info.FullMethod, p)
		}
	}()
	return h(srv, ss)
}

// panicked logs a recovered panic and returns the error the caller sees:
// INTERNAL, without internals.
func (ic interceptors) panicked(method string, p any) error {
	ic.metrics.observePanic()
	ic.log.Error("panic in gRPC handler", "method", method, "panic", p, "stack", string(debug.Stack()))
	return errorinfo.New(codes.Internal, tnassignv1.ErrorReason_INTERNAL, "internal error", nil).Err()
}

// observeUnary logs and counts a unary call.
func (ic interceptors) observeUnary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	var ids callIDs
	ids.from(req)
	ids.from(resp)
	ic.finished(ctx, info.FullMethod, start, err, &ids)
	return resp, err
}

// observeStream logs and counts a streaming call; the job id is taken from
// the messages as they pass.
func (ic interceptors) observeStream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := time.Now()
	ws := &observedStream{ServerStream: ss}
	err := h(srv, ws)
	ws.mu.Lock()
	ids := ws.ids
	ws.mu.Unlock()
	ic.finished(ss.Context(), info.FullMethod, start, err, &ids)
	return err
}

// finished writes the one log line of a call and records its metrics.
func (ic interceptors) finished(ctx context.Context, method string, start time.Time, err error, ids *callIDs) {
	d := time.Since(start)
	code := status.Code(err)
	ic.metrics.observeRPC(method, code.String(), d)
	level := levelFor(code)
	if isInfrastructure(method) && level < slog.LevelWarn {
		level = slog.LevelDebug
	}
	if !ic.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("code", code.String()),
		slog.Float64("duration_ms", float64(d.Microseconds())/1000),
	}
	if p, ok := peer.FromContext(ctx); ok && p.Addr != nil {
		attrs = append(attrs, slog.String("peer", p.Addr.String()))
	}
	// Calls through the JSON gateway come from its loopback connection; the
	// gateway passes the HTTP caller's address along (a direct gRPC
	// caller's x-forwarded-for is not believed).
	if fwd := guard.ForwardedFor(ctx); fwd != "" {
		attrs = append(attrs, slog.String("forwarded_for", fwd))
	}
	if name := guard.TokenName(ctx); name != "" {
		attrs = append(attrs, slog.String("token", name))
	}
	if ids.account != "" {
		attrs = append(attrs, slog.String("account_id", ids.account))
	}
	if ids.job != "" {
		attrs = append(attrs, slog.String("job_id", ids.job))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", status.Convert(err).Message()))
	}
	ic.log.LogAttrs(ctx, level, "rpc", attrs...)
}

// levelFor logs our failures and upstream trouble above the caller's own
// mistakes.
func levelFor(c codes.Code) slog.Level {
	switch c {
	case codes.Internal, codes.Unknown, codes.DataLoss, codes.Unimplemented:
		return slog.LevelError
	case codes.Unavailable, codes.ResourceExhausted, codes.DeadlineExceeded:
		return slog.LevelWarn
	default:
		return slog.LevelInfo
	}
}

// isInfrastructure reports methods (health probes, reflection) whose
// success would flood an info log.
func isInfrastructure(method string) bool {
	return strings.HasPrefix(method, "/grpc.health.v1.") || strings.HasPrefix(method, "/grpc.reflection.")
}

// callIDs are the identifiers worth a log line: never anything secret.
type callIDs struct{ account, job string }

// The getters generated for our messages; the interceptor sees messages as
// values of type any.
type (
	accountIDGetter interface{ GetAccountId() string }
	jobIDGetter     interface{ GetJobId() string }
	startedGetter   interface{ GetStarted() *tnassignv1.JobStarted }
)

// from picks the account and job id out of a message when it carries them.
func (ids *callIDs) from(m any) {
	if g, ok := m.(accountIDGetter); ok && ids.account == "" {
		ids.account = g.GetAccountId()
	}
	if g, ok := m.(jobIDGetter); ok && ids.job == "" {
		ids.job = g.GetJobId()
	}
	if g, ok := m.(startedGetter); ok && ids.job == "" {
		ids.job = g.GetStarted().GetJobId()
	}
}

// observedStream remembers the ids seen in a stream's messages.
type observedStream struct {
	grpc.ServerStream
	mu  sync.Mutex
	ids callIDs
}

// RecvMsg notes the account id of the first request.
func (s *observedStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		s.mu.Lock()
		s.ids.from(m)
		s.mu.Unlock()
	}
	return err
}

// SendMsg notes the job id of the started event.
func (s *observedStream) SendMsg(m any) error {
	s.mu.Lock()
	s.ids.from(m)
	s.mu.Unlock()
	return s.ServerStream.SendMsg(m)
}
