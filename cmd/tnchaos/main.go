package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// logFunc prints one progress line.
type logFunc func(format string, args ...any)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit statuses.
const (
	exitPass       = 0
	exitViolations = 1
	exitBroken     = 2 // the run itself failed (bad flags, a process would not start, interrupted)
)

// run is tnchaos: set up, load with faults, drain, verify, report. It returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitPass
	}
	if err != nil {
		fmt.Fprintf(stderr, "tnchaos: %v\n", err)
		return exitBroken
	}
	if o.seed == 0 {
		o.seed = time.Now().UnixNano()
	}
	start := time.Now()
	logf := func(format string, args ...any) {
		fmt.Fprintf(stderr, "tnchaos %6.1fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}
	if o.runDir == "" {
		if o.runDir, err = os.MkdirTemp("", "tnchaos-run-"); err != nil {
			logf("%v", err)
			return exitBroken
		}
	} else if err := os.MkdirAll(o.runDir, 0o755); err != nil {
		logf("%v", err)
		return exitBroken
	}
	logf("seed %d; run directory %s", o.seed, o.runDir)

	ctx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	kids := &children{}
	defer kids.stopAll(5 * time.Second) // whatever happens, no child outlives tnchaos
	s, err := chaos(ctx, abort, o, kids, logf)
	if err != nil {
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		logf("run failed: %v", err)
		return exitBroken
	}
	var out writerTo = s.printRun
	out(stdout)
	for _, path := range []string{filepath.Join(o.runDir, "report.md"), o.report} {
		if path != "" {
			if err := writeFile(path, out); err != nil {
				logf("writing %s: %v", path, err)
			}
		}
	}
	if s.findings.total() > 0 {
		return exitViolations
	}
	return exitPass
}

// writerTo writes a report.
type writerTo func(io.Writer)

// writeFile writes a report to path.
func writeFile(path string, write writerTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	write(f)
	return f.Close()
}

// chaos runs the whole experiment and returns its summary; an error means the run could not
// be completed (nothing can be concluded).
func chaos(ctx context.Context, abort context.CancelCauseFunc, o options, kids *children, logf logFunc) (*summary, error) {
	bwsimMissing, daemonMissing, err := preflight(ctx, o, logf)
	if err != nil {
		return nil, err
	}
	db, err := setupDatabase(ctx, o, o.runDir, logf)
	if err != nil {
		return nil, err
	}
	defer db.close()
	sim, err := startSimulator(ctx, o, kids, o.runDir, bwsimMissing, logf)
	if err != nil {
		return nil, err
	}
	defer sim.proc.stop(5 * time.Second)
	set, err := newReplicaSet(o, kids, o.runDir, sim, db, daemonMissing, logf)
	if err != nil {
		return nil, err
	}
	var closeOnce sync.Once
	closeSet := func() { closeOnce.Do(set.close) }
	defer closeSet()
	if err := set.startAll(ctx); err != nil {
		return nil, err
	}
	logf("%d replicas serving on %s; load for %s, a kill every ~%s", o.replicas, db.label, o.duration, o.killEvery)

	rec, stats, fl, loadStart, loadEnd, err := load(ctx, abort, o, set, logf)
	if err != nil {
		return nil, err
	}
	logf("drained: %d units completed, %d failed", stats.Completed, stats.Failed)

	// The ledger settles: every job over. A create bwsim delays may still land: wait it out.
	createsLanded := time.Now().Add(o.createDelayMax + time.Second)
	if n := awaitNoneRunning(ctx, set, o.settleTimeout, logf); n > 0 {
		logf("%d jobs still RUNNING after %s: the checks report them", n, o.settleTimeout)
	}
	if err := sleep(ctx, time.Until(createsLanded)); err != nil {
		return nil, err
	}
	drain := time.Since(loadEnd)
	jobs, err := readLedgerRetrying(ctx, set)
	if err != nil {
		return nil, err
	}
	logf("ledger read: %d jobs; stopping the replicas and bwsim", len(jobs))
	crashes := set.crashed()
	closeSet()
	sim.proc.stop(5 * time.Second)

	s := &summary{
		seed: o.seed, loadStart: loadStart, load: loadEnd.Sub(loadStart), drain: drain,
		database: db.label, replicas: o.replicas, lease: o.lease, callers: o.callers,
		stats: stats, jobs: jobs, faults: fl, crashes: crashes, runDir: o.runDir,
		dropped: append(append([]string(nil), sim.dropped...), set.dropped...),
	}
	if sim.createLog == "" {
		s.createdNote = "this bwsim has no --create-log"
	} else if s.created, err = readCreateLog(sim.createLog); err != nil {
		return nil, err
	}
	if s.logs, err = readReplicaLogs(o.runDir, replicaNames(set)); err != nil {
		return nil, err
	}
	created := make(map[string]time.Time, len(jobs))
	for _, j := range jobs {
		created[j.ID] = j.CreateTime
	}
	s.takeovers = measureTakeovers(fl.kills, s.logs.takeovers, created)
	callers, _ := rec.snapshot()
	for _, j := range callers.Jobs {
		s.seenOutcomes += len(j.Outcomes)
		if j.Finished != nil {
			s.seenFinished++
		}
	}
	s.findings = verify(verifyInput{Ledger: jobs, Callers: callers, Created: s.created})
	for _, c := range crashes {
		s.findings.add(kindCrashed, "%s", c)
	}
	if fl.restartE != nil {
		s.findings.add(kindCrashed, "a replica could not be restarted: %v", fl.restartE)
	}
	return s, nil
}

// load runs the callers and the faults for --duration, then drains: no new units, the units
// in flight finish (within --drain-timeout), every replica runs again.
func load(ctx context.Context, abort context.CancelCauseFunc, o options, set *replicaSet, logf logFunc) (
	rec *record, stats callerStats, fl faultLog, loadStart, loadEnd time.Time, err error,
) {
	inv, err := newInventory(o.prefixes)
	if err != nil {
		return nil, stats, fl, loadStart, loadEnd, err
	}
	gen := &generator{inv: inv, tag: strconv.FormatInt(time.Now().Unix(), 36), minSize: o.minUnit, maxSize: o.maxUnit, unassign: o.unassignShare}
	rec = newRecord()
	client := newHTTPClient(o.callers)
	defer client.CloseIdleConnections()

	loadCtx, stopLoad := context.WithTimeout(ctx, o.duration)
	defer stopLoad()
	workCtx, stopWork := context.WithCancelCause(ctx)
	defer stopWork(nil)
	loadStart = time.Now()
	var callers sync.WaitGroup
	for i := range o.callers {
		c := &caller{index: i, rng: seeded(o.seed, i+1), gen: gen, rec: rec, replicas: set, http: client, gatewayShare: o.gatewayShare, pace: o.pace}
		goSafe(&callers, abort, func() { c.run(loadCtx, workCtx) })
	}
	fl = set.runFaults(loadCtx, ctx, seeded(o.seed, 0), o.killEvery)
	loadEnd = time.Now()
	drainTimer := time.AfterFunc(o.drainTimeout, func() { stopWork(errors.New("--drain-timeout passed")) })
	defer drainTimer.Stop()
	logf("load over: %d kills; %d units so far; draining (at most %s)", len(fl.kills), rec.statsNow().Units, o.drainTimeout)
	if err := set.ensureAllLive(ctx); err != nil {
		stopWork(err)
		callers.Wait()
		return nil, stats, fl, loadStart, loadEnd, err
	}
	callers.Wait()
	if ctx.Err() != nil {
		return nil, stats, fl, loadStart, loadEnd, context.Cause(ctx)
	}
	if err := set.ensureAllLive(ctx); err != nil {
		return nil, stats, fl, loadStart, loadEnd, err
	}
	stats = rec.statsNow()
	return rec, stats, fl, loadStart, loadEnd, nil
}

// seeded returns the random source of stream i of the run (0: the faults; 1…: the callers).
func seeded(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), uint64(i)))
}

// readLedgerRetrying reads the ledger through a live replica, trying others on failure.
func readLedgerRetrying(ctx context.Context, set *replicaSet) ([]*ledgerJob, error) {
	var err error
	for try := range 3 {
		r := set.pick(ctx, nil, -1)
		if r == nil {
			return nil, context.Cause(ctx)
		}
		if try > 0 {
			r = set.list[try%len(set.list)]
		}
		var jobs []*ledgerJob
		if jobs, err = readLedger(ctx, r.client); err == nil {
			return jobs, nil
		}
		if sleep(ctx, time.Second) != nil {
			break
		}
	}
	return nil, fmt.Errorf("reading the ledger: %w", err)
}

// replicaNames lists the replica ids.
func replicaNames(set *replicaSet) []string {
	names := make([]string, len(set.list))
	for i, r := range set.list {
		names[i] = r.name
	}
	return names
}

// goSafe runs fn in a goroutine of wg; a panic aborts the run (so that the cleanup runs and no
// child is left behind) instead of crashing tnchaos.
func goSafe(wg *sync.WaitGroup, abort context.CancelCauseFunc, fn func()) {
	wg.Go(func() {
		defer func() {
			if p := recover(); p != nil {
				abort(fmt.Errorf("panic: %v\n%s", p, debug.Stack()))
			}
		}()
		fn()
	})
}
