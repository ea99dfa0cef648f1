package jobs

import (
	"errors"
	"fmt"
	"time"

	"github.com/tnassign/tnassign/bandwidth"
	"github.com/tnassign/tnassign/service/ledger"
)

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

// Config tunes the engine. Zero values take the documented defaults.
type Config struct {
	// Accounts is the allow-list of Bandwidth account ids (digits) the engine works on;
	// required. Jobs for any other account are refused (ErrAccountNotAllowed).
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
	// handed over: this replica stops working on it (see HandedOverError). Default 30 s, at
	// least MinLease.
	Lease time.Duration
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if len(cfg.Accounts) == 0 {
		return cfg, errors.New("jobs: Config.Accounts is empty: no account could be served")
	}
	for _, a := range cfg.Accounts {
		if a == "" || AccountIDProblem(a) != "" {
			return cfg, fmt.Errorf("jobs: Config.Accounts: %q is not a Bandwidth account id (digits)", a)
		}
	}
	switch {
	case cfg.BatchSize < 0 || cfg.BatchSize > bandwidth.MaxNumbersPerOrder:
		return cfg, fmt.Errorf("jobs: Config.BatchSize %d is outside 1-%d", cfg.BatchSize, bandwidth.MaxNumbersPerOrder)
	case cfg.BatchLinger < 0, cfg.MaxInflightPerJob < 0, cfg.MaxInflightOrders < 0:
		return cfg, errors.New("jobs: Config has a negative limit")
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
		return cfg, fmt.Errorf("jobs: Config.Lease %v is shorter than %v", cfg.Lease, MinLease)
	}
	if cfg.ReplicaID == "" {
		cfg.ReplicaID = defaultReplicaID()
	}
	return cfg, nil
}
