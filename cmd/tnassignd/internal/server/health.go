package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// healthServices are the names grpc.health.v1 answers for: the server as a
// whole ("") and the AssignmentService.
func healthServices() []string {
	return []string{"", tnassignv1.AssignmentService_ServiceDesc.ServiceName}
}

// readiness keeps grpc.health.v1 in step with the service: SERVING only
// while Ready says the service's dependencies are ready, NOT_SERVING from
// the start of a shutdown on.
type readiness struct {
	health   *health.Server
	ready    func(context.Context) error
	interval time.Duration
	log      *slog.Logger
	// gatewayStreams, once set, reports the JSON gateway's streams in use
	// and their limit, for /healthz.
	gatewayStreams func() (inUse, limit int)
}

// newReadiness starts NOT_SERVING; run turns it SERVING.
func newReadiness(ready func(context.Context) error, interval time.Duration, log *slog.Logger) *readiness {
	r := &readiness{health: health.NewServer(), ready: ready, interval: interval, log: log}
	r.set(healthpb.HealthCheckResponse_NOT_SERVING)
	return r
}

// run checks readiness now and then every interval until ctx ends.
func (r *readiness) run(ctx context.Context) {
	t := time.NewTicker(r.interval)
	defer t.Stop()
	last := healthpb.HealthCheckResponse_UNKNOWN
	for {
		st, err := r.check(ctx)
		if ctx.Err() != nil {
			return
		}
		if st != last {
			r.set(st)
			if err != nil {
				r.log.Warn("not ready", "status", st.String(), "reason", err.Error())
			} else {
				r.log.Info("ready", "status", st.String())
			}
			last = st
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// check asks the service once, bounded in time.
func (r *readiness) check(ctx context.Context) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ctx, cancel := context.WithTimeout(ctx, min(r.interval, 5*time.Second))
	defer cancel()
	if err := r.ready(ctx); err != nil {
		return healthpb.HealthCheckResponse_NOT_SERVING, err
	}
	return healthpb.HealthCheckResponse_SERVING, nil
}

func (r *readiness) set(st healthpb.HealthCheckResponse_ServingStatus) {
	for _, svc := range healthServices() {
		r.health.SetServingStatus(svc, st)
	}
}

// shutdown turns every service NOT_SERVING for good.
func (r *readiness) shutdown() { r.health.Shutdown() }

// status reports the overall serving status.
func (r *readiness) status(ctx context.Context) healthpb.HealthCheckResponse_ServingStatus {
	resp, err := r.health.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN
	}
	return resp.GetStatus()
}

// healthzBody is the answer of GET /healthz.
type healthzBody struct {
	// Status is the server's grpc.health.v1 status.
	Status string `json:"status"`
	// GatewayStreams is the JSON gateway's room for streaming calls; it
	// does not change Status (see GatewayStreamsHealthService).
	GatewayStreams *gatewayStreamsBody `json:"gatewayStreams,omitempty"`
}

type gatewayStreamsBody struct {
	Status string `json:"status"` // GatewayStreamsHealthService's
	InUse  int    `json:"inUse"`
	Limit  int    `json:"limit"`
}

// ServeHTTP is GET /healthz: 200 {"status":"SERVING",…} when ready, 503
// with the status otherwise. It reports the same state as grpc.health.v1,
// and the JSON gateway's streams in use: a gateway that takes no more
// streaming calls (gatewayStreams.status NOT_SERVING) still answers 200.
func (r *readiness) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	st := r.status(req.Context())
	code := http.StatusOK
	if st != healthpb.HealthCheckResponse_SERVING {
		code = http.StatusServiceUnavailable
	}
	body := healthzBody{Status: st.String()}
	if r.gatewayStreams != nil {
		gs := &gatewayStreamsBody{Status: healthpb.HealthCheckResponse_UNKNOWN.String()}
		gs.InUse, gs.Limit = r.gatewayStreams()
		if resp, err := r.health.Check(req.Context(), &healthpb.HealthCheckRequest{Service: GatewayStreamsHealthService}); err == nil {
			gs.Status = resp.GetStatus().String()
		}
		body.GatewayStreams = gs
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(body)
}
