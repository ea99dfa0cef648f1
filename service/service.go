package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// Upstream is what the pipeline needs from Bandwidth; *bandwidth.Client satisfies it.
type Upstream interface {
	// CreateOrder sends one order and returns it as Bandwidth accepted it. The pipeline passes
	// bandwidth.BeforeEachAttempt to record every attempt in the ledger before it is sent.
	CreateOrder(ctx context.Context, accountID string, o bandwidth.Order, opts ...bandwidth.CreateOption) (*bandwidth.OrderResponse, error)
	// AwaitOrder polls an order until its status is final.
	AwaitOrder(ctx context.Context, accountID, orderID string) (*bandwidth.OrderResponse, error)
	// FindOrder returns the newest order created with the CustomerOrderId, or an error matching
	// bandwidth.ErrNotFound when Bandwidth has none. Recovery uses it before resending a batch
	// whose creation was never confirmed.
	FindOrder(ctx context.Context, accountID, customerOrderID string) (*bandwidth.OrderResponse, error)
	// CreateLookupWindow is how long after a create attempt can no longer be in flight the order
	// it created may still take to become visible to FindOrder (see bandwidth.Client.CreateOrder).
	CreateLookupWindow() time.Duration
}

var _ Upstream = (*bandwidth.Client)(nil)

// Defaults and limits of Config.
const (
	// DefaultBatchSize is the default and the largest number of numbers per Bandwidth order.
	DefaultBatchSize = bandwidth.MaxNumbersPerOrder
	// DefaultBatchLinger is how long a partial batch waits for more numbers by default.
	DefaultBatchLinger = time.Second
	// DefaultMaxInflightPerJob is the default number of orders one job has in flight.
	DefaultMaxInflightPerJob = 4
	// DefaultMaxInflightOrders is the default number of orders the process has in flight.
	DefaultMaxInflightOrders = 64
	// DefaultLease is how long a replica owns its running jobs without renewing the lease.
	DefaultLease = ledger.DefaultLease
	// MinLease is the shortest lease Config accepts: renewals run every third of it.
	MinLease = 300 * time.Millisecond
)

// Config tunes the pipeline. Zero values take the documented defaults.
type Config struct {
	// Accounts is the allow-list of Bandwidth account ids (digits) the service works on;
	// required. Calls for any other account are PERMISSION_DENIED.
	Accounts []string
	// BatchSize is the number of numbers per order; default and maximum 5,000.
	BatchSize int
	// BatchLinger flushes a partial batch after this long without new numbers; default 1 s.
	BatchLinger time.Duration
	// MaxInflightPerJob bounds the orders one job has in flight; default 4.
	MaxInflightPerJob int
	// MaxInflightOrders bounds the orders the whole process has in flight; default 64.
	MaxInflightOrders int
	// ReplicaID names this process as the owner of the jobs it runs in the ledger; replicas
	// sharing a ledger need distinct ids. Default: hostname, process id and a random suffix, so
	// a restarted process is a new owner.
	ReplicaID string
	// Lease is how long this replica owns its running jobs without renewal: it renews them every
	// Lease/3 (at most every 10 s), and claims the jobs of replicas (or earlier runs of itself)
	// whose lease ended. A job whose replica died is taken over within about one Lease. A job
	// whose renewals fail for most of a Lease, or that another replica claimed meanwhile, is
	// handed over: this replica stops working on it (see Shutdown for what its caller sees).
	// Default 30 s, at least MinLease.
	Lease time.Duration
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Accounts) == 0 {
		return cfg, errors.New("service: Config.Accounts is empty: no account could be served")
	}
	for _, a := range cfg.Accounts {
		if a == "" || accountIDProblem(a) != "" {
			return cfg, fmt.Errorf("service: Config.Accounts: %q is not a Bandwidth account id (digits)", a)
		}
	}
	switch {
	case cfg.BatchSize < 0 || cfg.BatchSize > bandwidth.MaxNumbersPerOrder:
		return cfg, fmt.Errorf("service: Config.BatchSize %d is outside 1-%d", cfg.BatchSize, bandwidth.MaxNumbersPerOrder)
	case cfg.BatchLinger < 0, cfg.MaxInflightPerJob < 0, cfg.MaxInflightOrders < 0:
		return cfg, errors.New("service: Config has a negative limit")
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.BatchLinger == 0 {
		cfg.BatchLinger = DefaultBatchLinger
	}
	if cfg.MaxInflightPerJob == 0 {
		cfg.MaxInflightPerJob = DefaultMaxInflightPerJob
	}
	if cfg.MaxInflightOrders == 0 {
		cfg.MaxInflightOrders = DefaultMaxInflightOrders
	}
	if cfg.Lease == 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.Lease < MinLease {
		return cfg, fmt.Errorf("service: Config.Lease %v is shorter than %v", cfg.Lease, MinLease)
	}
	if cfg.ReplicaID == "" {
		cfg.ReplicaID = defaultReplicaID()
	}
	return cfg, nil
}

// Observer receives pipeline events for metrics; nil means none. Methods must be cheap and safe
// for concurrent use.
type Observer interface {
	// JobStarted is called when a job starts; action is "assign" or "unassign".
	JobStarted(action string)
	// JobFinished is called when a job ends in this process; state is "succeeded", "partial",
	// "failed" or "aborted", or "handed_over" for a job left running in the ledger for another
	// replica or the next start to finish.
	JobFinished(action string, state string)
	// NumbersSettled counts n numbers reaching an outcome: "succeeded", "failed", "rejected" or
	// "not_submitted".
	NumbersSettled(action string, outcome string, n int)
	// OrderSettled is called when a Bandwidth order settles; status is "complete", "partial" or
	// "failed".
	OrderSettled(action string, status string)
	// OrdersInFlight adds delta to the number of orders in flight.
	OrdersInFlight(delta int)
}

// Service implements tnassignv1.AssignmentServiceServer's streaming methods: it validates and
// deduplicates the numbers a caller streams, sends them to Bandwidth in bounded, rate-limited
// orders, records every outcome in the ledger and streams it back.
type Service struct {
	tnassignv1.UnimplementedAssignmentServiceServer

	cfg Config
	up  Upstream
	// The ledger, by role: jobs record their life through writes (jobs, settle, recovery),
	// the lease loops hold and claim jobs through leases, the read RPCs and watchers read
	// through reads, and Ready pings ping. New sets them all to the one ledger.Store.
	writes   ledger.JobWriter
	leases   ledger.Leaser
	reads    ledger.JobReader
	ping     ledger.Pinger
	obs      observer
	log      *slog.Logger
	accounts map[string]struct{} // the allow-list
	slots    chan struct{}       // process-wide order slots

	// ctx is the lifetime of the service: orders settle under it, whatever their callers do.
	// It is cancelled only when Shutdown gives up waiting.
	ctx    context.Context
	cancel context.CancelFunc
	// stopping is cancelled by Shutdown: jobs stop reading and new calls are refused.
	stopping     context.Context
	stopIntake   context.CancelFunc
	shutdownOnce sync.Once

	work tracker
	// hub wakes watchers of the jobs running in this process.
	hub hub
	// holds are this replica's leases on the jobs running in this process.
	holds holds
	// loops runs the lease and recovery loops until stopLoops.
	loops     sync.WaitGroup
	stopLoops context.CancelFunc
}

var _ tnassignv1.AssignmentServiceServer = (*Service)(nil)

// New returns a Service that sends orders through up and records jobs in store. obs may be nil;
// logger nil discards logs. It starts the lease and recovery loops at once (see Config.Lease);
// Shutdown stops them.
func New(cfg Config, up Upstream, store ledger.Store, obs Observer, logger *slog.Logger) (*Service, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if up == nil {
		return nil, errors.New("service: nil Upstream")
	}
	if store == nil {
		return nil, errors.New("service: nil ledger.Store")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{
		cfg:      cfg,
		up:       up,
		writes:   store,
		leases:   store,
		reads:    store,
		ping:     store,
		obs:      observer{obs},
		log:      logger,
		accounts: make(map[string]struct{}, len(cfg.Accounts)),
		slots:    make(chan struct{}, cfg.MaxInflightOrders),
	}
	for _, a := range cfg.Accounts {
		s.accounts[a] = struct{}{}
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.stopping, s.stopIntake = context.WithCancel(context.Background())
	s.hub.init()
	s.holds.init(leaseMargin(cfg.Lease))
	s.startLoops()
	return s, nil
}

// Shutdown stops taking new jobs (they get UNAVAILABLE), stops reading running streams (their
// unsent numbers become not submitted, jobs end ABORTED), and waits until in-flight orders settle
// and are recorded, or ctx ends. It then gives up this replica's leases, so that the jobs still
// running in the ledger are taken over at once (by another replica, or by the next start).
//
// When ctx ends first, Shutdown cuts the orders in flight short and returns ctx.Err(). A job with
// an order unsettled is handed over: it stays running in the ledger, its orders recorded with
// their Bandwidth ids (or their CustomerOrderId), and the next owner polls them to their end and
// finishes the job. Its caller's stream ends without `finished`, with UNAVAILABLE and the
// ErrorInfo reason JOB_HANDED_OVER naming the job, which the caller follows with
// WatchAssignmentJob. Nothing is recorded as of unknown outcome because of a shutdown.
//
// A job whose handler is waiting for the caller's next message holds no work: it ends, ABORTED,
// when that message, the half-close or the cancellation arrives. Stopping the gRPC server cancels
// it. Shutdown may be called more than once.
func (s *Service) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.log.Info("service shutting down")
		s.work.close()
		s.stopIntake()
	})
	if err := s.work.wait(ctx); err != nil {
		s.log.Warn("shutdown grace ended with orders unsettled; their jobs are handed over")
		s.cancel()
		// Let the jobs see the cut and stop writing before their leases are given up.
		wctx, cancel := context.WithTimeout(context.Background(), handOverWait)
		_ = s.work.wait(wctx)
		cancel()
		s.endLoops()
		return err
	}
	s.endLoops()
	return nil
}

// handOverWait bounds how long a forced Shutdown waits, after cutting orders short, for the
// jobs to hand themselves over (a caller that does not read its stream can hold one up).
const handOverWait = 2 * time.Second

// ReplicaID returns the id this replica owns its jobs under in the ledger: Config.ReplicaID,
// or the generated default.
func (s *Service) ReplicaID() string { return s.cfg.ReplicaID }

// Ready reports whether the service can take jobs: it is not shutting down and the ledger is
// reachable.
func (s *Service) Ready(ctx context.Context) error {
	if s.stopping.Err() != nil {
		return errShuttingDown
	}
	if err := s.ping.Ping(ctx); err != nil {
		return fmt.Errorf("service: ledger unreachable: %w", err)
	}
	return nil
}

// tracker counts busy work: jobs not parked waiting for their caller, and orders in flight.
type tracker struct {
	mu     sync.Mutex
	n      int
	idle   chan struct{} // closed when n drops to 0; replaced when it rises again
	closed bool          // no new orders may start
}

// close refuses new work: tryStart fails from now on.
func (t *tracker) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
}

// tryStart counts new work (an order, a background job, a recovery) as busy, unless the
// tracker is closed.
func (t *tracker) tryStart() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.addLocked(1)
	return true
}

func (t *tracker) add(delta int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.addLocked(delta)
}

func (t *tracker) addLocked(delta int) {
	if t.n == 0 && delta > 0 {
		t.idle = make(chan struct{})
	}
	t.n += delta
	if t.n == 0 && t.idle != nil {
		close(t.idle)
	}
}

// wait returns when no work is busy, or ctx's error.
func (t *tracker) wait(ctx context.Context) error {
	t.mu.Lock()
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	idle := t.idle
	t.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// observer makes a nil Observer a no-op.
type observer struct{ o Observer }

func (o observer) jobStarted(action string) {
	if o.o != nil {
		o.o.JobStarted(action)
	}
}

func (o observer) jobFinished(action, state string) {
	if o.o != nil {
		o.o.JobFinished(action, state)
	}
}

func (o observer) numbersSettled(action, outcome string, n int) {
	if o.o != nil && n > 0 {
		o.o.NumbersSettled(action, outcome, n)
	}
}

func (o observer) orderSettled(action, status string) {
	if o.o != nil {
		o.o.OrderSettled(action, status)
	}
}

func (o observer) ordersInFlight(delta int) {
	if o.o != nil {
		o.o.OrdersInFlight(delta)
	}
}
