package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// The bearer tokens of the security test; the tokens file holds only their
// digests, and the log must hold neither.
const (
	tokenA     = "tokA-5f1e2d3c4b5a69788796a5b4"
	tokenB     = "tokB-0c9d8e7f6a5b4c3d2e1f0a9b"
	tokenWrong = "tokX-deadbeefdeadbeefdeadbeef"
)

func tokensFile(name, token string) string {
	d := sha256.Sum256([]byte(token))
	return fmt.Sprintf(`{"tokens":[{"name":%q,"sha256":%q,"accounts":["9900000"],"actions":["assign","read"]}]}`, name, hex.EncodeToString(d[:]))
}

// assignHTTP posts one NDJSON line with a bearer token; it returns the
// status and body.
func assignHTTP(t *testing.T, httpAddr, token string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://"+httpAddr+"/v1/numbers:assign",
		strings.NewReader(`{"accountId":"9900000","telephoneNumbers":["9195550001","9195550002"]}`+"\n"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestSecurityEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t, t.TempDir())
	t.Cleanup(http.DefaultClient.CloseIdleConnections)

	t.Run("public address without authentication", func(t *testing.T) {
		code, stderr := runToExit(t, bin, cleanEnv(), "--simulate", "--grpc-addr", "0.0.0.0:0", "--http-addr", "127.0.0.1:0")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		oneLine(t, stderr, "refusing to listen on 0.0.0.0:0 (--grpc-addr) without caller authentication")
	})
	t.Run("broken tokens file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "tokens.json")
		if err := os.WriteFile(path, []byte(`{"tokens":[{"name":"a","sha256":"`+strings.Repeat("0", 64)+`","accounts":["1"],"actions":["delete"]}]}`), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stderr := runToExit(t, bin, cleanEnv(), "--simulate", "--auth-tokens-file", path)
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		oneLine(t, stderr, `actions: "delete" is not assign, unassign or read`)
	})
	t.Run("tokens, SIGHUP reload and no secret in the log", func(t *testing.T) { testTokensAndReload(t, bin) })
}

// testTokensAndReload runs against a stand-in Bandwidth with real
// credentials and debug logs: good, wrong and cross-account tokens, a
// reload that swaps the tokens, a reload of a broken file, and a second
// daemon whose Bandwidth credentials are refused (upstream 401). No token,
// digest or credential may appear in either log.
func testTokensAndReload(t *testing.T, bin string) {
	const clientSecret, password = "cs-4e5f6a7b-SECRET", "pw-8c9d0e1f-SECRET"
	cfg := bwsim.DefaultConfig()
	cfg.ClientID, cfg.ClientSecret = "tnassign-client", clientSecret
	sim := bwsim.NewServer(cfg)
	defer sim.Close()

	path := filepath.Join(t.TempDir(), "tokens.json")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(tokensFile("billing", tokenA))
	env := func(secret string) []string {
		return cleanEnv("TNASSIGN_BANDWIDTH_CLIENT_ID=tnassign-client", "TNASSIGN_BANDWIDTH_CLIENT_SECRET="+secret,
			"TNASSIGN_BANDWIDTH_USERNAME=legacy-user", "TNASSIGN_BANDWIDTH_PASSWORD="+password,
			"TNASSIGN_ACCOUNTS=9900000,9900001", "TNASSIGN_LOG_LEVEL=debug", "TNASSIGN_AUTH_TOKENS_FILE="+path)
	}
	d := startDaemon(t, bin, env(clientSecret), "--bandwidth-url", sim.URL, "--bandwidth-token-url", sim.TokenURL, "--poll-interval", "50ms")

	if code, body := assignHTTP(t, d.httpAddr, tokenA); code != http.StatusOK || !strings.Contains(body, `"succeededCount":"2"`) {
		t.Errorf("token A: %d %s", code, body)
	}
	if code, body := assignHTTP(t, d.httpAddr, tokenWrong); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d %s, want 401", code, body)
	}
	// gRPC: token A on account B.
	ctx := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tokenA)
	_, err := tnassignv1.NewAssignmentServiceClient(d.conn).GetAssignmentJob(ctx, &tnassignv1.GetAssignmentJobRequest{AccountId: "9900001", JobId: "x"})
	if status.Code(err) != codes.PermissionDenied {
		t.Errorf("token A on account B: %v, want PERMISSION_DENIED", err)
	}

	// SIGHUP swaps token A for token B.
	write(tokensFile("billing-v2", tokenB))
	hangup(t, d, "SIGHUP: tokens reloaded", 1)
	if code, _ := assignHTTP(t, d.httpAddr, tokenA); code != http.StatusUnauthorized {
		t.Errorf("token A after its removal: %d, want 401", code)
	}
	if code, body := assignHTTP(t, d.httpAddr, tokenB); code != http.StatusOK {
		t.Errorf("token B after the reload: %d %s", code, body)
	}
	// A broken file keeps token B.
	write(`{"tokens":[`)
	hangup(t, d, "the tokens file could not be read", 1)
	if code, body := assignHTTP(t, d.httpAddr, tokenB); code != http.StatusOK {
		t.Errorf("token B after a failed reload: %d %s", code, body)
	}
	if code := d.terminate(t); code != 0 {
		t.Errorf("exit %d", code)
	}
	logs := d.stderr.String()
	if !strings.Contains(logs, `"token":"billing"`) || !strings.Contains(logs, `"token":"billing-v2"`) {
		t.Error("the call log does not name the tokens")
	}

	// Bandwidth refuses the credentials: the caller gets
	// FAILED_PRECONDITION; the log names the failure, not the secret.
	write(tokensFile("billing", tokenA))
	d2 := startDaemon(t, bin, env(clientSecret+"-wrong"), "--bandwidth-url", sim.URL, "--bandwidth-token-url", sim.TokenURL, "--poll-interval", "50ms")
	if code, body := assignHTTP(t, d2.httpAddr, tokenA); !strings.Contains(body, "BANDWIDTH_AUTH") {
		t.Errorf("upstream 401: %d %s, want BANDWIDTH_AUTH", code, body)
	}
	d2.terminate(t)
	logs += d2.stderr.String()

	for _, secret := range []string{tokenA, tokenB, tokenWrong, clientSecret, password, digestHex(tokenA), digestHex(tokenB)} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret (%.6s…)", secret)
		}
	}
}

// hangup sends SIGHUP and waits for the n-th log line containing want.
func hangup(t *testing.T, d *daemon, want string, n int) {
	t.Helper()
	before := strings.Count(d.stderr.String(), want)
	if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(d.stderr.String(), want) < before+n {
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the log after SIGHUP", want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func digestHex(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
