package server

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeService echoes: started on the first message, one order event per
// message (every number succeeded), finished on half-close. Account "panic"
// panics; account "hold" keeps the job open until Shutdown.
type fakeService struct {
	tnassignv1.UnimplementedAssignmentServiceServer

	mu        sync.Mutex
	readyErr  error
	shutdowns int
	stopping  chan struct{}
}

func newFakeService() *fakeService { return &fakeService{stopping: make(chan struct{})} }

func (f *fakeService) setReady(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.readyErr = err
}

func (f *fakeService) Ready(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.readyErr
}

func (f *fakeService) Shutdown(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shutdowns == 0 {
		close(f.stopping)
	}
	f.shutdowns++
	return nil
}

func (f *fakeService) shutdownCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.shutdowns
}

func (f *fakeService) AssignNumbers(stream tnassignv1.AssignmentService_AssignNumbersServer) error {
	var received int64
	first := true
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.Send(finished(received))
		}
		if err != nil {
			return err
		}
		if e := req.GetInputError(); e != "" {
			return cutShort(stream, received, e)
		}
		if first {
			first = false
			switch req.GetAccountId() {
			case "panic":
				panic("fake service panics")
			case "hold":
				if err := stream.Send(started(req.GetAccountId())); err != nil {
					return err
				}
				<-f.stopping
				return stream.Send(finished(received))
			}
			if err := stream.Send(started(req.GetAccountId())); err != nil {
				return err
			}
		}
		received += int64(len(req.GetTelephoneNumbers()))
		if err := stream.Send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Order{
			Order: &tnassignv1.OrderSettled{
				OrderId:          "order",
				ProcessingStatus: tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE,
				SucceededNumbers: req.GetTelephoneNumbers(),
			},
		}}); err != nil {
			return err
		}
	}
}

// cutShort ends a stream whose upload the gateway cut short, as the service
// does: `finished` with what came before, then the caller's mistake.
func cutShort(stream tnassignv1.AssignmentService_AssignNumbersServer, received int64, why string) error {
	if err := stream.Send(finished(received)); err != nil {
		return err
	}
	return status.Error(codes.InvalidArgument, "the upload was cut short: "+why)
}

func started(account string) *tnassignv1.AssignNumbersResponse {
	return &tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Started{
		Started: &tnassignv1.JobStarted{JobId: "job-1", AccountId: account, Action: tnassignv1.Action_ACTION_ASSIGN},
	}}
}

func finished(n int64) *tnassignv1.AssignNumbersResponse {
	return &tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Finished{
		Finished: &tnassignv1.JobFinished{State: tnassignv1.JobState_JOB_STATE_SUCCEEDED, ReceivedCount: n, SucceededCount: n},
	}}
}

// running is a Serve started by startServer.
type running struct {
	grpcAddr, httpAddr string
	svc                *fakeService
	metrics            *Metrics
	logs               *syncbuf.Buffer
	stop               func() error // cancels Serve's context and returns its result
}

// startServer runs Serve with svc on loopback ports until the test ends.
func startServer(t *testing.T, svc *fakeService) *running {
	t.Helper()
	r := startWith(t, svc, Options{})
	r.svc = svc
	return r
}

// dial opens a gRPC client connection to the server.
func (r *running) dial(t *testing.T) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+r.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// waitFor polls cond until it holds or 5s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
