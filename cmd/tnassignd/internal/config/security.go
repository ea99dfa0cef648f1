package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	"github.com/tnassign/tnassign/cmd/tnassignd/internal/server"
)

// addSecurityFlags defines the security flags on fs, writing into s.
func addSecurityFlags(fs *flag.FlagSet, s *server.Security) {
	fs.StringVar(&s.TLSFiles.Cert, "tls-cert", "", "PEM certificate `file` (chain); with --tls-key, serves gRPC and HTTP over TLS 1.3")
	fs.StringVar(&s.TLSFiles.Key, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.StringVar(&s.TLSFiles.ClientCA, "tls-client-ca", "", "PEM CA `file`: require client certificates it issued (mutual TLS) on both listeners")
	fs.StringVar(&s.TLSFiles.GatewayCert, "tls-gateway-cert", "", "PEM client certificate `file` the JSON gateway presents under mutual TLS (default: --tls-cert, which then needs the clientAuth usage)")
	fs.StringVar(&s.TLSFiles.GatewayKey, "tls-gateway-key", "", "PEM private key `file` of --tls-gateway-cert")
	fs.StringVar(&s.AuthTokensFile, "auth-tokens-file", "", "JSON `file` of the bearer tokens callers present (as SHA-256 digests) and the accounts and actions each may use; re-read on SIGHUP")
	fs.BoolVar(&s.InsecureAllowPublic, "insecure-allow-public", false, "allow listening beyond loopback without caller authentication (only behind something that authenticates)")
	fs.Int64Var(&s.MaxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest body of a streaming HTTP request, in `bytes` (other routes: 4 MiB); more is answered 413")
	fs.IntVar(&s.MaxNumbersPerJob, "max-numbers-per-job", guard.DefaultMaxNumbersPerJob, "most numbers one job may carry (0 = unlimited)")
	fs.IntVar(&s.MaxJobsPerCaller, "max-jobs-per-caller", guard.DefaultMaxJobsPerCaller, "most jobs one caller (token, or IP address without tokens) runs at once (0 = unlimited)")
	fs.IntVar(&s.MaxWatchesPerCaller, "max-watches-per-caller", guard.DefaultMaxWatchesPerCaller, "most WatchAssignmentJob calls one caller (token, or IP address without tokens) has open at once (0 = unlimited)")
	fs.IntVar(&s.MaxGatewayStreams, "max-gateway-streams", server.DefaultMaxGatewayStreams, "most streaming calls (job uploads, watches) the JSON gateway carries at once, all callers together; more are answered 429 at once (unary calls have a connection of their own)")
	fs.DurationVar(&s.MaxConnectionAge, "grpc-max-connection-age", server.DefaultMaxConnectionAge, "how long a gRPC connection lives before the server asks the client to reconnect")
	fs.Func("trusted-proxies", "comma-separated `CIDRs` of the proxies in front of the HTTP listener whose X-Forwarded-For and X-Forwarded-Host headers are believed; from anyone else they are dropped (default none)", func(v string) (err error) {
		s.TrustedProxies, err = ParseTrustedProxies(v)
		return err
	})
	fs.DurationVar(&s.MaxConnectionAgeGrace, "grpc-max-connection-age-grace", server.DefaultMaxConnectionAgeGrace, "how long calls may go on after that before the connection is cut (0 = until they end)")
}

// ParseTrustedProxies parses --trusted-proxies: CIDRs (or single
// addresses) separated by commas; "" is none.
func ParseTrustedProxies(v string) (server.TrustedProxies, error) {
	var tp server.TrustedProxies
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			ip, ipErr := netip.ParseAddr(f)
			if ipErr != nil {
				return nil, fmt.Errorf("%q is not a CIDR such as 10.0.0.0/8 or an IP address", f)
			}
			p = netip.PrefixFrom(ip.Unmap(), ip.Unmap().BitLen())
		}
		tp = append(tp, p.Masked())
	}
	return tp, nil
}

// validateSecurity checks the security flags against the listen addresses.
func validateSecurity(s server.Security, grpcAddr, httpAddr string) error {
	f := s.TLSFiles
	switch {
	case (f.Cert == "") != (f.Key == ""):
		return errors.New("--tls-cert and --tls-key go together: give both or neither")
	case f.ClientCA != "" && f.Cert == "":
		return errors.New("--tls-client-ca needs --tls-cert and --tls-key: mutual TLS is TLS")
	case (f.GatewayCert == "") != (f.GatewayKey == ""):
		return errors.New("--tls-gateway-cert and --tls-gateway-key go together: give both or neither")
	case f.GatewayCert != "" && f.ClientCA == "":
		return errors.New("--tls-gateway-cert is only used with --tls-client-ca (mutual TLS)")
	case s.MaxBodyBytes < 1024:
		return fmt.Errorf("--max-body-bytes must be at least 1024, got %d", s.MaxBodyBytes)
	case s.MaxNumbersPerJob < 0:
		return fmt.Errorf("--max-numbers-per-job must not be negative (0 = unlimited), got %d", s.MaxNumbersPerJob)
	case s.MaxJobsPerCaller < 0:
		return fmt.Errorf("--max-jobs-per-caller must not be negative (0 = unlimited), got %d", s.MaxJobsPerCaller)
	case s.MaxWatchesPerCaller < 0:
		return fmt.Errorf("--max-watches-per-caller must not be negative (0 = unlimited), got %d", s.MaxWatchesPerCaller)
	case s.MaxGatewayStreams < 1 || s.MaxGatewayStreams > 1<<20:
		return fmt.Errorf("--max-gateway-streams must be between 1 and %d, got %d", 1<<20, s.MaxGatewayStreams)
	case s.MaxConnectionAge <= 0:
		return fmt.Errorf("--grpc-max-connection-age must be positive, got %v", s.MaxConnectionAge)
	case s.MaxConnectionAgeGrace < 0:
		return fmt.Errorf("--grpc-max-connection-age-grace must not be negative, got %v", s.MaxConnectionAgeGrace)
	}
	for _, file := range []struct{ flag, path string }{
		{"--tls-cert", f.Cert}, {"--tls-key", f.Key}, {"--tls-client-ca", f.ClientCA},
		{"--tls-gateway-cert", f.GatewayCert}, {"--tls-gateway-key", f.GatewayKey}, {"--auth-tokens-file", s.AuthTokensFile},
	} {
		if file.path == "" {
			continue
		}
		if _, err := os.Stat(file.path); err != nil {
			return fmt.Errorf("%s: %v", file.flag, err)
		}
	}
	if !s.Authenticated() && !s.InsecureAllowPublic {
		for _, a := range []struct{ flag, addr string }{{"--grpc-addr", grpcAddr}, {"--http-addr", httpAddr}} {
			if !IsLoopback(a.addr) {
				return fmt.Errorf("refusing to listen on %s (%s) without caller authentication: "+
					"set --auth-tokens-file (or --tls-client-ca), listen on 127.0.0.1, "+
					"or pass --insecure-allow-public if something in front authenticates callers", a.addr, a.flag)
			}
		}
	}
	return nil
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
