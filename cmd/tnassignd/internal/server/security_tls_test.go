package server

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/testcert"
)

func loadTLS(t *testing.T, f TLSFiles) *TLS {
	t.Helper()
	tl, err := LoadTLS(f)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// healthCheck calls grpc.health.v1 over a fresh connection with creds.
func healthCheck(t *testing.T, addr string, creds credentials.TransportCredentials) error {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	return err
}

func httpsClient(cfg *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg, ForceAttemptHTTP2: true}, Timeout: 10 * time.Second}
}

func TestTLS(t *testing.T) {
	certs := testcert.New(t, false)
	r := startWith(t, newRecordingService(), Options{TLS: loadTLS(t, TLSFiles{Cert: certs.Server.CertFile, Key: certs.Server.KeyFile})})
	trusting := &tls.Config{RootCAs: certs.Pool, ServerName: "localhost"}

	t.Run("plaintext gRPC client", func(t *testing.T) {
		if err := healthCheck(t, r.grpcAddr, insecure.NewCredentials()); status.Code(err) != codes.Unavailable {
			t.Errorf("plaintext call to a TLS server: %v, want UNAVAILABLE", err)
		}
	})
	t.Run("plaintext HTTP client", func(t *testing.T) {
		resp, err := http.Get("http://" + r.httpAddr + "/healthz")
		if err == nil {
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("plaintext HTTP to a TLS server answered %d", resp.StatusCode)
			}
		}
	})
	t.Run("TLS 1.2 client", func(t *testing.T) {
		c := trusting.Clone()
		c.MaxVersion = tls.VersionTLS12
		if _, err := httpsClient(c).Get("https://" + r.httpAddr + "/healthz"); err == nil {
			t.Error("a TLS 1.2 client was served")
		}
	})
	t.Run("TLS gRPC client", func(t *testing.T) {
		waitFor(t, "SERVING over TLS", func() bool { return healthCheck(t, r.grpcAddr, credentials.NewTLS(trusting)) == nil })
	})
	t.Run("HTTPS through the gateway", func(t *testing.T) {
		status, _, body := do(t, httpsClient(trusting), http.MethodPost, "https://"+r.httpAddr+"/v1/numbers:assign", nil, strings.NewReader(assignLine))
		if status != http.StatusOK || !strings.Contains(body, "finished") {
			t.Errorf("status %d, body %s", status, body)
		}
	})
}

func TestMutualTLS(t *testing.T) {
	certs := testcert.New(t, true)
	r := startWith(t, newRecordingService(), Options{TLS: loadTLS(t, TLSFiles{
		Cert: certs.Server.CertFile, Key: certs.Server.KeyFile, ClientCA: certs.CA.CertFile,
	})})
	noCert := &tls.Config{RootCAs: certs.Pool, ServerName: "localhost"}
	withCert := noCert.Clone()
	withCert.Certificates = []tls.Certificate{certs.Client.TLSCertificate(t)}

	if err := healthCheck(t, r.grpcAddr, credentials.NewTLS(noCert)); err == nil {
		t.Error("gRPC without a client certificate was served")
	}
	if resp, err := httpsClient(noCert).Get("https://" + r.httpAddr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Error("HTTPS without a client certificate was served")
	}
	waitFor(t, "SERVING over mutual TLS", func() bool { return healthCheck(t, r.grpcAddr, credentials.NewTLS(withCert)) == nil })
	// The gateway reuses the server certificate (it has clientAuth) to
	// reach the gRPC listener.
	status, _, body := do(t, httpsClient(withCert), http.MethodPost, "https://"+r.httpAddr+"/v1/numbers:assign", nil, strings.NewReader(assignLine))
	if status != http.StatusOK || !strings.Contains(body, "finished") {
		t.Errorf("through the gateway under mutual TLS: status %d, body %s", status, body)
	}
}

func TestLoadTLSRefuses(t *testing.T) {
	certs := testcert.New(t, false) // the server certificate lacks clientAuth
	_, err := LoadTLS(TLSFiles{Cert: certs.Server.CertFile, Key: certs.Server.KeyFile, ClientCA: certs.CA.CertFile})
	if err == nil || !strings.Contains(err.Error(), "--tls-gateway-cert") {
		t.Errorf("mutual TLS with a server-only certificate: %v, want advice on --tls-gateway-cert", err)
	}
	// A dedicated gateway certificate fixes it.
	if _, err := LoadTLS(TLSFiles{Cert: certs.Server.CertFile, Key: certs.Server.KeyFile, ClientCA: certs.CA.CertFile,
		GatewayCert: certs.Client.CertFile, GatewayKey: certs.Client.KeyFile}); err != nil {
		t.Errorf("with a gateway certificate: %v", err)
	}
	if _, err := LoadTLS(TLSFiles{Cert: certs.Server.CertFile, Key: certs.Client.KeyFile}); err == nil {
		t.Error("a key of another certificate was accepted")
	}
}
