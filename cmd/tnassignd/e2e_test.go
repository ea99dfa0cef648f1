package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t, t.TempDir())
	t.Cleanup(http.DefaultClient.CloseIdleConnections)

	t.Run("missing credentials", func(t *testing.T) {
		code, stderr := runToExit(t, bin, cleanEnv(), "--accounts", "9900000")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		oneLine(t, stderr, "no Bandwidth credentials: set TNASSIGN_BANDWIDTH_CLIENT_ID and TNASSIGN_BANDWIDTH_CLIENT_SECRET")
	})
	t.Run("bad flag", func(t *testing.T) {
		code, stderr := runToExit(t, bin, cleanEnv(), "--simulate", "--batch-size", "9000")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		oneLine(t, stderr, "--batch-size must be between 1 and 5000, got 9000")
	})
	t.Run("bad environment", func(t *testing.T) {
		code, stderr := runToExit(t, bin, cleanEnv("TNASSIGN_BATCH_LINGER=soon"), "--simulate")
		if code != 2 {
			t.Errorf("exit %d, want 2", code)
		}
		oneLine(t, stderr, `TNASSIGN_BATCH_LINGER="soon"`)
	})
	t.Run("busy port", func(t *testing.T) {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer lis.Close()
		code, stderr := runToExit(t, bin, cleanEnv(), "--simulate", "--grpc-addr", lis.Addr().String(), "--http-addr", "127.0.0.1:0")
		if code == 0 {
			t.Error("exit 0 on a busy port")
		}
		oneLine(t, stderr, "cannot listen on "+lis.Addr().String()+" (--grpc-addr): bind: address already in use")
	})
	t.Run("simulate over gRPC and HTTP", func(t *testing.T) { testSimulate(t, bin) })
	t.Run("SIGTERM mid job loses no outcome", func(t *testing.T) { testSigterm(t, bin) })
	t.Run("real mode logs no secret", func(t *testing.T) { testSecretsNotLogged(t, bin) })
}

func testSimulate(t *testing.T, bin string) {
	d := startDaemon(t, bin, cleanEnv(), "--simulate", "--poll-interval", "50ms", "--rate-limit", "0")
	ctx := context.Background()

	// Reflection lists the service (what grpcurl list shows).
	rc, err := grpc_reflection_v1.NewServerReflectionClient(d.conn).ServerReflectionInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.Send(&grpc_reflection_v1.ServerReflectionRequest{MessageRequest: &grpc_reflection_v1.ServerReflectionRequest_ListServices{}}); err != nil {
		t.Fatal(err)
	}
	resp, err := rc.Recv()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(resp.GetListServicesResponse()), "tnassign.v1.AssignmentService") {
		t.Errorf("reflection lists %v", resp.GetListServicesResponse())
	}
	_ = rc.CloseSend()

	// gRPC: a small job with a rejection and a per-number failure.
	stream, err := tnassignv1.NewAssignmentServiceClient(d.conn).AssignNumbers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := []string{"9195550001", "not a number", "2125550000", "4158710002"}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: "9900000", TelephoneNumbers: in}); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	var tl tally
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stream: %v", err)
		}
		tl.add(t, ev)
	}
	tl.check(t, in)
	if f := tl.finished; f.GetRejectedCount() != 1 || f.GetSucceededCount() != 2 || f.GetFailedCount() != 1 {
		t.Errorf("finished %v: want 1 rejected, 2 succeeded, 1 failed", f)
	}

	// HTTP: 20,000 numbers as NDJSON, 200 per line, through the gateway.
	all := numbers(20000)
	got := postAssign(t, "http://"+d.httpAddr+"/v1/numbers:assign", all, 200)
	got.check(t, all)
	if got.finished.GetSucceededCount() != 20000 {
		t.Errorf("finished %v: want 20000 succeeded", got.finished)
	}

	// Metrics saw it.
	r, err := http.Get("http://" + d.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	for _, want := range []string{
		`tnassign_numbers_total{action="assign",outcome="succeeded"} 20002`,
		`tnassign_jobs_running 0`,
		`tnassign_upstream_requests_total{code="201"`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	if code := d.terminate(t); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
	if !strings.Contains(d.stderr.String(), "SIMULATION MODE") {
		t.Error("no loud simulation warning in the log")
	}
}

// testSigterm: a caller is streaming numbers (without half-closing) when
// the server gets SIGTERM. "No outcome lost" means: the caller receives
// finished; the numbers the server received (finished.receivedCount) are
// exactly the first receivedCount numbers the caller sent, in order; each
// of them is accounted exactly once in a rejected, order or not-submitted
// entry; the stream ends OK or UNAVAILABLE; and the process exits 0.
func testSigterm(t *testing.T, bin string) {
	d := startDaemon(t, bin, cleanEnv(), "--simulate", "--poll-interval", "500ms", "--batch-size", "1000", "--rate-limit", "0")
	stream, err := tnassignv1.NewAssignmentServiceClient(d.conn).AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	all := numbers(30000)
	var sent []string
	send := func(i int) error {
		chunk := all[i*500 : (i+1)*500]
		req := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: chunk}
		if i == 0 {
			req.AccountId = "9900000"
		}
		if err := stream.Send(req); err != nil {
			return err
		}
		sent = append(sent, chunk...)
		return nil
	}
	for i := range 8 { // 4,000 numbers: four orders of 1,000
		if err := send(i); err != nil {
			t.Fatal(err)
		}
	}
	var tl tally
	ev, err := stream.Recv()
	if err != nil {
		t.Fatal(err)
	}
	tl.add(t, ev)
	// SIGTERM once an order is in flight (submitted, not settled).
	waitInFlight(t, d.httpAddr)

	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// Keep sending, as a caller unaware of the shutdown would, until the
	// server stops reading; the sender is the only writer of sent.
	sendDone := make(chan struct{})
	go func() {
		defer close(sendDone)
		for i := 8; i < len(all)/500; i++ {
			if send(i) != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = stream.CloseSend()
	}()
	var end error
	for {
		ev, err := stream.Recv()
		if err != nil {
			end = err
			break
		}
		tl.add(t, ev)
	}
	<-sendDone
	if code := status.Code(end); !errors.Is(end, io.EOF) && code != codes.Unavailable {
		t.Errorf("stream ended with %v, want OK or UNAVAILABLE", end)
	}
	if tl.finished == nil {
		t.Fatal("no finished event")
	}
	received := int(tl.finished.GetReceivedCount())
	if received > len(sent) || received < 1000 {
		t.Fatalf("receivedCount %d; the caller sent %d, and an order of 1000 was in flight", received, len(sent))
	}
	tl.check(t, sent[:received])
	if tl.finished.GetSucceededCount() < 1000 {
		t.Errorf("finished %v: the orders in flight at SIGTERM should have settled", tl.finished)
	}
	if code := d.wait(t); code != 0 {
		t.Errorf("exit %d after SIGTERM, want 0", code)
	}
}

// testSecretsNotLogged runs against a simulator standing in for Bandwidth,
// with real credentials, Basic ones set too, and debug logs: no secret may
// appear in the log.
func testSecretsNotLogged(t *testing.T, bin string) {
	const clientSecret, password = "cs-7f3a9b2e-SECRET", "pw-91c4d8aa-SECRET"
	cfg := bwsim.DefaultConfig()
	cfg.ClientID, cfg.ClientSecret = "tnassign-client", clientSecret
	sim := bwsim.NewServer(cfg)
	defer sim.Close()

	d := startDaemon(t, bin, cleanEnv(
		"TNASSIGN_BANDWIDTH_CLIENT_ID=tnassign-client",
		"TNASSIGN_BANDWIDTH_CLIENT_SECRET="+clientSecret,
		"TNASSIGN_BANDWIDTH_USERNAME=legacy-user",
		"TNASSIGN_BANDWIDTH_PASSWORD="+password,
		"TNASSIGN_ACCOUNTS=9900000",
		"TNASSIGN_LOG_LEVEL=debug",
	), "--bandwidth-url", sim.URL, "--bandwidth-token-url", sim.TokenURL, "--poll-interval", "50ms")
	in := numbers(10)
	tl := postAssign(t, "http://"+d.httpAddr+"/v1/numbers:assign", in, 5)
	tl.check(t, in)
	if tl.finished.GetSucceededCount() != 10 {
		t.Errorf("finished %v: want 10 succeeded against the stand-in Bandwidth", tl.finished)
	}
	if code := d.terminate(t); code != 0 {
		t.Errorf("exit %d, want 0", code)
	}
	logs := d.stderr.String()
	for _, secret := range []string{clientSecret, password} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains a secret")
		}
	}
	if !strings.Contains(logs, `"client_id":"tnassign-client"`) {
		t.Error("the log does not say which OAuth client is used")
	}
}
