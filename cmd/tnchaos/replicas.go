package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials/insecure"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"

	"github.com/tnassign/tnassign/internal/grpchealth"
)

// startTimeout bounds one start of a replica, until its health answers SERVING.
const startTimeout = 30 * time.Second

// replica is one tnassignd of the set: fixed ports and replica id, restarted as new
// incarnations of the same flags.
type replica struct {
	index              int
	name               string // also its --replica-id
	grpcAddr, httpAddr string
	conn               *grpc.ClientConn // kept across incarnations
	client             tnassignv1.AssignmentServiceClient

	mu           sync.Mutex
	proc         *proc
	live         bool // serving, and not being killed
	bouncing     bool // being killed and restarted by the faults
	incarnations int
}

// httpURL is the base URL of the replica's gateway.
func (r *replica) httpURL() string { return "http://" + r.httpAddr }

// replicaSet is the replicas sharing the ledger.
type replicaSet struct {
	bin     string // tnassignd
	kids    *children
	runDir  string
	args    []string // flags every replica gets (its own ports and id are added)
	env     []string
	logf    logFunc
	list    []*replica
	dropped []string // newer flags this tnassignd build lacks (--allow-missing-flags)

	mu      sync.Mutex
	closing bool
	crashes []string // replicas that exited on their own
}

// replicaFlags are the flags of every replica (see the brief in doc.go).
func replicaFlags(o options, sim *simulator, db *database) []string {
	return append([]string{
		"--bandwidth-url", sim.url,
		"--bandwidth-token-url", sim.tokenURL,
		"--accounts", accountID,
		"--ledger", db.dsn,
		"--lease", o.lease.String(),
		"--shutdown-grace", "1s",
		"--bandwidth-timeout", "10s",
		"--max-jobs-per-caller", "0",
		"--max-numbers-per-job", "0",
		"--batch-linger", "200ms",
		"--rate-limit", "50",
		"--log-level", "info",
	}, o.replicaFlags...)
}

// newerReplicaFlags are the flags of tnassignd that older builds lack.
var newerReplicaFlags = []string{"bandwidth-timeout", "max-jobs-per-caller", "max-numbers-per-job"}

// newReplicaSet picks the replicas' ports and client connections; nothing starts yet. missing
// are the newer flags this tnassignd build lacks (see preflight), left out.
func newReplicaSet(o options, kids *children, runDir string, sim *simulator, db *database, missing []string, logf logFunc) (*replicaSet, error) {
	s := &replicaSet{
		bin: o.tnassigndBin, kids: kids, runDir: runDir, logf: logf,
		args: replicaFlags(o, sim, db),
		env:  []string{"TNASSIGN_BANDWIDTH_CLIENT_ID=demo", "TNASSIGN_BANDWIDTH_CLIENT_SECRET=demo"},
	}
	if len(missing) > 0 {
		s.args = dropFlags(s.args, missing)
		s.dropped = missing
	}
	for i := range o.replicas {
		gp, err := freePort()
		if err != nil {
			return nil, err
		}
		hp, err := freePort()
		if err != nil {
			return nil, err
		}
		r := &replica{index: i, name: fmt.Sprintf("r%d", i+1),
			grpcAddr: fmt.Sprintf("127.0.0.1:%d", gp), httpAddr: fmt.Sprintf("127.0.0.1:%d", hp)}
		r.conn, err = grpc.NewClient("passthrough:///"+r.grpcAddr,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: time.Second},
				MinConnectTimeout: 2 * time.Second,
			}))
		if err != nil {
			return nil, err
		}
		r.client = tnassignv1.NewAssignmentServiceClient(r.conn)
		s.list = append(s.list, r)
	}
	return s, nil
}

// startAll starts the first replica (which migrates the empty ledger), then the others.
func (s *replicaSet) startAll(ctx context.Context) error {
	if err := s.start(ctx, s.list[0]); err != nil {
		return err
	}
	errs := make([]error, len(s.list))
	var wg sync.WaitGroup
	for i, r := range s.list[1:] {
		wg.Go(func() { errs[i] = s.start(ctx, r) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// start starts a new incarnation of r and marks it live once its health answers SERVING. It
// tries three times (a port may linger briefly after a kill).
func (s *replicaSet) start(ctx context.Context, r *replica) error {
	var err error
	for try := range 3 {
		if try > 0 {
			if sleep(ctx, time.Second) != nil {
				return err
			}
		}
		if err = s.startOnce(ctx, r); err == nil {
			return nil
		}
		s.logf("%s: start failed (try %d): %v", r.name, try+1, err)
	}
	return fmt.Errorf("%s: %w", r.name, err)
}

// startOnce runs one incarnation of r until it serves.
func (s *replicaSet) startOnce(ctx context.Context, r *replica) error {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing {
		return errors.New("the run is ending")
	}
	r.mu.Lock()
	r.incarnations++
	n := r.incarnations
	r.mu.Unlock()
	args := append([]string{"--grpc-addr", r.grpcAddr, "--http-addr", r.httpAddr, "--replica-id", r.name}, s.args...)
	logPath := filepath.Join(s.runDir, fmt.Sprintf("%s.%d.log", r.name, n))
	p, err := s.kids.start(r.name, s.bin, args, s.env, logPath)
	if err != nil {
		return err
	}
	if err := awaitServing(ctx, r.grpcAddr, p); err != nil {
		p.stop(2 * time.Second)
		return fmt.Errorf("%w\n%s", err, tailFile(logPath, 2000))
	}
	r.conn.ResetConnectBackoff()
	r.mu.Lock()
	r.proc, r.live, r.bouncing = p, true, false
	r.mu.Unlock()
	go s.watch(ctx, r, p)
	return nil
}

// watch notices an incarnation that exits on its own (a crash), records it and restarts it.
func (s *replicaSet) watch(ctx context.Context, r *replica, p *proc) {
	<-p.exited
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	r.mu.Lock()
	crashed := r.proc == p && !r.bouncing && !closing
	if crashed {
		r.live, r.bouncing = false, true // restarting, like after a kill
	}
	r.mu.Unlock()
	if !crashed || ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	s.crashes = append(s.crashes, fmt.Sprintf("%s exited on its own (%s; log %s)", r.name, p.cmd.ProcessState, p.logPath))
	s.mu.Unlock()
	s.logf("%s exited on its own; restarting it", r.name)
	if err := s.start(ctx, r); err != nil {
		s.logf("restarting %s: %v", r.name, err)
	}
}

// live returns the replicas serving now.
func (s *replicaSet) live() []*replica {
	var out []*replica
	for _, r := range s.list {
		r.mu.Lock()
		if r.live {
			out = append(out, r)
		}
		r.mu.Unlock()
	}
	return out
}

// pick returns a random live replica (the first with a nil rng), preferring one other than
// avoid (an index, or -1); it waits while none is live, and returns nil when ctx ends first.
func (s *replicaSet) pick(ctx context.Context, rng *rand.Rand, avoid int) *replica {
	for {
		live := s.live()
		if len(live) > 1 && avoid >= 0 {
			for i, r := range live {
				if r.index == avoid {
					live = append(live[:i], live[i+1:]...)
					break
				}
			}
		}
		switch {
		case len(live) > 0 && rng == nil:
			return live[0]
		case len(live) > 0:
			return live[rng.IntN(len(live))]
		}
		if sleep(ctx, 100*time.Millisecond) != nil {
			return nil
		}
	}
}

// ensureAllLive waits for restarts in progress (within a minute) and starts any replica that is
// still down.
func (s *replicaSet) ensureAllLive(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for _, r := range s.list {
		for {
			r.mu.Lock()
			live, restarting := r.live, r.bouncing
			r.mu.Unlock()
			if live {
				break
			}
			if !restarting || time.Now().After(deadline) {
				if err := s.start(ctx, r); err != nil {
					return err
				}
				break
			}
			if err := sleep(ctx, 100*time.Millisecond); err != nil {
				return err
			}
		}
	}
	return nil
}

// close stops every replica and releases the connections.
func (s *replicaSet) close() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, r := range s.list {
		r.mu.Lock()
		p := r.proc
		r.live = false
		r.mu.Unlock()
		if p != nil {
			wg.Go(func() { p.stop(10 * time.Second) })
		}
	}
	wg.Wait()
	for _, r := range s.list {
		r.conn.Close()
	}
}

// crashed returns the replicas' exits on their own.
func (s *replicaSet) crashed() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.crashes...)
}

// awaitServing waits until the replica p serves at addr; it fails when p exits or startTimeout
// passes.
func awaitServing(ctx context.Context, addr string, p *proc) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	err := grpchealth.Await(ctx, addr, p.exited, 50*time.Millisecond)
	if errors.Is(err, grpchealth.ErrExited) {
		return fmt.Errorf("%s exited while starting (%s)", p.name, p.cmd.ProcessState)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", p.name, err)
	}
	return nil
}
