package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/daemontest"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

// watchers are the tokens of the watch tests: as many callers as 1,000
// watches need under the default --max-watches-per-caller (64). Each may
// assign and read on the simulated account.
const watchers = 16

// watcherToken is the bearer token of watcher i.
func watcherToken(i int) string { return fmt.Sprintf("watcher-%02d-5e0c1a7d9b", i) }

// startWatchersDaemon starts tnassignd with the watchers' tokens and the
// default limits: the flags every build of tnassignd knows, so that the
// tests also run against the code before issue 20.
func startWatchersDaemon(t *testing.T, bin string) *daemontest.Daemon {
	t.Helper()
	var entries []string
	for i := range watchers {
		entries = append(entries, fmt.Sprintf(`{"name":"watcher-%d","sha256":%q,"accounts":[%q],"actions":["assign","read"]}`, i, digestHex(watcherToken(i)), simAccount))
	}
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, []byte(`{"tokens":[`+strings.Join(entries, ",")+`]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	return daemontest.Start(t, bin, "--auth-tokens-file", path)
}

// asWatcher is ctx with watcher i's token.
func asWatcher(ctx context.Context, i int) context.Context {
	return metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+watcherToken(i))
}

// idleJob starts a job over gRPC and keeps its input open, so that the job
// runs (and its watches idle) until the test ends; it returns the job id.
func idleJob(t *testing.T, c tnassignv1.AssignmentServiceClient) string {
	t.Helper()
	ctx, cancel := context.WithCancel(asWatcher(context.Background(), 0))
	t.Cleanup(cancel)
	s, err := c.AssignNumbers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(&tnassignv1.AssignNumbersRequest{AccountId: simAccount, TelephoneNumbers: []string{"9195550001"}}); err != nil {
		t.Fatal(err)
	}
	resp, err := s.Recv()
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetStarted().GetJobId()
	if id == "" {
		t.Fatalf("first event %v, want started", resp)
	}
	return id
}

// testIdleWatchesLeaveRoom: with 1,000 idle watches open through the JSON
// gateway (more than one gRPC connection carries), a unary call through
// the gateway is still answered. The unary latencies are logged, not
// asserted: the machine may be loaded.
func testIdleWatchesLeaveRoom(t *testing.T, bin string) {
	const watches = 1000
	d := startWatchersDaemon(t, bin)
	job := idleJob(t, client(t, d))
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	hc := &http.Client{Transport: transport}
	// A hung call fails the test instead of hanging it (the code before
	// issue 20 queued every call behind the 256th stream).
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	watchURL := fmt.Sprintf("http://%s/v1/accounts/%s/assignmentJobs/%s:watch", d.HTTPAddr, simAccount, job)
	for i := range watches {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, watchURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+watcherToken(i%watchers))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("watch %d: %v", i+1, err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		if resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("watch %d: %d %s", i+1, resp.StatusCode, b)
		}
		if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
			t.Fatalf("watch %d: no first event: %v", i+1, err)
		}
	}
	var took []time.Duration
	for range 20 {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/v1/accounts/%s/assignmentJobs/%s", d.HTTPAddr, simAccount, job), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+watcherToken(0))
		began := time.Now()
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatalf("GetAssignmentJob with %d idle watches open: %v", watches, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		took = append(took, time.Since(began))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GetAssignmentJob with %d idle watches open: %d %s", watches, resp.StatusCode, b)
		}
	}
	slices.Sort(took)
	t.Logf("GetAssignmentJob through the gateway with %d idle watches open: median %v, max %v (20 calls)", watches, took[len(took)/2], took[len(took)-1])
}

// testWatchesPerCaller: a caller's watches beyond --max-watches-per-caller
// (default 64) are refused with RESOURCE_EXHAUSTED (TOO_MANY_JOBS, kind
// watches); another caller may still watch.
func testWatchesPerCaller(t *testing.T, bin string) {
	const limit = 64
	d := startWatchersDaemon(t, bin)
	c := client(t, d)
	job := idleJob(t, c)
	ctx, cancel := context.WithCancel(asWatcher(context.Background(), 1))
	defer cancel()
	watch := func() error {
		s, err := c.WatchAssignmentJob(ctx, &tnassignv1.WatchAssignmentJobRequest{AccountId: simAccount, JobId: job})
		if err != nil {
			return err
		}
		_, err = s.Recv()
		return err
	}
	for i := range limit {
		if err := watch(); err != nil {
			t.Fatalf("watch %d: %v", i+1, err)
		}
	}
	err := watch()
	reason, meta, _ := errorinfo.Of(err)
	if status.Code(err) != codes.ResourceExhausted || reason != tnassignv1.ErrorReason_TOO_MANY_JOBS || meta["kind"] != "watches" {
		t.Errorf("watch %d: %v (reason %v, metadata %v); want RESOURCE_EXHAUSTED, TOO_MANY_JOBS, kind watches", limit+1, err, reason, meta)
	}
	if errors.Is(err, io.EOF) {
		t.Errorf("watch %d ended without an error", limit+1)
	}
	other, stop := context.WithCancel(asWatcher(context.Background(), 2))
	defer stop()
	s, err := c.WatchAssignmentJob(other, &tnassignv1.WatchAssignmentJobRequest{AccountId: simAccount, JobId: job})
	if err == nil {
		_, err = s.Recv()
	}
	if err != nil {
		t.Errorf("another caller's watch: %v", err)
	}
}
