package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/daemontest"
	"github.com/tnassign/tnassign/internal/errorinfo"
	"github.com/tnassign/tnassign/service"
)

// hintCase is one failed command and the hint it must print.
type hintCase struct {
	name   string
	reason tnassignv1.ErrorReason // the reason of the status the server sent
	args   []string               // the command, without --server
	token  string                 // the caller token the command sends; "" for none
	want   []string               // substrings of the hint
	// unwanted are substrings the hint must not have: advice meant for
	// another cause that shares the status's code.
	unwanted []string
}

// runHinted runs the command against server, dialed with dial (plus the
// caller token in TNASSIGN_TOKEN when tc has one), and checks its hint.
func runHinted(t *testing.T, server string, dial []grpc.DialOption, tc hintCase) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, DialOptions: dial}
	if tc.token != "" {
		env.LookupEnv = tokenEnv(tc.token)
	}
	code := Main(context.Background(), append(tc.args, "--server", server, "--plaintext"), env)
	hint := stderr.String()
	if code != ExitError {
		t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, ExitError, stdout.String(), hint)
	}
	for _, w := range tc.want {
		if !strings.Contains(hint, w) {
			t.Errorf("the hint lacks %q:\n%s", w, hint)
		}
	}
	for _, u := range tc.unwanted {
		if strings.Contains(hint, u) {
			t.Errorf("the hint has %q, advice for another cause:\n%s", u, hint)
		}
	}
}

// tokenEnv is an environment holding only TNASSIGN_TOKEN=token.
func tokenEnv(token string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if name == EnvToken {
			return token, true
		}
		return "", false
	}
}

// withToken makes every call of a connection carry the caller token, as a
// client of a deployment with --auth-tokens-file does.
func withToken(token string) []grpc.DialOption {
	with := func(ctx context.Context) context.Context {
		return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	return []grpc.DialOption{
		grpc.WithChainUnaryInterceptor(func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
			return invoker(with(ctx), method, req, reply, cc, opts...)
		}),
		grpc.WithChainStreamInterceptor(func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
			return streamer(with(ctx), desc, cc, method, opts...)
		}),
	}
}

// TestHintsOfServiceStatuses runs commands against the real service (in
// process, on simulated Bandwidth made to fail in each way) and checks the
// hint each status gets.
func TestHintsOfServiceStatuses(t *testing.T) {
	t.Parallel()
	numbers := writeFile(t, "n.txt", "9195550001\n9195550002\n")
	assign := func(extra ...string) []string {
		return append([]string{"assign", "--account", "9900000", "--file", numbers}, extra...)
	}
	// Bandwidth errors past a retry budget short enough for a test.
	shortRetries := func(c *bandwidth.Config) {
		c.Retry = bandwidth.RetryPolicy{MaxAttempts: 2, MaxElapsed: 300 * time.Millisecond, BaseDelay: time.Millisecond,
			MaxDelay: time.Millisecond, MaxRateLimitWait: 10 * time.Millisecond, CreateLookupWindow: time.Millisecond}
	}
	tests := []struct {
		hintCase
		rs    realService
		fault *bwsim.Fault
	}{{
		hintCase: hintCase{name: "account not served", reason: tnassignv1.ErrorReason_ACCOUNT_NOT_ALLOWED,
			args: []string{"assign", "--account", "1234567", "--file", numbers},
			want: []string{"tnassignd does not serve account 1234567", "ask the tnassignd operator to add it to --accounts"}},
	}, {
		hintCase: hintCase{name: "bad customer order id", reason: tnassignv1.ErrorReason_INVALID_ARGUMENT,
			args: assign("--customer-order-id", "ticket #42!"),
			want: []string{"the server refused the request: customer_order_id: ", "fix --account or --customer-order-id"}},
	}, {
		hintCase: hintCase{name: "Bandwidth refuses the credentials", reason: tnassignv1.ErrorReason_BANDWIDTH_AUTH, args: assign(),
			want:     []string{"Bandwidth refused tnassignd's credentials", "ask the tnassignd operator to check its Bandwidth credentials, then re-run the same command"},
			unwanted: []string{"token"}},
		rs: realService{client: func(c *bandwidth.Config) { c.Auth = bandwidth.BasicAuth("demo", "not-the-password") }},
	}, {
		hintCase: hintCase{name: "wrong Bandwidth URL", reason: tnassignv1.ErrorReason_BANDWIDTH_MISCONFIGURED, args: assign(),
			want: []string{"tnassignd's Bandwidth API URL is wrong", "ask the tnassignd operator to check its --bandwidth-url"}},
		rs: realService{client: func(c *bandwidth.Config) { c.BaseURL += "/nowhere" }},
	}, {
		hintCase: hintCase{name: "Bandwidth throttles", reason: tnassignv1.ErrorReason_BANDWIDTH_RATE_LIMITED, args: assign(),
			want:     []string{"Bandwidth is throttling: ", "wait a few minutes, then re-run the same command"},
			unwanted: []string{"too many jobs", "--max-jobs-per-caller"}},
		rs:    realService{client: shortRetries},
		fault: &bwsim.Fault{Kind: bwsim.FaultRateLimit, Op: bwsim.OpCreate},
	}, {
		hintCase: hintCase{name: "Bandwidth is down", reason: tnassignv1.ErrorReason_BANDWIDTH_UNAVAILABLE, args: assign(),
			want:     []string{"Bandwidth is unavailable: ", "wait a few minutes, then re-run the same command"},
			unwanted: []string{"cannot reach tnassignd"}},
		rs:    realService{client: shortRetries},
		fault: &bwsim.Fault{Kind: bwsim.FaultServerError, Op: bwsim.OpCreate},
	}, {
		hintCase: hintCase{name: "no such job", reason: tnassignv1.ErrorReason_JOB_NOT_FOUND,
			args: []string{"job", "get", "--account", "9900000", "0190c0de-0000-7000-8000-000000000000"},
			want: []string{`account 9900000 has no job "0190c0de-0000-7000-8000-000000000000"`, `"tnassign job list --account 9900000"`}},
	}, {
		hintCase: hintCase{name: "deadline", reason: tnassignv1.ErrorReason_DEADLINE_EXCEEDED, args: assign("--timeout", "300ms"),
			want: []string{"--timeout 300ms reached; raise --timeout"}},
		// The order never settles; the test's end hands its job over at once.
		rs: realService{sim: func(c *bwsim.Config) { c.ProcessingDelay = time.Hour }, grace: time.Millisecond},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startRealService(t, tc.rs)
			if tc.fault != nil {
				s.sim.Inject(*tc.fault)
			}
			if tc.reason != tnassignv1.ErrorReason_DEADLINE_EXCEEDED { // the client's own deadline may come first
				checkReason(t, s.client, tc.args, tc.reason)
			}
			runHinted(t, "passthrough:///bufnet", s.dial, tc.hintCase)
		})
	}
}

// checkReason makes the command's first call itself, the way the command
// does, and checks that the server sends the reason the case is about: the
// hint is then the one for that reason.
func checkReason(t *testing.T, client tnassignv1.AssignmentServiceClient, args []string, want tnassignv1.ErrorReason) {
	t.Helper()
	var err error
	switch args[0] {
	case "job":
		_, err = client.GetAssignmentJob(t.Context(), &tnassignv1.GetAssignmentJobRequest{AccountId: flagValue(args, "--account"), JobId: args[len(args)-1]})
	default:
		var s tnassignv1.AssignmentService_AssignNumbersClient
		if s, err = client.AssignNumbers(t.Context()); err != nil {
			break
		}
		// A Send that fails means the server ended the call: Recv says why.
		_ = s.Send(&tnassignv1.AssignNumbersRequest{AccountId: flagValue(args, "--account"), CustomerOrderId: flagValue(args, "--customer-order-id"),
			TelephoneNumbers: []string{"9195550003"}})
		_ = s.CloseSend()
		for err == nil {
			_, err = s.Recv()
		}
	}
	if got, _, _ := errorinfo.Of(err); got != want {
		t.Fatalf("the server answered %v, want reason %s", err, want)
	}
}

func flagValue(args []string, name string) string {
	for i, a := range args[:len(args)-1] {
		if a == name {
			return args[i+1]
		}
	}
	return ""
}

// TestHintOfHandedOverJob stops the service while a job's order is still
// processing at Bandwidth: the call fails with JOB_HANDED_OVER, and the hint
// says how to follow the job.
func TestHintOfHandedOverJob(t *testing.T) {
	t.Parallel()
	s := startRealService(t, realService{
		sim:     func(c *bwsim.Config) { c.ProcessingDelay = time.Hour },
		service: func(c *service.Config) { c.BatchLinger = time.Millisecond },
	})
	numbers := writeFile(t, "n.txt", "9195550001\n9195550002\n")
	done := make(chan struct{})
	go func() {
		defer close(done)
		runHinted(t, "passthrough:///bufnet", s.dial, hintCase{
			name: "handed over", reason: tnassignv1.ErrorReason_JOB_HANDED_OVER,
			args: []string{"assign", "--account", "9900000", "--file", numbers},
			want: []string{"tnassignd stopped working on job ", "; the job goes on: follow it with \"tnassign job watch --account 9900000 ",
				"It took the first 2 numbers of this run (numbers_read)"},
			unwanted: []string{"cannot reach tnassignd"},
		})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(s.sim.Received()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no order reached Bandwidth")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_ = s.svc.Shutdown(ctx) // the order is still processing: its job is handed over
	<-done
}

// TestHintOfShuttingDown calls a service that is shutting down.
func TestHintOfShuttingDown(t *testing.T) {
	t.Parallel()
	s := startRealService(t, realService{})
	if err := s.svc.Shutdown(t.Context()); err != nil {
		t.Fatal(err)
	}
	numbers := writeFile(t, "n.txt", "9195550001\n")
	tc := hintCase{name: "shutting down", reason: tnassignv1.ErrorReason_SHUTTING_DOWN,
		args:     []string{"assign", "--account", "9900000", "--file", numbers},
		want:     []string{"tnassignd is shutting down: ", "run the same command again once it is back"},
		unwanted: []string{"cannot reach tnassignd"}}
	checkReason(t, s.client, tc.args, tc.reason)
	runHinted(t, "passthrough:///bufnet", s.dial, tc)
}

// TestHintsOfDaemonRefusals runs commands against a real tnassignd that
// authenticates callers by token and limits them, and checks the hint each
// refusal gets. The guard that refuses them lives in tnassignd's internal
// packages, so only a running tnassignd shows its statuses.
func TestHintsOfDaemonRefusals(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tnassignd")
	}
	t.Parallel()
	const (
		billing = "tok-billing-7c1d2e3f4a5b" // assign and read on 9900000; its one job slot is taken
		ops     = "tok-ops-1f2e3d4c5b6a"     // assign, unassign and read on 9900000
		reader  = "tok-reader-0a9b8c7d6e5f"  // read on 9900000
		unknown = "tok-nobody-000000000000"  // not in the tokens file
	)
	digest := func(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }
	tokens := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(tokens, fmt.Appendf(nil, `{"tokens":[
 {"name":"billing","sha256":%q,"accounts":["9900000"],"actions":["assign","read"]},
 {"name":"ops","sha256":%q,"accounts":["9900000"],"actions":["assign","unassign","read"]},
 {"name":"reader","sha256":%q,"accounts":["9900000"],"actions":["read"]}]}`, digest(billing), digest(ops), digest(reader)), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := daemontest.Build(t, daemontest.DaemonPackage, t.TempDir())
	d := daemontest.Start(t, bin, "--accounts", "9900000,9900001", "--auth-tokens-file", tokens,
		"--max-numbers-per-job", "2", "--max-jobs-per-caller", "1", "--batch-linger", "10ms")
	numbers := writeFile(t, "n.txt", "9195550001\n9195550002\n")
	three := writeFile(t, "three.txt", "9195550011\n9195550012\n9195550013\n")

	// The billing token's one job slot is taken by a job that waits for
	// more numbers until the test ends.
	conn, err := grpc.NewClient("passthrough:///"+d.GRPCAddr, append(withToken(billing), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	busy, err := tnassignv1.NewAssignmentServiceClient(conn).AssignNumbers(ctx)
	if err == nil {
		err = busy.Send(&tnassignv1.AssignNumbersRequest{AccountId: "9900000", TelephoneNumbers: []string{"4158710001"}})
	}
	if err == nil {
		_, err = busy.Recv() // started: the job holds its slot
	}
	if err != nil {
		t.Fatal(err)
	}

	tests := []hintCase{{
		name: "no token", reason: tnassignv1.ErrorReason_TOKEN_MISSING,
		args:     []string{"assign", "--account", "9900000", "--file", numbers},
		want:     []string{"no caller token: ", "tnassignd at " + d.GRPCAddr + " requires one: put yours in the TNASSIGN_TOKEN environment variable"},
		unwanted: []string{"Bandwidth"},
	}, {
		name: "no token, job command", reason: tnassignv1.ErrorReason_TOKEN_MISSING,
		args: []string{"job", "list", "--account", "9900000"},
		want: []string{"no caller token: ", "requires one: ", "--token-file FILE"},
	}, {
		name: "unknown token", reason: tnassignv1.ErrorReason_TOKEN_UNKNOWN, token: unknown,
		args:     []string{"assign", "--account", "9900000", "--file", numbers},
		want:     []string{"unknown caller token: ", "ask the tnassignd operator for a valid token"},
		unwanted: []string{"Bandwidth"},
	}, {
		name: "token for another account", reason: tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED, token: ops,
		args: []string{"assign", "--account", "9900001", "--file", numbers},
		want: []string{"the caller token may not use account 9900001: ", "check --account, or ask the tnassignd operator to grant the token that account"},
	}, {
		name: "token for another account, job command", reason: tnassignv1.ErrorReason_ACCOUNT_NOT_PERMITTED, token: reader,
		args: []string{"job", "get", "--account", "9900001", "0190c0de-0000-7000-8000-000000000000"},
		want: []string{"the caller token may not use account 9900001: "},
	}, {
		name: "token for another action", reason: tnassignv1.ErrorReason_ACTION_NOT_PERMITTED, token: reader,
		args: []string{"unassign", "--account", "9900000", "--file", numbers},
		want: []string{"the caller token may not unassign: ", "ask the tnassignd operator to grant the token the unassign action"},
	}, {
		name: "too many jobs", reason: tnassignv1.ErrorReason_TOO_MANY_JOBS, token: billing,
		args: []string{"assign", "--account", "9900000", "--file", numbers},
		want: []string{"too many jobs for this caller: ", "--max-jobs-per-caller",
			`"tnassign job list --account 9900000 --state running" lists them: run the same command again once one has finished`},
		unwanted: []string{"Bandwidth", "throttl"},
	}, {
		name: "too many numbers", reason: tnassignv1.ErrorReason_TOO_MANY_NUMBERS, token: ops,
		args:     []string{"assign", "--account", "9900000", "--file", three, "--batch", "1"},
		want:     []string{"too many numbers for one job: ", "split --file into files of at most 2 numbers and run each"},
		unwanted: []string{"Bandwidth", "throttl"},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runHinted(t, d.GRPCAddr, nil, tc) })
	}
}

// TestEveryReasonHasAHint checks that the commands map every reason to a
// hint of its own, rather than to the hint of its gRPC code. The statuses
// are built as the server builds them (errorinfo.New); the tests above show
// the hints of statuses the server really sent.
func TestEveryReasonHasAHint(t *testing.T) {
	t.Parallel()
	o := options{server: "127.0.0.1:9090", account: "9900000"}
	c := connection{server: o.server}
	jo := jobOptions{verb: "get", server: o.server, account: o.account, jobID: "j1"}
	meta := map[string]string{"job_id": "j1", "numbers_read": "5", "limit": "2", "account_id": "9900000", "action": "assign", "token": "t"}
	for name, v := range tnassignv1.ErrorReason_value {
		r := tnassignv1.ErrorReason(v)
		if r == tnassignv1.ErrorReason_ERROR_REASON_UNSPECIFIED {
			continue
		}
		// Unknown: a code whose own hint says nothing but the message.
		bare := status.Error(codes.Unknown, "the message")
		with := errorinfo.New(codes.Unknown, r, "the message", meta).Err()
		mapped := callHint(with, o, c, true) != callHint(bare, o, c, true)
		if r == tnassignv1.ErrorReason_JOB_NOT_FOUND {
			mapped = jobHint(with, jo, c) != jobHint(bare, jo, c)
		}
		if !mapped {
			t.Errorf("%s gets the hint of its code: %s", name, callHint(with, o, c, true))
		}
	}
}
