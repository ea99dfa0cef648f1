package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

// startTLSDaemon runs bin (tnassignd) on the simulator and an in-memory
// ledger, serving TLS with certs' server certificate and, when mutual,
// requiring client certificates issued by certs.CA; args are added. It
// returns the gRPC address once the health service answers SERVING over
// TLS, and kills the daemon when the test ends.
//
// internal/daemontest waits for health over plaintext, which a TLS daemon
// does not answer, so the TLS tests start their daemon here.
func startTLSDaemon(t *testing.T, bin string, certs certFiles, mutual bool, args ...string) string {
	t.Helper()
	args = append([]string{"--simulate", "--ledger", "memory://", "--grpc-addr", "127.0.0.1:0", "--http-addr", "127.0.0.1:0",
		"--tls-cert", certs.ServerCert, "--tls-key", certs.ServerKey}, args...)
	if mutual {
		args = append(args, "--tls-client-ca", certs.CA)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	log := &syncbuf.Buffer{}
	cmd.Stderr = log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start tnassignd: %v", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("tnassignd log:\n%s", log.String())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	addr := ""
	for addr == "" {
		if !pause(ctx, exited) {
			t.Fatalf("tnassignd did not log its addresses:\n%s", log.String())
		}
		addr = servingAddr(log.String())
	}
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(certs.CA)
	if err != nil || !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("read %s: %v", certs.CA, err)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS13}
	if mutual {
		pair, err := tls.LoadX509KeyPair(certs.ClientCert, certs.ClientKey)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	for {
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return addr
		}
		if !pause(ctx, exited) {
			t.Fatalf("tnassignd not SERVING over TLS (last check: %v):\n%s", err, log.String())
		}
	}
}

// pause waits a moment before polling again; false when ctx ended or the
// daemon exited.
func pause(ctx context.Context, exited <-chan struct{}) bool {
	timer := time.NewTimer(20 * time.Millisecond)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-exited:
		return false
	case <-timer.C:
		return true
	}
}

// servingAddr finds the gRPC address in the daemon's "serving" log line.
func servingAddr(log string) string {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Msg      string `json:"msg"`
			GRPCAddr string `json:"grpc_addr"`
		}
		if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
			return line.GRPCAddr
		}
	}
	return ""
}

// cleanEnv is the test's environment without TNASSIGN_* variables, so that
// neither a daemon nor the CLI picks up the developer's settings or token.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TNASSIGN_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}
