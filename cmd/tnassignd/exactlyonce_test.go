package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/daemontest"
)

// The exactly-once tests reproduce, with the real binaries, what an operator's restarts, deploys
// and crashes did to jobs before tnassign fenced its ledger writes and recorded create attempts.

// TestTakeoverWaitsForAnInterruptedCreate: Bandwidth takes seconds to create an order; the
// replica that sent it stops (SIGTERM, short grace: the job is handed over and its lease given up)
// while the create is still in progress there. The next replica must not send the batch again
// until that create can no longer produce an order: it finds the order instead. Before the fix,
// it looked once, found nothing yet, and sent the batch again: two orders of one batch.
func TestTakeoverWaitsForAnInterruptedCreate(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir, "--create-delay", "3s", "--log-requests") // logs "slow create started"
	opts := sim.daemonOptions(ledgerPath(dir), "--lease", "2s", "--shutdown-grace", "300ms", "--batch-size", "100", "--batch-linger", "50ms")

	a := daemontest.StartWith(t, bin, opts)
	stream, err := client(t, a).AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sent := owned(4000, 100)
	sendAll(stream, &tnassignv1.AssignNumbersRequest{AccountId: simAccount, CustomerOrderId: "slow-create"}, sent, 100)
	_ = stream.CloseSend()
	id := startedID(t, stream)
	// The create has reached Bandwidth, which is still working on it.
	sim.waitLog(t, "slow create started", "slow-create-1")
	if code := a.Terminate(t); code != 0 {
		t.Errorf("tnassignd exited %d after SIGTERM", code)
	}
	if !strings.Contains(a.Log(), "handing the job over") {
		t.Fatalf("the job was not handed over:\n%s", a.Log())
	}

	b := daemontest.StartWith(t, bin, opts)
	c := client(t, b)
	j := waitFinal(t, c, id, 60*time.Second)
	if j.GetState() != tnassignv1.JobState_JOB_STATE_SUCCEEDED || j.GetSucceededCount() != int64(len(sent)) {
		t.Errorf("job %v", j)
	}
	orders := sim.orders(t, "slow-create")
	if len(orders) != 1 {
		t.Errorf("Bandwidth holds %d orders of the one batch, want 1", len(orders))
	}
	checkAccounted(t, j, outcomes(t, c, id), submittedOnce(t, orders))
}

// TestNumbersReadDuringShutdownAreRecorded: a stream sends 3 numbers, the daemon is told to stop,
// another daemon starts on the same ledger (and takes over whatever job is left to it), and the
// stream sends 2 more. Whatever was read has an outcome in the ledger, and the caller is told
// exactly how many of its numbers were read. Before the fix, the stopping daemon went on reading:
// the 2 later numbers were counted in memory only and appeared nowhere once the other daemon had
// finished the job from the ledger.
func TestNumbersReadDuringShutdownAreRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir)
	opts := sim.daemonOptions(ledgerPath(dir), "--lease", "2s", "--shutdown-grace", "2s", "--batch-linger", "1h")

	d := daemontest.StartWith(t, bin, opts)
	c := client(t, d)
	stream, err := c.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nums := owned(5000, 5)
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: simAccount, TelephoneNumbers: nums[:3]}); err != nil {
		t.Fatal(err)
	}
	id := startedID(t, stream)
	waitReceived(t, c, id, 3)

	done := make(chan int)
	go func() { done <- d.Terminate(t) }()
	d.WaitLog(t, "service shutting down")
	// The other daemon shares the SQLite file; it takes the job over if the first one left it.
	d2 := daemontest.StartWith(t, bin, opts)
	c2 := client(t, d2)
	waitSettled(t, c2, d2, id)
	// Too late for the job: these must not be read, or be read and recorded.
	_ = stream.Send(&tnassignv1.AssignNumbersRequest{TelephoneNumbers: nums[3:]})
	_ = stream.CloseSend()
	told, finished := readUntilEnd(t, stream)
	<-done

	j := waitFinal(t, c2, id, 30*time.Second)
	got := outcomes(t, c2, id)
	if int64(len(got)) != j.GetReceivedCount() || told != j.GetReceivedCount() {
		t.Errorf("the caller was told %d numbers were read; the ledger has %d received and %d outcomes (%v)",
			told, j.GetReceivedCount(), len(got), j)
	}
	for _, n := range nums[:min(told, int64(len(nums)))] {
		if got[n] == nil {
			t.Errorf("%s was read but has no outcome", n)
		}
	}
	if finished != nil && (finished.GetReceivedCount() != j.GetReceivedCount() || finished.GetState() != j.GetState()) {
		t.Errorf("finished %v, ledger %v", finished, j)
	}
	if j.GetState() == tnassignv1.JobState_JOB_STATE_ABORTED && j.GetFailureReason() == "" {
		t.Errorf("an aborted job without a reason: %v", j)
	}
}

// waitSettled waits until the job has a final state in the ledger or d took it over.
func waitSettled(t *testing.T, c tnassignv1.AssignmentServiceClient, d *daemontest.Daemon, id string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.Log(), `"msg":"taking over a job whose replica stopped","job_id":"`+id) {
		resp, err := c.GetAssignmentJob(context.Background(), &tnassignv1.GetAssignmentJobRequest{AccountId: simAccount, JobId: id})
		if err == nil && resp.GetAssignmentJob().GetState() != tnassignv1.JobState_JOB_STATE_RUNNING {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s neither finished nor taken over within 30s: %v %v", id, resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestFirstLeaseHonoursLeaseFlag: a daemon killed in its job's first second, with --lease 3s, is
// restarted; the restarted daemon finishes the job within 10 s. Before the fix the first lease
// was always 30 s.
func TestFirstLeaseHonoursLeaseFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir)
	opts := sim.daemonOptions(ledgerPath(dir), "--lease", "3s", "--batch-linger", "1h")

	d := daemontest.StartWith(t, bin, opts)
	c := client(t, d)
	stream, err := c.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nums := owned(6000, 10)
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: simAccount, TelephoneNumbers: nums}); err != nil {
		t.Fatal(err)
	}
	id := startedID(t, stream)
	waitReceived(t, c, id, int64(len(nums)))
	d.Kill(t)
	killed := time.Now()

	d2 := daemontest.StartWith(t, bin, opts)
	j := waitFinal(t, client(t, d2), id, 30*time.Second)
	if took := time.Since(killed); took > 10*time.Second {
		t.Errorf("the restarted daemon finished the job %v after the kill, want within 10s", took.Round(time.Millisecond))
	}
	if j.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || j.GetNotSubmittedCount() != int64(len(nums)) {
		t.Errorf("job %v", j)
	}
}

// TestWrongBandwidthURL: a --bandwidth-url without Bandwidth's /api is answered 404 for every
// order. The job stops with one clear status naming the URL, not millions of per-number
// failures, and the daemon says so once in its log.
func TestWrongBandwidthURL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	sim := startSim(t, dir)
	wrong := strings.TrimSuffix(sim.url, "/api")
	opts := sim.daemonOptions(ledgerPath(dir), "--batch-size", "500", "--batch-linger", "50ms")
	opts.Args = append(opts.Args, "--bandwidth-url", wrong)

	d := daemontest.StartWith(t, bin, opts)
	if !strings.Contains(d.Log(), `"base_url":"`+wrong) {
		t.Errorf("the startup log does not name the base URL in use:\n%s", d.Log())
	}
	c := client(t, d)
	stream, err := c.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	nums := owned(7000, 3000)
	sendAll(stream, &tnassignv1.AssignNumbersRequest{AccountId: simAccount}, nums, 500)
	_ = stream.CloseSend()
	var id string
	var finished *tnassignv1.JobFinished
	for {
		ev, err := stream.Recv()
		if err != nil {
			st := status.Convert(err)
			if st.Code() != codes.FailedPrecondition || !strings.Contains(st.Message(), wrong) || reason(st) != "BANDWIDTH_MISCONFIGURED" {
				t.Errorf("status %v (reason %q), want FAILED_PRECONDITION BANDWIDTH_MISCONFIGURED naming %s", st, reason(st), wrong)
			}
			break
		}
		switch {
		case ev.GetStarted() != nil:
			id = ev.GetStarted().GetJobId()
		case ev.GetOrder() != nil:
			t.Errorf("an order event for a URL that does not exist: %v", ev.GetOrder())
		case ev.GetFinished() != nil:
			finished = ev.GetFinished()
		}
	}
	if finished.GetState() != tnassignv1.JobState_JOB_STATE_FAILED || finished.GetFailedCount() != 0 ||
		finished.GetFailureReason() != "BANDWIDTH_MISCONFIGURED" ||
		finished.GetNotSubmittedCount()+finished.GetRejectedCount() != finished.GetReceivedCount() {
		t.Errorf("finished %v", finished)
	}
	if j := waitFinal(t, c, id, 10*time.Second); j.GetFailureReason() != "BANDWIDTH_MISCONFIGURED" {
		t.Errorf("the ledger's job %v", j)
	}
	var said int
	for _, line := range strings.Split(d.Log(), "\n") {
		// The call's own log line (msg "rpc") repeats its status; the job says it once.
		if strings.Contains(line, "misconfigured") && !strings.Contains(line, `"msg":"rpc"`) {
			said++
		}
	}
	if said != 1 {
		t.Errorf("%d log lines say the URL is misconfigured, want 1:\n%s", said, d.Log())
	}
}

// startedID reads the first event, `started`, and returns the job id.
func startedID(t *testing.T, stream tnassignv1.AssignmentService_AssignNumbersClient) string {
	t.Helper()
	ev, err := stream.Recv()
	if err != nil || ev.GetStarted() == nil {
		t.Fatalf("first event %v, %v", ev, err)
	}
	return ev.GetStarted().GetJobId()
}

// waitReceived polls GetAssignmentJob until the ledger has n numbers received for the job.
func waitReceived(t *testing.T, c tnassignv1.AssignmentServiceClient, id string, n int64) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := c.GetAssignmentJob(context.Background(), &tnassignv1.GetAssignmentJobRequest{AccountId: simAccount, JobId: id})
		if err == nil && resp.GetAssignmentJob().GetReceivedCount() >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: %d numbers never recorded as received: %v %v", id, n, resp, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// readUntilEnd reads a stream to its end and returns how many of the caller's numbers the job
// read, as the caller is told: received_count of `finished`, or numbers_read of JOB_HANDED_OVER.
func readUntilEnd(t *testing.T, stream tnassignv1.AssignmentService_AssignNumbersClient) (int64, *tnassignv1.JobFinished) {
	t.Helper()
	var finished *tnassignv1.JobFinished
	for {
		ev, err := stream.Recv()
		if errors.Is(err, io.EOF) || err != nil && finished != nil {
			return finished.GetReceivedCount(), finished
		}
		if err != nil {
			st := status.Convert(err)
			if reason(st) != "JOB_HANDED_OVER" {
				t.Fatalf("the stream ended with %v and no finished", st)
			}
			n, perr := strconv.ParseInt(errorMetadata(st)["numbers_read"], 10, 64)
			if perr != nil {
				t.Fatalf("JOB_HANDED_OVER without numbers_read: %v", st)
			}
			return n, nil
		}
		if f := ev.GetFinished(); f != nil {
			finished = f
		}
	}
}

// reason is the status's ErrorInfo reason.
func reason(st *status.Status) string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

// errorMetadata is the status's ErrorInfo metadata.
func errorMetadata(st *status.Status) map[string]string {
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetMetadata()
		}
	}
	return nil
}

// TestCutShortUploadIsRecorded: an NDJSON upload with a line that cannot be decoded is not taken
// for a complete input: the numbers before the line are processed, the job ends ABORTED with the
// reason INPUT_CUT_SHORT, and GetAssignmentJob, a watch and a replay of its request id all show
// it. Before, the job ended SUCCEEDED as if the caller had sent everything.
func TestCutShortUploadIsRecorded(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: real processes")
	}
	dir := t.TempDir()
	bin := daemontest.Build(t, daemontest.DaemonPackage, dir)
	d := daemontest.Start(t, bin)
	body := `{"accountId":"9900000","requestId":"cut-1","telephoneNumbers":["9195550001","9195550002"]}` + "\n" +
		`{"telephoneNumbers":["9195550003"]}` + "\n" + `{"telephoneNumbers": [` + "\n" + `{"telephoneNumbers":["9195550004"]}` + "\n"
	lines := postLines(t, "http://"+d.HTTPAddr+"/v1/numbers:assign", body)
	var id string
	var sawFinished bool
	for _, l := range lines[:len(lines)-1] {
		if s := jsonField(t, l, "result", "started", "jobId"); s != "" {
			id = s
		}
		if jsonField(t, l, "result", "finished", "failureReason") == "INPUT_CUT_SHORT" {
			sawFinished = true
		}
	}
	last := lines[len(lines)-1]
	if !sawFinished || !strings.Contains(last, `"error"`) || !strings.Contains(last, "INPUT_CUT_SHORT") || !strings.Contains(last, "request message 3") {
		t.Fatalf("answer %q: want finished with failureReason INPUT_CUT_SHORT, then the error naming message 3", lines)
	}
	c := client(t, d)
	j := waitFinal(t, c, id, 10*time.Second)
	if j.GetState() != tnassignv1.JobState_JOB_STATE_ABORTED || j.GetFailureReason() != "INPUT_CUT_SHORT" || j.GetReceivedCount() != 3 {
		t.Errorf("job %v", j)
	}
	replay := postLines(t, "http://"+d.HTTPAddr+"/v1/numbers:assign", `{"accountId":"9900000","requestId":"cut-1"}`+"\n")
	if !strings.Contains(strings.Join(replay, "\n"), `"failureReason":"INPUT_CUT_SHORT"`) {
		t.Errorf("replay %q does not show the cut", replay)
	}
}

// postLines posts body to url as NDJSON and returns the answer's lines.
func postLines(t *testing.T, url, body string) []string {
	t.Helper()
	resp, err := http.Post(url, "application/x-ndjson", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) == 0 {
		t.Fatalf("empty answer, status %d", resp.StatusCode)
	}
	return lines
}

// jsonField returns the string at path in the JSON object line, or "".
func jsonField(t *testing.T, line string, path ...string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(line), &v); err != nil {
		t.Fatalf("line %q: %v", line, err)
	}
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	s, _ := v.(string)
	return s
}
