// Package grpchealth waits for a gRPC server that a tool or test started to report itself ready
// through the standard health service (grpc.health.v1).
package grpchealth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// ErrExited is returned by Await when the server's process exited before it was SERVING.
var ErrExited = errors.New("grpchealth: the process exited while starting")

// Await polls the health service at addr (plaintext: a local process) every poll until it
// answers SERVING for the whole server, and returns nil then. It fails when ctx ends first, or
// with ErrExited when exited (the process's exit; nil for none) is closed first.
func Await(ctx context.Context, addr string, exited <-chan struct{}, poll time.Duration) error {
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	for {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		resp, err := health.Check(cctx, &healthpb.HealthCheckRequest{})
		cancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			return nil
		}
		t := time.NewTimer(poll)
		select {
		case <-exited:
			t.Stop()
			return ErrExited
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("grpchealth: not SERVING at %s: %w (last check: %v)", addr, ctx.Err(), err)
		case <-t.C:
		}
	}
}
