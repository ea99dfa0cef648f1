package server

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
)

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestHealthFollowsReadiness: SERVING only while the service is ready, on
// both grpc.health.v1 and /healthz, and NOT_SERVING once shutdown starts.
func TestHealthFollowsReadiness(t *testing.T) {
	svc := newFakeService()
	svc.setReady(errors.New("ledger unreachable"))
	r := startServer(t, svc)
	hc := healthpb.NewHealthClient(r.dial(t))
	grpcStatus := func(service string) healthpb.HealthCheckResponse_ServingStatus {
		resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetStatus()
	}

	waitFor(t, "first readiness check", func() bool { return strings.Contains(r.logs.String(), "not ready") })
	if st := grpcStatus(""); st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("gRPC health %v while not ready, want NOT_SERVING", st)
	}
	if code, body := httpGet(t, "http://"+r.httpAddr+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("/healthz %d %s while not ready, want 503", code, body)
	}

	svc.setReady(nil)
	for _, name := range []string{"", "tnassign.v1.AssignmentService"} {
		waitFor(t, "SERVING for "+name, func() bool { return grpcStatus(name) == healthpb.HealthCheckResponse_SERVING })
	}
	if code, body := httpGet(t, "http://"+r.httpAddr+"/healthz"); code != http.StatusOK || !strings.Contains(body, "SERVING") {
		t.Errorf("/healthz %d %s when ready, want 200 SERVING", code, body)
	}
}

// TestShutdownLetsRunningJobsFinish: a job open when shutdown begins gets
// its finished event, the service's Shutdown is called, and health says
// NOT_SERVING meanwhile.
func TestShutdownLetsRunningJobsFinish(t *testing.T) {
	svc := newFakeService()
	r := startServer(t, svc)
	client := tnassignv1.NewAssignmentServiceClient(r.dial(t))
	stream, err := client.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: "hold", TelephoneNumbers: []string{"9195550001"}}); err != nil {
		t.Fatal(err)
	}
	if ev, err := stream.Recv(); err != nil || ev.GetStarted() == nil {
		t.Fatalf("first event %v, %v: want started", ev, err)
	}

	stopped := make(chan error, 1)
	go func() { stopped <- r.stop() }()
	ev, err := stream.Recv()
	if err != nil || ev.GetFinished() == nil {
		t.Fatalf("after shutdown began: %v, %v; want finished", ev, err)
	}
	if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
		t.Errorf("stream end: %v, want io.EOF (status OK)", err)
	}
	if err := <-stopped; err != nil {
		t.Errorf("Serve returned %v, want nil", err)
	}
	if n := svc.shutdownCount(); n != 1 {
		t.Errorf("Service.Shutdown called %d times, want 1", n)
	}
}

// TestPanicBecomesInternal: a handler panic answers INTERNAL without
// internals, is logged with its stack and counted.
func TestPanicBecomesInternal(t *testing.T) {
	r := startServer(t, newFakeService())
	client := tnassignv1.NewAssignmentServiceClient(r.dial(t))
	stream, err := client.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: "panic"}); err != nil {
		t.Fatal(err)
	}
	_, err = stream.Recv()
	if st := status.Convert(err); st.Code() != codes.Internal || st.Message() != "internal error" {
		t.Errorf("got %v, want INTERNAL \"internal error\"", err)
	}
	if reason, _, found := errorinfo.Of(err); !found || reason != tnassignv1.ErrorReason_INTERNAL {
		t.Errorf("ErrorInfo reason %v (found %v), want INTERNAL like every status", reason, found)
	}
	waitFor(t, "panic log", func() bool { return strings.Contains(r.logs.String(), "fake service panics") })
	if !strings.Contains(r.logs.String(), `"stack":"goroutine`) {
		t.Error("panic logged without its stack")
	}
	_, body := httpGet(t, "http://"+r.httpAddr+"/metrics")
	if !strings.Contains(body, "tnassign_grpc_panics_total 1") {
		t.Error("/metrics does not count the panic")
	}
}

// TestCallLogCarriesJobID: the one log line per call names the method, the
// code and the job id taken from the started event.
func TestCallLogCarriesJobID(t *testing.T) {
	r := startServer(t, newFakeService())
	client := tnassignv1.NewAssignmentServiceClient(r.dial(t))
	stream, err := client.AssignNumbers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&tnassignv1.AssignNumbersRequest{AccountId: "9900000", TelephoneNumbers: []string{"9195550001"}}); err != nil {
		t.Fatal(err)
	}
	if err := stream.CloseSend(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := stream.Recv(); err != nil {
			break
		}
	}
	want := []string{`"msg":"rpc"`, `"method":"/tnassign.v1.AssignmentService/AssignNumbers"`, `"code":"OK"`, `"job_id":"job-1"`, `"account_id":"9900000"`}
	waitFor(t, "call log", func() bool {
		logs := r.logs.String()
		for _, w := range want {
			if !strings.Contains(logs, w) {
				return false
			}
		}
		return true
	})
}

// TestOperationalEndpoints: /metrics carries our names and the runtime
// collectors, and the observers move them; /openapi.json is the spec.
func TestOperationalEndpoints(t *testing.T) {
	r := startServer(t, newFakeService())
	r.metrics.ObserveRequest("create order", 201, 30*time.Millisecond)
	r.metrics.ObserveRetry("get order", "429")
	r.metrics.JobStarted("assign")
	r.metrics.NumbersSettled("assign", "succeeded", 42)
	r.metrics.OrderSettled("assign", "complete")
	r.metrics.OrdersInFlight(2)

	code, body := httpGet(t, "http://"+r.httpAddr+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{
		`tnassign_upstream_requests_total{code="201",op="create order"} 1`,
		`tnassign_upstream_request_duration_seconds_bucket{op="create order",le="0.05"} 1`,
		`tnassign_upstream_retries_total{op="get order",reason="429"} 1`,
		`tnassign_jobs_running 1`,
		`tnassign_numbers_total{action="assign",outcome="succeeded"} 42`,
		`tnassign_orders_total{action="assign",status="complete"} 1`,
		`tnassign_orders_in_flight 2`,
		"go_goroutines", "process_start_time_seconds",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	code, body = httpGet(t, "http://"+r.httpAddr+"/openapi.json")
	if code != http.StatusOK || !strings.Contains(body, `"/v1/numbers:assign"`) {
		t.Errorf("/openapi.json: %d, want 200 and the spec", code)
	}
}
