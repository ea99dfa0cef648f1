package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

// recordingService is fakeService that remembers the metadata of each call
// and the read calls it served, and sets internal header and trailer
// metadata that must never reach an HTTP caller.
type recordingService struct {
	*fakeService
	mu    sync.Mutex
	md    []metadata.MD
	reads []string
}

func newRecordingService() *recordingService { return &recordingService{fakeService: newFakeService()} }

func (s *recordingService) record(ctx context.Context, read string) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.md = append(s.md, md)
	if read != "" {
		s.reads = append(s.reads, read)
	}
}

func (s *recordingService) calls() ([]metadata.MD, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]metadata.MD(nil), s.md...), append([]string(nil), s.reads...)
}

func (s *recordingService) AssignNumbers(stream tnassignv1.AssignmentService_AssignNumbersServer) error {
	s.record(stream.Context(), "")
	_ = stream.SetHeader(metadata.Pairs("x-internal-replica", "replica-7"))
	stream.SetTrailer(metadata.Pairs("x-internal-trace", "trace-9"))
	// Like the real service: a stream that ends before its first message
	// is INVALID_ARGUMENT.
	var received int64
	for first := true; ; first = false {
		req, err := stream.Recv()
		switch {
		case errors.Is(err, io.EOF) && first:
			return status.Error(codes.InvalidArgument, "the request stream ended before its first message")
		case errors.Is(err, io.EOF):
			return stream.Send(finished(received))
		case err != nil:
			return err
		case req.GetInputError() != "" && first:
			return status.Error(codes.InvalidArgument, "the upload was cut short before its first message: "+req.GetInputError())
		case req.GetInputError() != "":
			return cutShort(stream, received, req.GetInputError())
		case first:
			if err := stream.Send(started(req.GetAccountId())); err != nil {
				return err
			}
		}
		received += int64(len(req.GetTelephoneNumbers()))
	}
}

func (s *recordingService) GetAssignmentJob(ctx context.Context, _ *tnassignv1.GetAssignmentJobRequest) (*tnassignv1.GetAssignmentJobResponse, error) {
	s.record(ctx, "GetAssignmentJob")
	_ = grpc.SetHeader(ctx, metadata.Pairs("x-internal-replica", "replica-7"))
	return &tnassignv1.GetAssignmentJobResponse{}, nil
}

func (s *recordingService) ListAssignmentJobs(ctx context.Context, _ *tnassignv1.ListAssignmentJobsRequest) (*tnassignv1.ListAssignmentJobsResponse, error) {
	s.record(ctx, "ListAssignmentJobs")
	return &tnassignv1.ListAssignmentJobsResponse{}, nil
}

func (s *recordingService) CreateAssignmentJob(ctx context.Context, _ *tnassignv1.CreateAssignmentJobRequest) (*tnassignv1.CreateAssignmentJobResponse, error) {
	s.record(ctx, "CreateAssignmentJob")
	return &tnassignv1.CreateAssignmentJobResponse{}, nil
}

// startWith runs Serve with opts (Service, Logger and timings are filled
// in) on loopback ports until the test ends.
func startWith(t testing.TB, svc Service, opts Options) *running {
	t.Helper()
	grpcLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	httpLis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &running{grpcAddr: grpcLis.Addr().String(), httpAddr: httpLis.Addr().String(), metrics: NewMetrics(), logs: &syncbuf.Buffer{}}
	opts.Service = svc
	opts.Logger = slog.New(slog.NewJSONHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts.Metrics = r.metrics
	opts.ShutdownGrace, opts.DrainTimeout, opts.ReadyInterval = time.Second, time.Second, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, grpcLis, httpLis, opts) }()
	var once sync.Once
	r.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("Serve did not return within 10s")
			}
		})
		return err
	}
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return r
}

// testToken is the bearer token of the tests' tokens file; billing may
// assign and read on 9900000.
const testToken = "tok-0a1b2c3d4e5f-billing"

// testTokens are the tests' bearer tokens: testToken alone.
func testTokens(t testing.TB) *guard.TokenStore {
	t.Helper()
	d := sha256.Sum256([]byte(testToken))
	ts, err := guard.ParseTokens(fmt.Appendf(nil, `{"tokens":[{"name":"billing","sha256":%q,"accounts":["9900000"],"actions":["assign","read"]}]}`, hex.EncodeToString(d[:])))
	if err != nil {
		t.Fatal(err)
	}
	return guard.NewTokenStore(ts)
}

// do sends one HTTP request and returns the status, headers and body.
func do(t testing.TB, client *http.Client, method, url string, header http.Header, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}
