package guard

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"strings"

	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Metadata keys the JSON gateway sets on its calls (and only it: the
// gateway forwards no caller-chosen metadata but Authorization and
// X-Request-Id). A direct gRPC caller may send them too, but without the
// process's gateway key they are ignored.
const (
	GatewayKeyMetadata  = "tnassign-gateway-key"
	GatewayPeerMetadata = "tnassign-gateway-peer"
)

// NewGatewayKey returns a random key for one process: the gateway sends it
// with every call so that the guard can trust the HTTP caller's address the
// gateway reports.
func NewGatewayKey() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b)
}

// Caller is who made a call, as the guard established it.
type Caller struct {
	// Token is the caller's valid token; nil without one.
	Token *Token
	// key identifies the caller for the per-caller limits: the token name,
	// or the caller's IP address without a token.
	key string
	// authErr is why the call has no token: UNAUTHENTICATED to return when
	// authentication is on.
	authErr error
	// forwardedFor is the x-forwarded-for metadata of a call that came
	// through this process's gateway; "" for any other call.
	forwardedFor string
}

// callerKey is the context key of the *Caller.
type callerKey struct{}

// callerFrom returns the caller identified for the call, or a caller with
// no identity.
func callerFrom(ctx context.Context) *Caller {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok {
		return c
	}
	return &Caller{key: "unknown", authErr: unauthenticated(tnassignv1.ErrorReason_TOKEN_MISSING, "no caller identity")}
}

// TokenName returns the name of the call's valid token, or "": the name a
// log line gives for the caller. It never returns the token.
func TokenName(ctx context.Context) string {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok && c.Token != nil {
		return c.Token.Name
	}
	return ""
}

// ForwardedFor returns the HTTP caller's address chain (x-forwarded-for)
// of a call that came through this process's gateway, or "": a direct gRPC
// caller's x-forwarded-for metadata is its own say-so and is not reported.
func ForwardedFor(ctx context.Context) string {
	if c, ok := ctx.Value(callerKey{}).(*Caller); ok {
		return c.forwardedFor
	}
	return ""
}

// identify resolves the call's bearer token and address into a Caller.
func (g *Guard) identify(ctx context.Context) context.Context {
	md, _ := metadata.FromIncomingContext(ctx)
	c := &Caller{key: "peer:" + g.peerAddress(ctx, md)}
	if g.fromGateway(md) {
		c.forwardedFor = strings.Join(md.Get("x-forwarded-for"), ", ")
	}
	if g.tokens == nil {
		return context.WithValue(ctx, callerKey{}, c)
	}
	values := md.Get("authorization")
	switch {
	case len(values) == 0:
		c.authErr = unauthenticated(tnassignv1.ErrorReason_TOKEN_MISSING, "this call needs a bearer token: send the metadata (HTTP header) authorization: Bearer <token>")
	case len(values) > 1:
		c.authErr = unauthenticated(tnassignv1.ErrorReason_TOKEN_MISSING, "more than one authorization value; send exactly one bearer token")
	default:
		scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "bearer") || token == "" {
			c.authErr = unauthenticated(tnassignv1.ErrorReason_TOKEN_MISSING, "authorization must be: Bearer <token>")
			break
		}
		if t, found := g.tokens.Tokens().Lookup(token); found {
			c.Token, c.key = t, "token:"+t.Name
		} else {
			c.authErr = unauthenticated(tnassignv1.ErrorReason_TOKEN_UNKNOWN, "the bearer token is not known to this deployment")
		}
	}
	return context.WithValue(ctx, callerKey{}, c)
}

// peerAddress is the caller's IP address: the HTTP caller's when the call
// came through this process's gateway, else the gRPC peer's.
func (g *Guard) peerAddress(ctx context.Context, md metadata.MD) string {
	if addr := md.Get(GatewayPeerMetadata); len(addr) == 1 && g.fromGateway(md) {
		return addr[0]
	}
	p, ok := peer.FromContext(ctx)
	if !ok || p.Addr == nil {
		return "unknown"
	}
	if host, _, err := net.SplitHostPort(p.Addr.String()); err == nil {
		return host
	}
	return p.Addr.String()
}

// fromGateway reports whether a call carries this process's gateway key:
// it came through the JSON gateway.
func (g *Guard) fromGateway(md metadata.MD) bool {
	key := md.Get(GatewayKeyMetadata)
	return g.gatewayKey != "" && len(key) == 1 && subtle.ConstantTimeCompare([]byte(key[0]), []byte(g.gatewayKey)) == 1
}
