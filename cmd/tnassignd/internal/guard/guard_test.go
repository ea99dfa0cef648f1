package guard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"go.uber.org/goleak"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The tokens of the tests; the file holds only their digests.
const (
	billingToken = "tok-billing-1b2c3d" // assign and read on 9900000
	opsToken     = "tok-ops-9f8e7d"     // everything on every account
	readerToken  = "tok-reader-5a6b7c"  // read on 9900000 and 9900001
	unknownToken = "tok-nobody-000000"  // not in the file
)

func digest(s string) string { d := sha256.Sum256([]byte(s)); return hex.EncodeToString(d[:]) }

func testTokensJSON() string {
	return fmt.Sprintf(`{"tokens":[
 {"name":"billing","sha256":%q,"accounts":["9900000"],"actions":["assign","read"]},
 {"name":"ops","sha256":%q,"accounts":["*"],"actions":["assign","unassign","read"]},
 {"name":"reader","sha256":%q,"accounts":["9900000","9900001"],"actions":["read"]}]}`,
		digest(billingToken), digest(opsToken), digest(readerToken))
}

// fakeService answers every AssignmentService call it gets, counting them.
type fakeService struct {
	tnassignv1.UnimplementedAssignmentServiceServer
	calls chan string
}

func (f *fakeService) AssignNumbers(s tnassignv1.AssignmentService_AssignNumbersServer) error {
	f.calls <- "AssignNumbers"
	n := 0
	for {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return s.Send(&tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Finished{
				Finished: &tnassignv1.JobFinished{ReceivedCount: int64(n)}}})
		}
		if err != nil {
			return status.Error(codes.Canceled, "the service saw: "+err.Error())
		}
		n += len(req.GetTelephoneNumbers())
	}
}

func (f *fakeService) UnassignNumbers(s tnassignv1.AssignmentService_UnassignNumbersServer) error {
	f.calls <- "UnassignNumbers"
	for {
		if _, err := s.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

func (f *fakeService) CreateAssignmentJob(context.Context, *tnassignv1.CreateAssignmentJobRequest) (*tnassignv1.CreateAssignmentJobResponse, error) {
	f.calls <- "CreateAssignmentJob"
	return &tnassignv1.CreateAssignmentJobResponse{}, nil
}

func (f *fakeService) GetAssignmentJob(context.Context, *tnassignv1.GetAssignmentJobRequest) (*tnassignv1.GetAssignmentJobResponse, error) {
	f.calls <- "GetAssignmentJob"
	return &tnassignv1.GetAssignmentJobResponse{}, nil
}

// WatchAssignmentJob sends one event; on the job "idle" it then waits,
// like a watch of a running job, until the caller goes away.
func (f *fakeService) WatchAssignmentJob(req *tnassignv1.WatchAssignmentJobRequest, s tnassignv1.AssignmentService_WatchAssignmentJobServer) error {
	f.calls <- "WatchAssignmentJob"
	if err := s.Send(&tnassignv1.WatchAssignmentJobResponse{}); err != nil || req.GetJobId() != "idle" {
		return err
	}
	<-s.Context().Done()
	return s.Context().Err()
}

// harness is a gRPC server with the guard's interceptors over bufconn.
type harness struct {
	client tnassignv1.AssignmentServiceClient
	conn   *grpc.ClientConn
	svc    *fakeService
	guard  *Guard
}

func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	g := New(cfg)
	lis := bufconn.Listen(1 << 20)
	gs := grpc.NewServer(
		grpc.ChainUnaryInterceptor(g.IdentifyUnary, g.Unary),
		grpc.ChainStreamInterceptor(g.IdentifyStream, g.Stream),
	)
	svc := &fakeService{calls: make(chan string, 1000)}
	tnassignv1.RegisterAssignmentServiceServer(gs, svc)
	healthpb.RegisterHealthServer(gs, health.NewServer())
	reflection.Register(gs)
	go func() { _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///bufnet",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(); gs.Stop() })
	return &harness{client: tnassignv1.NewAssignmentServiceClient(conn), conn: conn, svc: svc, guard: g}
}

func authHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	ts, err := ParseTokens([]byte(testTokensJSON()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Tokens = NewTokenStore(ts)
	return newHarness(t, cfg)
}

func withToken(token string) context.Context {
	if token == "" {
		return context.Background()
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+token)
}

// assign streams one call of AssignNumbers with the given messages and
// returns its final error (nil after a finished event and EOF).
func (h *harness) assign(token string, msgs ...*tnassignv1.AssignNumbersRequest) error {
	s, err := h.client.AssignNumbers(withToken(token))
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := s.Send(m); err != nil {
			break // the server ended the call; Recv says why
		}
	}
	_ = s.CloseSend()
	for {
		if _, err := s.Recv(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
}

// wantRefusal checks a status's code and ErrorInfo.
func wantRefusal(t *testing.T, err error, code codes.Code, reason tnassignv1.ErrorReason) {
	t.Helper()
	st := status.Convert(err)
	if st.Code() != code {
		t.Fatalf("status %v, want %v", err, code)
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			if info.GetReason() != reason.String() || info.GetDomain() != "tnassign" {
				t.Errorf("ErrorInfo %v, want reason %s in domain tnassign", info, reason)
			}
			return
		}
	}
	t.Errorf("status %v has no ErrorInfo", err)
}

func (h *harness) served() []string {
	var out []string
	for {
		select {
		case c := <-h.svc.calls:
			out = append(out, c)
		default:
			return out
		}
	}
}

func first(account string, numbers ...string) *tnassignv1.AssignNumbersRequest {
	return &tnassignv1.AssignNumbersRequest{AccountId: account, TelephoneNumbers: numbers}
}
