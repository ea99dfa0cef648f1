package server

import (
	"net"
	"net/http"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
)

// Defaults of the security options.
const (
	// DefaultMaxBodyBytes caps the body of a streaming gateway request: some
	// five million numbers as NDJSON. Other routes are capped at
	// MaxRecvMsgSize, the most one gRPC message may hold.
	DefaultMaxBodyBytes = 64 << 20
	// DefaultMaxConnectionAge is how long a gRPC connection lives before
	// the server asks the client to reconnect (GOAWAY): clients spread
	// over replicas again and no connection lives forever. Calls in
	// progress go on, for MaxConnectionAgeGrace.
	DefaultMaxConnectionAge = 30 * time.Minute
)

// security is Serve's security setup with its defaults applied.
type security struct {
	tls      *TLS
	guard    *guard.Guard
	maxBody  int64
	age      time.Duration
	ageGrace time.Duration
}

func securityOf(opts Options) security {
	s := security{tls: opts.TLS, guard: opts.Guard, maxBody: opts.MaxBodyBytes,
		age: opts.MaxConnectionAge, ageGrace: opts.MaxConnectionAgeGrace}
	if s.guard == nil {
		s.guard = guard.New(guard.Config{GatewayKey: guard.NewGatewayKey()})
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	if s.age <= 0 {
		s.age = DefaultMaxConnectionAge
	}
	return s
}

// serverOptions are the gRPC server's TLS credentials and connection age.
// A grace of 0 lets calls run to their end: a job stream is never cut
// because its connection grew old.
func (s security) serverOptions() []grpc.ServerOption {
	params := keepalive.ServerParameters{
		Time:             30 * time.Second,
		Timeout:          10 * time.Second,
		MaxConnectionAge: s.age,
	}
	if s.ageGrace > 0 {
		params.MaxConnectionAgeGrace = s.ageGrace
	}
	opts := []grpc.ServerOption{grpc.KeepaliveParams(params)}
	if s.tls != nil {
		opts = append(opts, grpc.Creds(s.tls.grpcCredentials()))
	}
	return opts
}

// dialCredentials are the gateway's transport credentials.
func (s security) dialCredentials() grpc.DialOption {
	if s.tls != nil {
		return grpc.WithTransportCredentials(s.tls.gatewayCredentials())
	}
	return grpc.WithTransportCredentials(insecure.NewCredentials())
}

// httpListener wraps the HTTP listener in TLS when TLS is on.
func (s security) httpListener(lis net.Listener) net.Listener {
	if s.tls != nil {
		return s.tls.listenHTTP(lis)
	}
	return lis
}

// gateway caps the gateway's request bodies.
func (s security) gateway(gw http.Handler) http.Handler {
	return limitBodies(gw, s.maxBody, min(s.maxBody, MaxRecvMsgSize))
}

// metrics guards /metrics: open to loopback clients, and, with
// authentication on, to others presenting any valid bearer token. Metrics
// hold counts and latencies, no account's data.
func (s security) metrics(h http.Handler) http.Handler {
	if !s.guard.AuthEnabled() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.RemoteAddr)
		if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || s.guard.ValidBearer(r.Header.Values("Authorization")) {
			h.ServeHTTP(w, r)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="tnassign"`)
		http.Error(w, "/metrics needs a bearer token from a non-loopback address", http.StatusUnauthorized)
	})
}
