package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
)

// Upstream is what the engine needs from Bandwidth; *bandwidth.Client satisfies it.
type Upstream interface {
	// CreateOrder sends one order and returns it as Bandwidth accepted it. The engine passes
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

// Engine runs assignment jobs: it validates and deduplicates their numbers, sends them to
// Bandwidth in bounded, rate-limited orders, records every step in the ledger, reports each
// outcome as an Event, and owns its jobs in the ledger under a lease, taking over those of
// replicas that stopped.
type Engine struct {
	cfg Config
	up  Upstream
	// The ledger, by role: jobs record their life through writes (jobs, settle, recovery),
	// the lease loops hold and claim jobs through leases, recovery and Follow read through
	// reads, and Ready pings ping. New sets them all to the one ledger.Store.
	writes   ledger.JobWriter
	leases   ledger.Leaser
	reads    ledger.JobReader
	ping     ledger.Pinger
	obs      observer
	log      *slog.Logger
	accounts map[string]struct{} // the allow-list
	slots    chan struct{}       // process-wide order slots

	// ctx is the lifetime of the engine: orders settle under it, whatever their callers do.
	// It is cancelled only when Shutdown gives up waiting.
	ctx    context.Context
	cancel context.CancelFunc
	// stopping is cancelled by Shutdown: jobs stop reading and new jobs are refused.
	stopping     context.Context
	stopIntake   context.CancelFunc
	shutdownOnce sync.Once

	work tracker
	// hub wakes followers of the jobs running in this process.
	hub hub
	// holds are this replica's leases on the jobs running in this process.
	holds holds
	// loops runs the lease and recovery loops until stopLoops.
	loops     sync.WaitGroup
	stopLoops context.CancelFunc
}

// New returns an Engine that sends orders through up and records jobs in store. obs may be
// nil; logger nil discards logs. It starts the lease and recovery loops at once (see
// Config.Lease); Shutdown stops them.
func New(cfg Config, up Upstream, store ledger.Store, obs Observer, logger *slog.Logger) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if up == nil {
		return nil, errors.New("jobs: nil Upstream")
	}
	if store == nil {
		return nil, errors.New("jobs: nil ledger.Store")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Engine{
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
		e.accounts[a] = struct{}{}
	}
	e.ctx, e.cancel = context.WithCancel(context.Background())
	e.stopping, e.stopIntake = context.WithCancel(context.Background())
	e.hub.init()
	e.holds.init(leaseMargin(cfg.Lease))
	e.startLoops()
	return e, nil
}

// Serves reports whether accountID is on the engine's allow-list (Config.Accounts).
func (e *Engine) Serves(accountID string) bool {
	_, ok := e.accounts[accountID]
	return ok
}

// Stopping reports whether Shutdown has begun: new jobs are refused with ErrShuttingDown.
func (e *Engine) Stopping() bool { return e.stopping.Err() != nil }

// Shutdown stops taking new jobs (ErrShuttingDown), stops reading running jobs' input (their
// unsent numbers become not submitted, jobs end ABORTED), and waits until in-flight orders
// settle and are recorded, or ctx ends. It then gives up this replica's leases, so that the jobs
// still running in the ledger are taken over at once (by another replica, or by the next start).
//
// When ctx ends first, Shutdown cuts the orders in flight short and returns ctx.Err(). A job
// with an order unsettled is handed over (see HandedOverError): it stays running in the ledger,
// its orders recorded with their Bandwidth ids (or their CustomerOrderId), and the next owner
// polls them to their end and finishes the job. Nothing is recorded as of unknown outcome
// because of a shutdown.
//
// A job whose input is waiting for its caller's next message holds no work: it ends, ABORTED,
// when that message, the end of the input or the caller's cancellation arrives. Shutdown may
// be called more than once.
func (e *Engine) Shutdown(ctx context.Context) error {
	e.shutdownOnce.Do(func() {
		e.log.Info("service shutting down")
		e.work.close()
		e.stopIntake()
	})
	if err := e.work.wait(ctx); err != nil {
		e.log.Warn("shutdown grace ended with orders unsettled; their jobs are handed over")
		e.cancel()
		// Let the jobs see the cut and stop writing before their leases are given up.
		wctx, cancel := context.WithTimeout(context.Background(), handOverWait)
		_ = e.work.wait(wctx)
		cancel()
		e.endLoops()
		return err
	}
	e.endLoops()
	return nil
}

// handOverWait bounds how long a forced Shutdown waits, after cutting orders short, for the
// jobs to hand themselves over (a caller that does not read its events can hold one up).
const handOverWait = 2 * time.Second

// ReplicaID returns the id this replica owns its jobs under in the ledger: Config.ReplicaID,
// or the generated default.
func (e *Engine) ReplicaID() string { return e.cfg.ReplicaID }

// Ready reports whether the engine can take jobs: it is not shutting down and the ledger is
// reachable.
func (e *Engine) Ready(ctx context.Context) error {
	if e.Stopping() {
		return ErrShuttingDown
	}
	if err := e.ping.Ping(ctx); err != nil {
		return fmt.Errorf("jobs: ledger unreachable: %w", err)
	}
	return nil
}
