package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:9090": true, "127.1.2.3:0": true, "[::1]:80": true, "localhost:8080": true, "LOCALHOST:1": true,
		"0.0.0.0:9090": false, ":9090": false, "[::]:9090": false, "10.0.0.1:9090": false, "tnassign.internal:9090": false, "nonsense": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestSecurityFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string // "" when valid
	}{
		{"loopback without auth", nil, ""},
		{"public gRPC without auth", []string{"--grpc-addr", "0.0.0.0:9090"}, "refusing to listen on 0.0.0.0:9090 (--grpc-addr) without caller authentication"},
		{"public HTTP without auth", []string{"--http-addr", ":8080"}, "refusing to listen on :8080 (--http-addr)"},
		{"public with tokens", []string{"--grpc-addr", "0.0.0.0:9090", "--auth-tokens-file", file}, ""},
		{"public with mutual TLS", []string{"--grpc-addr", "0.0.0.0:9090", "--tls-cert", file, "--tls-key", file, "--tls-client-ca", file}, ""},
		{"public, insecure on purpose", []string{"--grpc-addr", "0.0.0.0:9090", "--insecure-allow-public"}, ""},
		{"cert without key", []string{"--tls-cert", file}, "--tls-cert and --tls-key go together"},
		{"client CA without TLS", []string{"--tls-client-ca", file}, "--tls-client-ca needs --tls-cert"},
		{"gateway cert without mutual TLS", []string{"--tls-cert", file, "--tls-key", file, "--tls-gateway-cert", file, "--tls-gateway-key", file}, "only used with --tls-client-ca"},
		{"missing tokens file", []string{"--auth-tokens-file", filepath.Join(dir, "nope")}, "--auth-tokens-file"},
		{"tiny body cap", []string{"--max-body-bytes", "10"}, "--max-body-bytes must be at least 1024"},
		{"negative numbers cap", []string{"--max-numbers-per-job", "-1"}, "--max-numbers-per-job"},
		{"zero connection age", []string{"--grpc-max-connection-age", "0s"}, "--grpc-max-connection-age must be positive"},
		{"negative watches cap", []string{"--max-watches-per-caller", "-1"}, "--max-watches-per-caller must not be negative"},
		{"no gateway streams", []string{"--max-gateway-streams", "0"}, "--max-gateway-streams must be between 1"},
		{"trusted proxies", []string{"--trusted-proxies", "10.0.0.0/8, 192.0.2.7,::1"}, ""},
		{"trusted proxy not a CIDR", []string{"--trusted-proxies", "10.0.0.0/8,proxy.internal"}, `"proxy.internal" is not a CIDR`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Load(append([]string{"--simulate"}, tc.args...), env{}.lookup, nil)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q (config %+v)", err, tc.want, cfg.Security)
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // the prefixes, space-separated; "error" when refused
	}{
		{"", ""},
		{" , ", ""},
		{"10.0.0.0/8", "10.0.0.0/8"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"192.0.2.7", "192.0.2.7/32"},
		{"::ffff:192.0.2.7", "192.0.2.7/32"},
		{"2001:db8::/32,127.0.0.1", "2001:db8::/32 127.0.0.1/32"},
		{"10.0.0.0/33", "error"},
		{"proxy", "error"},
	}
	for _, tc := range tests {
		tp, err := ParseTrustedProxies(tc.in)
		got := "error"
		if err == nil {
			var parts []string
			for _, p := range tp {
				parts = append(parts, p.String())
			}
			got = strings.Join(parts, " ")
		}
		if got != tc.want {
			t.Errorf("ParseTrustedProxies(%q) = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}
