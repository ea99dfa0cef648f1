package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/status"
)

func TestLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		target string
		want   bool
	}{
		{"127.0.0.1:9090", true},
		{"127.9.8.7:9090", true},
		{"localhost:9090", true},
		{"LocalHost:9090", true},
		{"[::1]:9090", true},
		{"dns:///localhost:9090", true},
		{"dns://8.8.8.8/127.0.0.1:9090", true},
		{"unix:///run/tnassignd.sock", true},
		{"10.0.0.1:9090", false},
		{"0.0.0.0:9090", false},
		{"tnassign.internal:9090", false},
		{"localhost.example.com:9090", false},
		{"passthrough:///bufnet", false},
		{"dns:///tnassign.internal:9090", false},
	}
	for _, tt := range tests {
		if got := loopback(tt.target); got != tt.want {
			t.Errorf("loopback(%q) = %v, want %v", tt.target, got, tt.want)
		}
	}
}

// TestSecurityChoice checks which connection the flags and the server's
// address give.
func TestSecurityChoice(t *testing.T) {
	t.Parallel()
	yes, no := true, false
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, testCAPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		server  string
		t       transportOptions
		proto   string // the credentials' SecurityProtocol
		tls     bool
		wantErr string
	}{
		{"loopback by default", "127.0.0.1:9090", transportOptions{}, "local", false, ""},
		{"remote by default", "tnassign.internal:9090", transportOptions{}, "tls", true, ""},
		{"explicit plaintext", "tnassign.internal:9090", transportOptions{plaintext: &yes}, "insecure", false, ""},
		{"tls forced on loopback", "localhost:9090", transportOptions{plaintext: &no}, "tls", true, ""},
		{"a CA implies tls on loopback", "localhost:9090", transportOptions{caFile: ca}, "tls", true, ""},
		{"plaintext and a CA", "localhost:9090", transportOptions{plaintext: &yes, caFile: ca}, "", false, "cannot be combined"},
		{"key without certificate", "localhost:9090", transportOptions{keyFile: ca}, "", false, "go together"},
		{"missing CA", "localhost:9090", transportOptions{caFile: "/nonexistent/ca.pem"}, "", false, "--tls-ca: open /nonexistent/ca.pem"},
		{"certificate that is not a pair", "localhost:9090", transportOptions{certFile: ca, keyFile: ca}, "", false, "do not make a certificate and its key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := connection{server: tt.server}
			creds, err := tt.t.credentials(&c)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := creds.Info().SecurityProtocol; got != tt.proto || c.tls != tt.tls {
				t.Errorf("protocol %q, tls %v; want %q, %v", got, c.tls, tt.proto, tt.tls)
			}
		})
	}
}

// TestToken checks where the token comes from, and that no error about it
// shows it.
func TestToken(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-token-value"
	file := func(content string) string {
		path := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		want    string
		wantErr string
	}{
		{name: "none"},
		{name: "from the environment", env: map[string]string{EnvToken: " " + secret + "\n"}, want: secret},
		{name: "from a file, which wins", file: file(secret + "\n"), env: map[string]string{EnvToken: "other"}, want: secret},
		{name: "empty file", file: file("\n"), wantErr: "is empty"},
		{name: "empty variable", env: map[string]string{EnvToken: ""}, wantErr: EnvToken + " is empty"},
		{name: "two tokens", file: file(secret + "\n" + secret + "\n"), wantErr: "holds more than one token"},
		{name: "a space inside", env: map[string]string{EnvToken: "Bearer " + secret}, wantErr: "holds more than one token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := Env{LookupEnv: func(name string) (string, bool) { v, ok := tt.env[name]; return v, ok }}
			got, err := transportOptions{tokenFile: tt.file}.token(env)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the token: %v", err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("token = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestBearer(t *testing.T) {
	t.Parallel()
	b := bearer{token: "s3cr3t", secure: true}
	if s := fmt.Sprintf("%v %+v %s", b, b, b); strings.Contains(s, "s3cr3t") {
		t.Errorf("formatting shows the token: %s", s)
	}
	insecureInfo := credentials.RequestInfo{AuthInfo: authInfo{credentials.CommonAuthInfo{SecurityLevel: credentials.NoSecurity}}}
	ctx := credentials.NewContextWithRequestInfo(context.Background(), insecureInfo)
	if md, err := b.GetRequestMetadata(ctx); err == nil {
		t.Errorf("a secure bearer sent %v over an insecure connection", md)
	}
	md, err := bearer{token: "s3cr3t"}.GetRequestMetadata(ctx)
	if err != nil || md["authorization"] != "Bearer s3cr3t" {
		t.Errorf("metadata = %v, %v", md, err)
	}
}

// TestConnectionHint checks the sentence each transport failure gets, from
// the messages gRPC gives them.
func TestConnectionHint(t *testing.T) {
	t.Parallel()
	tls := connection{server: "h:1", tls: true}
	tests := []struct {
		name string
		c    connection
		msg  string
		want string
	}{
		{"refused", connection{server: "h:1"}, `connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.1:1: connect: connection refused"`,
			"nothing is listening at h:1"},
		{"unknown host", tls, `name resolver error: produced zero addresses`, "the host of h:1 is unknown"},
		{"untrusted", tls, `connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`,
			"give the CA certificate that issued it with --tls-ca FILE"},
		{"wrong name", tls, `connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate is valid for localhost, not h"`,
			"shows a certificate for another name"},
		{"plaintext server", tls, `connection error: desc = "transport: authentication handshake failed: tls: first record does not look like a TLS handshake"`,
			"does not speak TLS; if it really serves without TLS, add --plaintext"},
		{"client certificate required", tls, `connection error: desc = "error reading server preface: remote error: tls: certificate required"`,
			"requires a client certificate (mutual TLS)"},
		{"client certificate refused", connection{server: "h:1", tls: true, cert: true}, `connection error: desc = "error reading server preface: remote error: tls: unknown certificate authority"`,
			"does not trust the client certificate in --tls-cert"},
		{"other", tls, `connection error: desc = "transport: Error while dialing: dial tcp 10.0.0.1:1: connect: host is down"`,
			"cannot reach tnassignd at h:1 (host is down)"},
	}
	for _, tt := range tests {
		got := connectionHint(status.New(codes.Unavailable, tt.msg), tt.c)
		if !strings.Contains(got, tt.want) || strings.Contains(got, "desc =") || strings.Contains(got, "transport:") {
			t.Errorf("%s: hint %q, want %q and no gRPC wording", tt.name, got, tt.want)
		}
	}
}

// testCAPEM returns a fresh self-signed CA certificate in PEM.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// authInfo is a connection's AuthInfo with a given security level.
type authInfo struct{ credentials.CommonAuthInfo }

func (authInfo) AuthType() string { return "test" }
