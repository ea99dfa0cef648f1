package server

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// watchingService is recordingService whose watches send one event and
// then idle, like the watch of a running job, until the caller goes away.
type watchingService struct{ *recordingService }

func (s watchingService) WatchAssignmentJob(_ *tnassignv1.WatchAssignmentJobRequest, stream tnassignv1.AssignmentService_WatchAssignmentJobServer) error {
	if err := stream.Send(&tnassignv1.WatchAssignmentJobResponse{Event: &tnassignv1.WatchAssignmentJobResponse_Started{Started: &tnassignv1.JobStarted{JobId: "j"}}}); err != nil {
		return err
	}
	<-stream.Context().Done()
	return stream.Context().Err()
}

// openWatch starts an HTTP watch and returns once its first line arrived
// (the stream holds its place in the gateway from then on), or its
// answer when the gateway refused it.
func openWatch(t *testing.T, client *http.Client, httpAddr string) (cancel context.CancelFunc, code int, retryAfter, body string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/v1/accounts/9900000/assignmentJobs/j:watch", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		b := new(strings.Builder)
		_, _ = bufio.NewReader(resp.Body).WriteTo(b)
		return cancel, resp.StatusCode, resp.Header.Get("Retry-After"), b.String()
	}
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil {
		t.Fatalf("first line of the watch: %v", err)
	}
	return cancel, resp.StatusCode, "", line
}

// healthz returns /healthz's status code and body.
func healthz(t *testing.T, httpAddr string) (int, healthzBody) {
	t.Helper()
	resp, err := http.Get("http://" + httpAddr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body healthzBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// TestGatewayStreamCap: the gateway carries at most MaxGatewayStreams
// streams and refuses more at once (429, TOO_MANY_JOBS, kind
// gateway_streams, Retry-After); unary calls still pass; health reports the
// saturation on its own service name and in /healthz, the server staying
// SERVING; the room comes back when a stream ends.
func TestGatewayStreamCap(t *testing.T) {
	t.Parallel()
	r := startWith(t, watchingService{newRecordingService()}, Options{Security: Security{MaxGatewayStreams: 2}})
	client := &http.Client{Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	hc := healthpb.NewHealthClient(r.dial(t))
	gatewayHealth := func() healthpb.HealthCheckResponse_ServingStatus {
		resp, err := hc.Check(context.Background(), &healthpb.HealthCheckRequest{Service: GatewayStreamsHealthService})
		if err != nil {
			t.Fatal(err)
		}
		return resp.GetStatus()
	}
	waitFor(t, "the server SERVING", func() bool { code, _ := healthz(t, r.httpAddr); return code == http.StatusOK })
	if st := gatewayHealth(); st != healthpb.HealthCheckResponse_SERVING {
		t.Errorf("gateway streams health %v before any stream", st)
	}

	cancel1, code, _, _ := openWatch(t, client, r.httpAddr)
	defer cancel1()
	cancel2, code2, _, _ := openWatch(t, client, r.httpAddr)
	defer cancel2()
	if code != http.StatusOK || code2 != http.StatusOK {
		t.Fatalf("watches within the cap: %d, %d", code, code2)
	}
	cancel3, code, retry, body := openWatch(t, client, r.httpAddr)
	defer cancel3()
	if code != http.StatusTooManyRequests || retry == "" || !strings.Contains(body, "TOO_MANY_JOBS") || !strings.Contains(body, `"kind":"gateway_streams"`) {
		t.Errorf("a watch over the cap: %d (Retry-After %q) %s", code, retry, body)
	}
	if st, _, body := do(t, client, http.MethodGet, "http://"+r.httpAddr+"/v1/accounts/9900000/assignmentJobs", nil, nil); st != http.StatusOK {
		t.Errorf("a unary call with the gateway full: %d %s", st, body)
	}
	if st := gatewayHealth(); st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("gateway streams health %v when full", st)
	}
	hcode, hbody := healthz(t, r.httpAddr)
	if hcode != http.StatusOK || hbody.Status != "SERVING" || hbody.GatewayStreams == nil ||
		*hbody.GatewayStreams != (gatewayStreamsBody{Status: "NOT_SERVING", InUse: 2, Limit: 2}) {
		t.Errorf("/healthz when full: %d %+v %+v", hcode, hbody, hbody.GatewayStreams)
	}

	_, _, metricsText := do(t, client, http.MethodGet, "http://"+r.httpAddr+"/metrics", nil, nil)
	for _, want := range []string{"tnassign_gateway_streams 2", "tnassign_gateway_streams_refused_total 1"} {
		if !strings.Contains(metricsText, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	cancel1()
	waitFor(t, "room for a stream again", func() bool { return gatewayHealth() == healthpb.HealthCheckResponse_SERVING })
	cancel4, code, _, body := openWatch(t, client, r.httpAddr)
	defer cancel4()
	if code != http.StatusOK {
		t.Errorf("a watch after one ended: %d %s", code, body)
	}
}
