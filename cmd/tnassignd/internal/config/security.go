package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Defaults of the security flags.
const (
	DefaultMaxBodyBytes          = 64 << 20
	DefaultMaxNumbersPerJob      = 1_000_000
	DefaultMaxJobsPerCaller      = 16
	DefaultMaxConnectionAge      = 30 * time.Minute
	DefaultMaxConnectionAgeGrace = 0
)

// Security is the transport security, caller authentication and per-caller
// limits of tnassignd.
type Security struct {
	// TLSCert and TLSKey turn TLS 1.3 on for both listeners.
	TLSCert, TLSKey string
	// TLSClientCA requires client certificates issued by these CAs (mutual
	// TLS) on both listeners.
	TLSClientCA string
	// TLSGatewayCert and TLSGatewayKey are the client certificate the
	// gateway presents to the gRPC listener under mutual TLS; default: the
	// server certificate.
	TLSGatewayCert, TLSGatewayKey string
	// AuthTokensFile is the JSON file of bearer tokens (SHA-256 digests)
	// and what each may do; "" turns caller authentication off.
	AuthTokensFile string
	// InsecureAllowPublic lets tnassignd listen beyond loopback with no
	// caller authentication (no tokens, no mutual TLS).
	InsecureAllowPublic bool
	// MaxBodyBytes caps a streaming HTTP request's body.
	MaxBodyBytes int64
	// MaxNumbersPerJob caps the numbers of one job; 0 is unlimited.
	MaxNumbersPerJob int
	// MaxJobsPerCaller caps the jobs one caller runs at once; 0 is
	// unlimited.
	MaxJobsPerCaller int
	// MaxConnectionAge and MaxConnectionAgeGrace bound a gRPC connection's
	// life; a grace of 0 lets calls run to their end.
	MaxConnectionAge, MaxConnectionAgeGrace time.Duration
}

// TLS reports whether TLS is on.
func (s Security) TLS() bool { return s.TLSCert != "" }

// Authenticated reports whether callers must authenticate: by bearer token
// or by client certificate.
func (s Security) Authenticated() bool { return s.AuthTokensFile != "" || s.TLSClientCA != "" }

// rawSecurity holds the security flags before validation.
type rawSecurity struct {
	tlsCert, tlsKey, tlsClientCA string
	gatewayCert, gatewayKey      string
	tokensFile                   string
	allowPublic                  bool
	maxBody                      int64
	maxNumbers, maxJobs          int
	age, ageGrace                time.Duration
}

// addSecurityFlags defines the security flags on fs.
func addSecurityFlags(fs *flag.FlagSet, r *rawSecurity) {
	fs.StringVar(&r.tlsCert, "tls-cert", "", "PEM certificate `file` (chain); with --tls-key, serves gRPC and HTTP over TLS 1.3")
	fs.StringVar(&r.tlsKey, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.StringVar(&r.tlsClientCA, "tls-client-ca", "", "PEM CA `file`: require client certificates it issued (mutual TLS) on both listeners")
	fs.StringVar(&r.gatewayCert, "tls-gateway-cert", "", "PEM client certificate `file` the JSON gateway presents under mutual TLS (default: --tls-cert, which then needs the clientAuth usage)")
	fs.StringVar(&r.gatewayKey, "tls-gateway-key", "", "PEM private key `file` of --tls-gateway-cert")
	fs.StringVar(&r.tokensFile, "auth-tokens-file", "", "JSON `file` of the bearer tokens callers present (as SHA-256 digests) and the accounts and actions each may use; re-read on SIGHUP")
	fs.BoolVar(&r.allowPublic, "insecure-allow-public", false, "allow listening beyond loopback without caller authentication (only behind something that authenticates)")
	fs.Int64Var(&r.maxBody, "max-body-bytes", DefaultMaxBodyBytes, "largest body of a streaming HTTP request, in `bytes` (other routes: 4 MiB); more is answered 413")
	fs.IntVar(&r.maxNumbers, "max-numbers-per-job", DefaultMaxNumbersPerJob, "most numbers one job may carry (0 = unlimited)")
	fs.IntVar(&r.maxJobs, "max-jobs-per-caller", DefaultMaxJobsPerCaller, "most jobs one caller (token, or IP address without tokens) runs at once (0 = unlimited)")
	fs.DurationVar(&r.age, "grpc-max-connection-age", DefaultMaxConnectionAge, "how long a gRPC connection lives before the server asks the client to reconnect")
	fs.DurationVar(&r.ageGrace, "grpc-max-connection-age-grace", DefaultMaxConnectionAgeGrace, "how long calls may go on after that before the connection is cut (0 = until they end)")
}

// validate checks the security flags against the listen addresses.
func (r *rawSecurity) validate(grpcAddr, httpAddr string) (Security, error) {
	s := Security{
		TLSCert: r.tlsCert, TLSKey: r.tlsKey, TLSClientCA: r.tlsClientCA,
		TLSGatewayCert: r.gatewayCert, TLSGatewayKey: r.gatewayKey,
		AuthTokensFile: r.tokensFile, InsecureAllowPublic: r.allowPublic,
		MaxBodyBytes: r.maxBody, MaxNumbersPerJob: r.maxNumbers, MaxJobsPerCaller: r.maxJobs,
		MaxConnectionAge: r.age, MaxConnectionAgeGrace: r.ageGrace,
	}
	switch {
	case (r.tlsCert == "") != (r.tlsKey == ""):
		return Security{}, errors.New("--tls-cert and --tls-key go together: give both or neither")
	case r.tlsClientCA != "" && r.tlsCert == "":
		return Security{}, errors.New("--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS")
	case (r.gatewayCert == "") != (r.gatewayKey == ""):
		return Security{}, errors.New("--tls-gateway-cert and --tls-gateway-key go together: give both or neither")
	case r.gatewayCert != "" && r.tlsClientCA == "":
		return Security{}, errors.New("--tls-gateway-cert is only used with --tls-client-ca (mutual TLS)")
	case r.maxBody < 1024:
		return Security{}, fmt.Errorf("--max-body-bytes must be at least 1024, got %d", r.maxBody)
	case r.maxNumbers < 0:
		return Security{}, fmt.Errorf("--max-numbers-per-job must not be negative (0 = unlimited), got %d", r.maxNumbers)
	case r.maxJobs < 0:
		return Security{}, fmt.Errorf("--max-jobs-per-caller must not be negative (0 = unlimited), got %d", r.maxJobs)
	case r.age <= 0:
		return Security{}, fmt.Errorf("--grpc-max-connection-age must be positive, got %v", r.age)
	case r.ageGrace < 0:
		return Security{}, fmt.Errorf("--grpc-max-connection-age-grace must not be negative, got %v", r.ageGrace)
	}
	for _, f := range []struct{ flag, path string }{
		{"--tls-cert", r.tlsCert}, {"--tls-key", r.tlsKey}, {"--tls-client-ca", r.tlsClientCA},
		{"--tls-gateway-cert", r.gatewayCert}, {"--tls-gateway-key", r.gatewayKey}, {"--auth-tokens-file", r.tokensFile},
	} {
		if f.path == "" {
			continue
		}
		if _, err := os.Stat(f.path); err != nil {
			return Security{}, fmt.Errorf("%s: %v", f.flag, err)
		}
	}
	if !s.Authenticated() && !r.allowPublic {
		for _, a := range []struct{ flag, addr string }{{"--grpc-addr", grpcAddr}, {"--http-addr", httpAddr}} {
			if !IsLoopback(a.addr) {
				return Security{}, fmt.Errorf("refusing to listen on %s (%s) without caller authentication: "+
					"set --auth-tokens-file (or --tls-client-ca), listen on 127.0.0.1, "+
					"or pass --insecure-allow-public if something in front authenticates callers", a.addr, a.flag)
			}
		}
	}
	return s, nil
}

// IsLoopback reports whether a host:port listens on loopback only:
// localhost, 127.0.0.0/8 or ::1. An empty host (all interfaces) or any other
// name is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
