package service_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/bandwidth/bwsim"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service"
	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const account = bwsim.DefaultAccountID

// harness is one service behind a bufconn gRPC server, talking to a bwsim through the real
// bandwidth client.
type harness struct {
	sim    *bwsim.Server
	store  *memory.Store
	svc    *service.Service
	client tnassignv1.AssignmentServiceClient
	// received counts the telephone numbers the server has read from request streams.
	received atomic.Int64
}

type harnessOptions struct {
	cfg service.Config
	sim *bwsim.Config
	// auth defaults to the simulator's Basic credentials.
	auth bandwidth.Authenticator
	// wrap, when set, wraps the real client.
	wrap func(service.Upstream) service.Upstream
	// serverOptions are added to the gRPC server's.
	serverOptions []grpc.ServerOption
	retry         *bandwidth.RetryPolicy
	// limiter, when set, paces the client's requests per account.
	limiter  bandwidth.Limiter
	observer service.Observer
	// store, when set, is the ledger (for example one already holding jobs to recover).
	store *memory.Store
	// ledger, when set, is the Store the service uses instead of store (benchmarks of the
	// durable drivers); h.store then stays an unused Memory.
	ledger ledger.Store
	// simServer, when set, is the simulator (shared with an earlier harness).
	simServer *bwsim.Server
}

func newHarness(t testing.TB, o harnessOptions) *harness {
	t.Helper()
	simCfg := bwsim.DefaultConfig()
	if o.sim != nil {
		simCfg = *o.sim
	}
	h := &harness{sim: o.simServer, store: o.store}
	if h.sim == nil {
		h.sim = bwsim.NewServer(simCfg)
		t.Cleanup(h.sim.Close)
	}
	if h.store == nil {
		h.store = memory.New()
	}
	auth := o.auth
	if auth == nil {
		auth = bandwidth.BasicAuth("demo", "demo")
	}
	retry := bandwidth.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
		MaxRateLimitWait: 20 * time.Millisecond, CreateLookupWindow: 200 * time.Millisecond, MaxElapsed: 15 * time.Second}
	if o.retry != nil {
		retry = *o.retry
	}
	bw, err := bandwidth.New(bandwidth.Config{
		BaseURL:        h.sim.URL,
		Auth:           auth,
		HTTPClient:     h.sim.Client(),
		RequestTimeout: 5 * time.Second,
		Retry:          retry,
		Limiter:        o.limiter,
		Poll:           bandwidth.PollPolicy{Initial: time.Millisecond, Max: 5 * time.Millisecond, NotFoundGrace: time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	var up service.Upstream = bw
	if o.wrap != nil {
		up = o.wrap(bw)
	}
	cfg := o.cfg
	if cfg.Accounts == nil {
		cfg.Accounts = []string{account}
	}
	if cfg.BatchLinger == 0 {
		cfg.BatchLinger = time.Minute // tests that want a linger flush say so
	}
	logger := slog.New(slog.DiscardHandler)
	if os.Getenv("TNASSIGN_TEST_LOG") != "" {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	var store ledger.Store = h.store
	if o.ledger != nil {
		store = o.ledger
	}
	h.svc, err = service.New(cfg, up, store, o.observer, logger)
	if err != nil {
		t.Fatal(err)
	}
	lis := bufconn.Listen(1 << 20)
	opts := append([]grpc.ServerOption{grpc.StreamInterceptor(h.countNumbers)}, o.serverOptions...)
	srv := grpc.NewServer(opts...)
	tnassignv1.RegisterAssignmentServiceServer(srv, h.svc)
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(lis)
	}()
	conn, err := grpc.NewClient("passthrough:///bufconn",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	h.client = tnassignv1.NewAssignmentServiceClient(conn)
	t.Cleanup(func() {
		_ = conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := h.svc.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		srv.Stop()
		<-served
	})
	return h
}

// countNumbers counts the telephone numbers the server reads.
func (h *harness) countNumbers(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	return handler(srv, &countingStream{ServerStream: ss, n: &h.received})
}

type countingStream struct {
	grpc.ServerStream
	n *atomic.Int64
}

func (s *countingStream) RecvMsg(m any) error {
	err := s.ServerStream.RecvMsg(m)
	if err == nil {
		if r, ok := m.(interface{ GetTelephoneNumbers() []string }); ok {
			s.n.Add(int64(len(r.GetTelephoneNumbers())))
		}
	}
	return err
}

// result is everything a call streamed back.
type result struct {
	started  *tnassignv1.JobStarted
	rejected []*tnassignv1.RejectedNumber
	orders   []*tnassignv1.OrderSettled
	finished *tnassignv1.JobFinished
	kinds    []string // event kinds in arrival order
	err      error
}

// request builds the messages of a call: numbers split into messages of per numbers, the first
// carrying first's fields (account included).
func requests(first *tnassignv1.AssignNumbersRequest, numbers []string, per int) []*tnassignv1.AssignNumbersRequest {
	msgs := []*tnassignv1.AssignNumbersRequest{first}
	for len(numbers) > 0 {
		n := min(per, len(numbers))
		last := msgs[len(msgs)-1]
		if len(last.TelephoneNumbers) == 0 && last == first {
			last.TelephoneNumbers = numbers[:n]
		} else {
			msgs = append(msgs, &tnassignv1.AssignNumbersRequest{TelephoneNumbers: numbers[:n]})
		}
		numbers = numbers[n:]
	}
	return msgs
}

// assign runs an AssignNumbers call to its end: sends msgs, half-closes, reads every event.
func (h *harness) assign(ctx context.Context, msgs []*tnassignv1.AssignNumbersRequest) result {
	stream, err := h.client.AssignNumbers(ctx)
	if err != nil {
		return result{err: err}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, m := range msgs {
			if stream.Send(m) != nil {
				return // the server ended the call; Recv reports why
			}
		}
		_ = stream.CloseSend()
	}()
	r := collect(func() (*tnassignv1.AssignNumbersResponse, error) { return stream.Recv() })
	wg.Wait()
	return r
}

// unassign runs an UnassignNumbers call like assign.
func (h *harness) unassign(ctx context.Context, msgs []*tnassignv1.AssignNumbersRequest) result {
	stream, err := h.client.UnassignNumbers(ctx)
	if err != nil {
		return result{err: err}
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, m := range msgs {
			u := &tnassignv1.UnassignNumbersRequest{AccountId: m.AccountId, TelephoneNumbers: m.TelephoneNumbers,
				CustomerOrderId: m.CustomerOrderId, RequestId: m.RequestId, ValidateOnly: m.ValidateOnly}
			if stream.Send(u) != nil {
				return
			}
		}
		_ = stream.CloseSend()
	}()
	r := collect(func() (*tnassignv1.AssignNumbersResponse, error) {
		m, err := stream.Recv()
		if err != nil {
			return nil, err
		}
		out := &tnassignv1.AssignNumbersResponse{}
		switch e := m.GetEvent().(type) {
		case *tnassignv1.UnassignNumbersResponse_Started:
			out.Event = &tnassignv1.AssignNumbersResponse_Started{Started: e.Started}
		case *tnassignv1.UnassignNumbersResponse_Rejected:
			out.Event = &tnassignv1.AssignNumbersResponse_Rejected{Rejected: e.Rejected}
		case *tnassignv1.UnassignNumbersResponse_Order:
			out.Event = &tnassignv1.AssignNumbersResponse_Order{Order: e.Order}
		case *tnassignv1.UnassignNumbersResponse_Finished:
			out.Event = &tnassignv1.AssignNumbersResponse_Finished{Finished: e.Finished}
		}
		return out, nil
	})
	wg.Wait()
	return r
}

func collect(recv func() (*tnassignv1.AssignNumbersResponse, error)) result {
	var r result
	for {
		m, err := recv()
		if errors.Is(err, io.EOF) {
			return r
		}
		if err != nil {
			r.err = err
			return r
		}
		r.add(m)
	}
}

func (r *result) add(m *tnassignv1.AssignNumbersResponse) {
	switch e := m.GetEvent().(type) {
	case *tnassignv1.AssignNumbersResponse_Started:
		r.started = e.Started
		r.kinds = append(r.kinds, "started")
	case *tnassignv1.AssignNumbersResponse_Rejected:
		r.rejected = append(r.rejected, e.Rejected.GetNumbers()...)
		r.kinds = append(r.kinds, "rejected")
	case *tnassignv1.AssignNumbersResponse_Order:
		r.orders = append(r.orders, e.Order)
		r.kinds = append(r.kinds, "order")
	case *tnassignv1.AssignNumbersResponse_Finished:
		r.finished = e.Finished
		r.kinds = append(r.kinds, "finished")
	default:
		r.kinds = append(r.kinds, "unknown")
	}
}

// numbers returns n distinct numbers starting at first (10 digits), as strings.
func numbers(first int64, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(first + int64(i))
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
