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

// Defaults of Security: what tnassignd's flags start from and what Serve
// uses for a zero value. The limits' defaults are guard's.
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
	// DefaultMaxConnectionAgeGrace lets calls on an old connection run to
	// their end.
	DefaultMaxConnectionAgeGrace time.Duration = 0
)

// Security is tnassignd's transport security, caller authentication and
// per-caller limits as configured: the flags fill it in, and it reaches
// Serve (Options.Security) and the guard (Limits) as it is.
type Security struct {
	// TLSFiles turn TLS 1.3 on for both listeners when TLSFiles.Cert is
	// set; the caller loads them with LoadTLS into Options.TLS.
	TLSFiles TLSFiles
	// AuthTokensFile is the JSON file of bearer tokens (SHA-256 digests)
	// and what each may do; "" turns caller authentication off. The caller
	// opens it with guard.OpenTokenStore into Options.Tokens.
	AuthTokensFile string
	// InsecureAllowPublic lets tnassignd listen beyond loopback with no
	// caller authentication (no tokens, no mutual TLS).
	InsecureAllowPublic bool
	// MaxBodyBytes caps a streaming gateway request's body; 0 is
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Limits cap the numbers of one job and the jobs one caller runs at
	// once; 0 is unlimited.
	guard.Limits
	// MaxConnectionAge is how long a gRPC connection lives before GOAWAY;
	// 0 is DefaultMaxConnectionAge.
	MaxConnectionAge time.Duration
	// MaxConnectionAgeGrace bounds how long calls may go on after that;
	// 0 lets them run to their end.
	MaxConnectionAgeGrace time.Duration
	// MaxGatewayStreams caps the streaming calls (job uploads, watches) the
	// JSON gateway carries at once; 0 is DefaultMaxGatewayStreams.
	MaxGatewayStreams int
	// TrustedProxies are the proxies in front of the HTTP listener whose
	// X-Forwarded-For and X-Forwarded-Host headers the gateway believes;
	// from anyone else they are dropped. Empty trusts none.
	TrustedProxies TrustedProxies
}

// TLS reports whether TLS is on.
func (s Security) TLS() bool { return s.TLSFiles.Cert != "" }

// Authenticated reports whether callers must authenticate: by bearer token
// or by client certificate.
func (s Security) Authenticated() bool {
	return s.AuthTokensFile != "" || s.TLSFiles.ClientCA != ""
}

// security is Serve's security setup: the settings with their defaults
// applied, the loaded TLS material and the guard.
type security struct {
	Security
	tls   *TLS
	guard *guard.Guard
}

func securityOf(opts Options) security {
	s := security{Security: opts.Security, tls: opts.TLS}
	s.guard = guard.New(guard.Config{Tokens: opts.Tokens, Limits: s.Limits, GatewayKey: guard.NewGatewayKey()})
	if s.MaxBodyBytes <= 0 {
		s.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.MaxConnectionAge <= 0 {
		s.MaxConnectionAge = DefaultMaxConnectionAge
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
		MaxConnectionAge: s.MaxConnectionAge,
	}
	if s.MaxConnectionAgeGrace > 0 {
		params.MaxConnectionAgeGrace = s.MaxConnectionAgeGrace
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

// gateway caps the gateway's request bodies and drops the forwarding
// headers of callers that are not trusted proxies.
func (s security) gateway(gw http.Handler) http.Handler {
	return trustForwarding(limitBodies(gw, s.MaxBodyBytes, min(s.MaxBodyBytes, MaxRecvMsgSize)), s.TrustedProxies)
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
