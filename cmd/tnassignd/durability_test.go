package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/daemontest"
)

// The durability tests run real processes: a standalone bwsim (its orders outlive tnassignd) and
// tnassignd on a SQLite (or PostgreSQL) ledger, killed with SIGKILL mid-job.

const simAccount = "9900000"

func client(t *testing.T, d *daemontest.Daemon) tnassignv1.AssignmentServiceClient {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+d.GRPCAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return tnassignv1.NewAssignmentServiceClient(conn)
}

// owned returns n distinct numbers the simulated account owns, from 919555 first.
func owned(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("919555%04d", first+i)
	}
	return out
}

// sendAll streams nums in messages of per numbers, the first carrying first's fields. It stops
// at the first failed send (the call ended; Recv says why).
func sendAll(stream tnassignv1.AssignmentService_AssignNumbersClient, first *tnassignv1.AssignNumbersRequest, nums []string, per int) {
	for i := 0; i < len(nums); i += per {
		m := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: nums[i:min(i+per, len(nums))]}
		if i == 0 {
			m.AccountId, m.RequestId, m.CustomerOrderId = first.AccountId, first.RequestId, first.CustomerOrderId
		}
		if stream.Send(m) != nil {
			return
		}
	}
}

// untilOrder reads events until the first `order` and returns the job id.
func untilOrder(t *testing.T, stream tnassignv1.AssignmentService_AssignNumbersClient) string {
	t.Helper()
	var id string
	for {
		ev, err := stream.Recv()
		if err != nil {
			t.Fatalf("recv: %v", err)
		}
		if s := ev.GetStarted(); s != nil {
			id = s.GetJobId()
		}
		if ev.GetOrder() != nil {
			return id
		}
	}
}

// waitFinal polls GetAssignmentJob until the job has a final state.
func waitFinal(t *testing.T, c tnassignv1.AssignmentServiceClient, id string, within time.Duration) *tnassignv1.AssignmentJob {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := c.GetAssignmentJob(context.Background(), &tnassignv1.GetAssignmentJobRequest{AccountId: simAccount, JobId: id})
		if err == nil && resp.GetAssignmentJob().GetState() != tnassignv1.JobState_JOB_STATE_RUNNING {
			return resp.GetAssignmentJob()
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s not final within %v: %v %v", id, within, resp, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// outcomes returns every outcome of a job by number.
func outcomes(t *testing.T, c tnassignv1.AssignmentServiceClient, id string) map[string]*tnassignv1.NumberOutcome {
	t.Helper()
	out := map[string]*tnassignv1.NumberOutcome{}
	token := ""
	for {
		resp, err := c.ListNumberOutcomes(context.Background(), &tnassignv1.ListNumberOutcomesRequest{AccountId: simAccount, JobId: id, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range resp.GetNumberOutcomes() {
			if _, dup := out[o.GetTelephoneNumber()]; dup {
				t.Errorf("%s has two outcomes", o.GetTelephoneNumber())
			}
			out[o.GetTelephoneNumber()] = o
		}
		if token = resp.GetNextPageToken(); token == "" {
			return out
		}
	}
}

// checkAccounted fails unless the job's outcomes agree with what the simulator received: every
// number submitted has an outcome from its order, every other number was not submitted, and
// the counts add up.
func checkAccounted(t *testing.T, j *tnassignv1.AssignmentJob, got map[string]*tnassignv1.NumberOutcome, submitted map[string]string) {
	t.Helper()
	if sum := j.GetRejectedCount() + j.GetSucceededCount() + j.GetFailedCount() + j.GetNotSubmittedCount(); sum != j.GetReceivedCount() {
		t.Errorf("counts do not add up: %v", j)
	}
	if int64(len(got)) != j.GetReceivedCount() {
		t.Errorf("%d outcomes, %d received", len(got), j.GetReceivedCount())
	}
	for n, o := range got {
		orderID, sent := submitted[n]
		switch o.GetResult() {
		case tnassignv1.NumberResult_NUMBER_RESULT_SUCCEEDED, tnassignv1.NumberResult_NUMBER_RESULT_FAILED:
			if !sent || o.GetOrderId() != orderID {
				t.Errorf("%s: %v, but the simulator has it in order %q", n, o, orderID)
			}
		case tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED:
			if sent {
				t.Errorf("%s is listed as not submitted but is in order %s", n, orderID)
			}
		}
	}
	for n := range submitted {
		if got[n] == nil {
			t.Errorf("%s was submitted but has no outcome", n)
		}
	}
}

// TestKillAndRestart: tnassignd is killed with SIGKILL while a job runs; restarted on the same
// SQLite ledger, it takes the job over once the dead process's lease ends, polls its orders to
// their end, and no number is submitted twice.
func TestKillAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir, "--processing-delay", "700ms", "--latency", "20ms")
	opts := sim.daemonOptions(ledgerPath(dir), "--lease", "2s", "--batch-size", "100", "--max-inflight-per-job", "2")

	d := daemontest.StartWith(t, bin, opts)
	stream, err := client(t, d).AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sent := owned(0, 800)
	go sendAll(stream, &tnassignv1.AssignNumbersRequest{AccountId: simAccount, CustomerOrderId: "kill-test"}, sent, 100)
	id := untilOrder(t, stream)
	d.Kill(t)

	d2 := daemontest.StartWith(t, bin, opts)
	c := client(t, d2)
	j := waitFinal(t, c, id, 60*time.Second)
	if j.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED && j.GetState() != tnassignv1.JobState_JOB_STATE_SUCCEEDED {
		t.Errorf("state %v", j.GetState())
	}
	if j.GetSucceededCount() < 100 {
		t.Errorf("only %d numbers succeeded", j.GetSucceededCount())
	}
	submitted := submittedOnce(t, sim.orders(t, "kill-test"))
	checkAccounted(t, j, outcomes(t, c, id), submitted)
	t.Logf("after the kill: %v; %d numbers at Bandwidth", j, len(submitted))
}

// TestCallerDisconnect: a caller that goes away mid-stream leaves its job ABORTED with exactly
// the numbers never sent listed as not submitted; orders already sent settle.
func TestCallerDisconnect(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir, "--processing-delay", "500ms")
	d := daemontest.StartWith(t, bin, sim.daemonOptions(ledgerPath(dir), "--batch-size", "100", "--max-inflight-per-job", "1"))
	c := client(t, d)
	ctx, cancel := context.WithCancel(context.Background())
	stream, err := c.AssignNumbers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sendAll(stream, &tnassignv1.AssignNumbersRequest{AccountId: simAccount, CustomerOrderId: "gone"}, owned(1000, 300), 100)
	id := untilOrder(t, stream)
	cancel()

	j := waitFinal(t, c, id, 20*time.Second)
	if j.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || j.GetNotSubmittedCount() == 0 {
		t.Errorf("job %v", j)
	}
	got := outcomes(t, c, id)
	checkAccounted(t, j, got, submittedOnce(t, sim.orders(t, "gone")))
	var listed int64
	for _, o := range got {
		if o.GetResult() == tnassignv1.NumberResult_NUMBER_RESULT_NOT_SUBMITTED {
			listed++
		}
	}
	if listed != j.GetNotSubmittedCount() {
		t.Errorf("%d numbers listed as not submitted, count %d", listed, j.GetNotSubmittedCount())
	}
}

// TestRequestIDAcrossRestart: the same request_id twice, with a restart between, submits the
// numbers once and the second call replays the first one's outcomes.
func TestRequestIDAcrossRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir)
	opts := sim.daemonOptions(ledgerPath(dir), "--batch-size", "100")
	first := &tnassignv1.AssignNumbersRequest{AccountId: simAccount, RequestId: "e2e-request-1", CustomerOrderId: "idem"}
	nums := append(owned(2000, 250), "not a number")

	run := func(c tnassignv1.AssignmentServiceClient) (string, *tnassignv1.JobFinished, int) {
		stream, err := c.AssignNumbers(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		sendAll(stream, first, nums, 100)
		_ = stream.CloseSend()
		var id string
		var fin *tnassignv1.JobFinished
		orders := 0
		for {
			ev, err := stream.Recv()
			if errors.Is(err, io.EOF) {
				return id, fin, orders
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case ev.GetStarted() != nil:
				id = ev.GetStarted().GetJobId()
			case ev.GetOrder() != nil:
				orders++
			case ev.GetFinished() != nil:
				fin = ev.GetFinished()
			}
		}
	}
	d := daemontest.StartWith(t, bin, opts)
	id1, fin1, orders1 := run(client(t, d))
	d.Kill(t)
	d2 := daemontest.StartWith(t, bin, opts)
	id2, fin2, orders2 := run(client(t, d2))
	if id1 != id2 || fin1.String() != fin2.String() || orders1 != orders2 || orders1 != 3 {
		t.Errorf("first %s %v (%d orders), replay %s %v (%d orders)", id1, fin1, orders1, id2, fin2, orders2)
	}
	if got := sim.orders(t, "idem"); len(got) != 3 {
		t.Errorf("the simulator has %d orders, want 3", len(got))
	}
}

// TestReplicaTakeover: two replicas share a PostgreSQL ledger; the one running a job is killed
// and the other finishes the job within about one lease period.
func TestReplicaTakeover(t *testing.T) {
	dsn := os.Getenv("TNASSIGN_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("TNASSIGN_TEST_POSTGRES_DSN is not set")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir, "--processing-delay", "700ms")
	lease := 2 * time.Second
	common := []string{"--lease", lease.String(), "--batch-size", "100", "--max-inflight-per-job", "2"}
	a := daemontest.StartWith(t, bin, sim.daemonOptions(dsn, append(common, "--replica-id", "replica-a")...))
	b := daemontest.StartWith(t, bin, sim.daemonOptions(dsn, append(common, "--replica-id", "replica-b")...))
	prefix := fmt.Sprintf("takeover %d", time.Now().UnixNano()%1e9)

	stream, err := client(t, a).AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sendAll(stream, &tnassignv1.AssignNumbersRequest{AccountId: simAccount, CustomerOrderId: prefix}, owned(3000, 400), 100)
	_ = stream.CloseSend()
	id := untilOrder(t, stream)
	a.Kill(t)
	killed := time.Now()

	cb := client(t, b)
	j := waitFinal(t, cb, id, 60*time.Second)
	// A batch whose create was under way at the kill is sent again only after its attempt's
	// horizon: the request timeout (5 s here) plus Bandwidth's 15 s lookup window.
	const createHorizon = 20 * time.Second
	if took := time.Since(killed); took > 4*lease+5*time.Second+createHorizon {
		t.Errorf("replica b took %v to finish the job", took)
	}
	if j.GetState() == tnassignv1.JobState_JOB_STATE_RUNNING || j.GetSucceededCount() == 0 {
		t.Errorf("job %v", j)
	}
	checkAccounted(t, j, outcomes(t, cb, id), submittedOnce(t, sim.orders(t, prefix)))
}
