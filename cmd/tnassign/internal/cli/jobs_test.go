package cli

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

// startService serves the real service (in-memory ledger, simulated Bandwidth) over bufconn and
// returns a client and the dial options the CLI needs to reach it.
func startService(t *testing.T) (tnassignv1.AssignmentServiceClient, []grpc.DialOption) {
	t.Helper()
	s := startRealService(t, realService{})
	return s.client, s.dial
}

// realService configures startRealService. The zero value serves account 9900000 against
// bwsim's defaults, with the simulator's Basic credentials.
type realService struct {
	// sim adjusts the simulator's configuration; nil keeps bwsim.DefaultConfig.
	sim func(*bwsim.Config)
	// client adjusts the Bandwidth client's configuration; nil keeps it.
	client func(*bandwidth.Config)
	// service adjusts the service's configuration; nil keeps it.
	service func(*service.Config)
	// grace is how long the service's shutdown at the end of the test waits for orders still
	// in flight; 0 means 10 s.
	grace time.Duration
}

// servedService is a running real service and what reaches it.
type servedService struct {
	client tnassignv1.AssignmentServiceClient
	dial   []grpc.DialOption // for Env.DialOptions, with --server passthrough:///bufnet
	svc    *service.Service
	sim    *bwsim.Server
}

// startRealService serves the real service, configured by rs, over bufconn until the test ends.
func startRealService(t *testing.T, rs realService) *servedService {
	t.Helper()
	simCfg := bwsim.DefaultConfig()
	if rs.sim != nil {
		rs.sim(&simCfg)
	}
	sim := bwsim.NewServer(simCfg)
	t.Cleanup(sim.Close)
	bwCfg := bandwidth.Config{BaseURL: sim.URL, Auth: bandwidth.BasicAuth("demo", "demo"), HTTPClient: sim.Client(),
		Poll: bandwidth.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond}}
	if rs.client != nil {
		rs.client(&bwCfg)
	}
	bw, err := bandwidth.New(bwCfg)
	if err != nil {
		t.Fatal(err)
	}
	svcCfg := service.Config{Accounts: []string{"9900000"}, BatchSize: 5}
	if rs.service != nil {
		rs.service(&svcCfg)
	}
	svc, err := service.New(svcCfg, bw, memory.New(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	tnassignv1.RegisterAssignmentServiceServer(srv, svc)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = srv.Serve(lis)
	}()
	dial := []grpc.DialOption{grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })}
	conn, err := grpc.NewClient("passthrough:///bufnet", append(dial, grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	grace := rs.grace
	if grace == 0 {
		grace = 10 * time.Second
	}
	t.Cleanup(func() {
		conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		defer cancel()
		_ = svc.Shutdown(ctx)
		srv.Stop()
		<-done
	})
	return &servedService{client: tnassignv1.NewAssignmentServiceClient(conn), dial: dial, svc: svc, sim: sim}
}

func TestJobCommands(t *testing.T) {
	client, dial := startService(t)
	resp, err := client.CreateAssignmentJob(t.Context(), &tnassignv1.CreateAssignmentJobRequest{
		AccountId: "9900000", Action: tnassignv1.Action_ACTION_ASSIGN,
		TelephoneNumbers: []string{"9195550001", "9195550002", "9195550003", "2025550100", "nope", "9195550001"},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := resp.GetAssignmentJob().GetJobId()
	run := func(args ...string) runResult {
		t.Helper()
		var stdout, stderr bytes.Buffer
		env := Env{Stdout: &stdout, Stderr: &stderr, Stdin: strings.NewReader(""), DialOptions: dial}
		code := Main(context.Background(), append(args, "--server", "passthrough:///bufnet", "--plaintext"), env)
		return runResult{code, stdout.String(), stderr.String()}
	}

	w := run("job", "watch", "--account", "9900000", id)
	if w.code != ExitIncomplete || !strings.Contains(w.stdout, "finished  partial: 6 received, 3 succeeded, 1 failed, 2 rejected, 0 not submitted") {
		t.Errorf("watch: %d\n%s%s", w.code, w.stdout, w.stderr)
	}
	g := run("job", "get", id, "--account", "9900000")
	for _, want := range []string{"state          partial", "succeeded      3", "ORDER ID"} {
		if g.code != ExitOK || !strings.Contains(g.stdout, want) {
			t.Errorf("get: want %q in\n%s%s", want, g.stdout, g.stderr)
		}
	}
	l := run("job", "list", "--account", "9900000", "--state", "partial")
	if l.code != ExitOK || !strings.Contains(l.stdout, id) {
		t.Errorf("list: %d\n%s%s", l.code, l.stdout, l.stderr)
	}
	if l := run("job", "list", "--account", "9900000", "--state", "running"); strings.Contains(l.stdout, id) {
		t.Errorf("list --state running shows a finished job:\n%s", l.stdout)
	}
	out := t.TempDir() + "/failed.csv"
	o := run("job", "outcomes", "--account", "9900000", "--result", "failed", "--out", out, id)
	if o.code != ExitOK {
		t.Fatalf("outcomes: %d %s", o.code, o.stderr)
	}
	recs := readCSV(t, out)
	if len(recs) != 2 || recs[1][0] != "2025550100" || recs[1][1] != "failed" || recs[1][2] == "" || recs[1][4] == "" {
		t.Errorf("failed outcomes %v", recs)
	}
	all := run("job", "outcomes", "--account", "9900000", id)
	if n := strings.Count(all.stdout, "\n"); n != 7 {
		t.Errorf("%d lines of outcomes, want header + 6:\n%s", n, all.stdout)
	}

	for name, args := range map[string][]string{
		"unknown job":    {"job", "get", "--account", "9900000", "0190c0de-0000-7000-8000-000000000000"},
		"no account":     {"job", "get", id},
		"bad state":      {"job", "list", "--account", "9900000", "--state", "done"},
		"no job id":      {"job", "watch", "--account", "9900000"},
		"unknown action": {"job", "cancel", "--account", "9900000", id},
	} {
		if r := run(args...); r.code != ExitError || r.stderr == "" {
			t.Errorf("%s: exit %d, stderr %q", name, r.code, r.stderr)
		}
	}
}
