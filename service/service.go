package service

import (
	"context"
	"errors"
	"log/slog"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
	"github.com/tnassign/tnassign/service/ledger"
)

// Config tunes the job engine behind the service; see jobs.Config.
type Config = jobs.Config

// Upstream is what the engine needs from Bandwidth; see jobs.Upstream.
type Upstream = jobs.Upstream

// Observer receives the engine's events for metrics; see jobs.Observer.
type Observer = jobs.Observer

// Service implements tnassignv1.AssignmentServiceServer over a job engine (service/jobs): it
// checks requests, starts and follows jobs, reads the ledger for the job RPCs, and turns
// domain values and errors into the API's.
type Service struct {
	tnassignv1.UnimplementedAssignmentServiceServer

	engine *jobs.Engine
	// reads is the ledger's read side, for the job RPCs.
	reads ledger.JobReader
	log   *slog.Logger
}

var _ tnassignv1.AssignmentServiceServer = (*Service)(nil)

// New returns a Service whose engine sends orders through up and records jobs in store. obs
// may be nil; logger nil discards logs. The engine starts its lease and recovery loops at once
// (see jobs.Config.Lease); Shutdown stops them.
func New(cfg Config, up Upstream, store ledger.Store, obs Observer, logger *slog.Logger) (*Service, error) {
	if store == nil {
		return nil, errors.New("service: nil ledger.Store")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e, err := jobs.New(cfg, up, store, obs, logger)
	if err != nil {
		return nil, err
	}
	return &Service{engine: e, reads: store, log: logger}, nil
}

// Shutdown stops taking new jobs (they get UNAVAILABLE), stops reading running streams (their
// unsent numbers become not submitted, jobs end ABORTED), and waits until in-flight orders settle
// and are recorded, or ctx ends. It then gives up this replica's leases, so that the jobs still
// running in the ledger are taken over at once (by another replica, or by the next start).
//
// When ctx ends first, Shutdown cuts the orders in flight short and returns ctx.Err(). A job with
// an order unsettled is handed over: it stays running in the ledger and the next owner finishes
// it. Its caller's stream ends without `finished`, with UNAVAILABLE and the ErrorInfo reason
// JOB_HANDED_OVER naming the job, which the caller follows with WatchAssignmentJob. Nothing is
// recorded as of unknown outcome because of a shutdown.
//
// A job whose handler is waiting for the caller's next message holds no work: it ends, ABORTED,
// when that message, the half-close or the cancellation arrives. Stopping the gRPC server cancels
// it. Shutdown may be called more than once.
func (s *Service) Shutdown(ctx context.Context) error { return s.engine.Shutdown(ctx) }

// ReplicaID returns the id this replica owns its jobs under in the ledger: Config.ReplicaID,
// or the generated default.
func (s *Service) ReplicaID() string { return s.engine.ReplicaID() }

// Ready reports whether the service can take jobs: it is not shutting down and the ledger is
// reachable.
func (s *Service) Ready(ctx context.Context) error { return s.engine.Ready(ctx) }
