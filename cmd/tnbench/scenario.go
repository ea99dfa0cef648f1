package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// result is one scenario's measurement.
type result struct {
	profile, scenario string
	numbers           int
	wall              time.Duration
	firsts            []time.Duration // time to first outcome, per stream or per order
	rss               int64           // tnassignd's peak RSS in bytes; 0 when not measured
	cpu               time.Duration   // tnassignd's CPU time during the scenario; 0 when not measured
	note              string
	err               error
}

// rate is the scenario's throughput in numbers per second.
func (r result) rate() float64 {
	if r.err != nil || r.wall <= 0 {
		return 0
	}
	return float64(r.numbers) / r.wall.Seconds()
}

// bench runs the scenarios of one run.
type bench struct {
	opts   options
	alloc  numberAllocator
	ledger string // the --ledger tnassignd runs with, once chosen
	tmp    string // a directory for ledger files
	logf   func(format string, args ...any)
}

// upstreamFor starts bwsim for p (or uses the one given by --bwsim-url) and returns its base URL
// and a func that stops it.
func (b *bench) upstreamFor(ctx context.Context, p profile) (string, func(), error) {
	if b.opts.bwsimURL != "" {
		return b.opts.bwsimURL, func() {}, nil
	}
	proc, url, err := startBwsim(ctx, b.opts.bwsimBin, p.bwsimFlags())
	if err != nil {
		return "", nil, err
	}
	return url, proc.stop, nil
}

// runUpstream measures the ceiling (workers concurrent orders) or the naive way (one at a time,
// no pacing: a sequential client stays under the limit by itself) under p.
func (b *bench) runUpstream(ctx context.Context, p profile, name string, count, workers int, paced bool) result {
	res := result{profile: p.name, scenario: name, numbers: count}
	url, stop, err := b.upstreamFor(ctx, p)
	if err != nil {
		res.err = err
		return res
	}
	defer stop()
	first := b.alloc.take(count)
	orders := make([][]byte, 0, count/orderSize)
	for i := 0; i < count; i += orderSize {
		orders = append(orders, orderXML("tnbench-"+strconv.Itoa(first+i), first+i, min(orderSize, count-i)))
	}
	limit := 0.0
	if paced {
		limit = p.rate
	}
	c := newUpstreamClient(url, workers, limit, int(p.rate), p.poll)
	defer c.close()
	res.wall, res.firsts, res.err = c.runOrders(ctx, orders, workers)
	res.note = upstreamCounts{float64(c.requests.Load()), float64(c.throttled.Load())}.String()
	if workers > 1 {
		res.note = fmt.Sprintf("%d workers, %s", workers, res.note)
	}
	return res
}

// loadFunc runs a tnassign scenario against a daemon's gRPC and HTTP addresses.
type loadFunc func(ctx context.Context, grpcAddr, httpAddr string, first int) (loadResult, error)

// runTnassign measures one tnassign scenario under p: fresh bwsim and tnassignd, the load, and
// tnassignd's peak RSS and CPU time.
func (b *bench) runTnassign(ctx context.Context, p profile, name string, count int, note string, load loadFunc) result {
	res := result{profile: p.name, scenario: name, numbers: count, note: note}
	url, stop, err := b.upstreamFor(ctx, p)
	if err != nil {
		res.err = err
		return res
	}
	defer stop()
	grpcAddr, httpAddr, pid := b.opts.grpcAddr, b.opts.httpAddr, b.opts.serverPID
	if b.opts.bwsimURL == "" {
		d, err := b.startDaemon(ctx, url, p)
		if err != nil {
			res.err = err
			return res
		}
		defer d.stop()
		grpcAddr, httpAddr, pid = d.grpcAddr, d.httpAddr, d.pid()
	}
	var cpu0 time.Duration
	if pid > 0 {
		cpu0, _ = cpuTime(pid)
	}
	before, _ := scrapeUpstream(ctx, httpAddr)
	lr, err := load(ctx, grpcAddr, httpAddr, b.alloc.take(count))
	res.wall, res.firsts, res.err = lr.wall, lr.firsts, err
	if after, err := scrapeUpstream(ctx, httpAddr); err == nil {
		res.note = joinNotes(res.note, upstreamCounts{after.requests - before.requests, after.throttled - before.throttled}.String())
	}
	if pid > 0 {
		if cpu1, err := cpuTime(pid); err == nil {
			res.cpu = cpu1 - cpu0
		}
		res.rss, _ = peakRSS(pid)
	}
	return res
}

// startDaemon starts tnassignd for p with the run's ledger. On the first start of a run with
// --ledger auto it tries a SQLite ledger and falls back to memory:// if this build refuses it.
func (b *bench) startDaemon(ctx context.Context, url string, p profile) (*daemon, error) {
	args := func(ledger string) []string {
		return append(append([]string(nil), p.daemonFlags...), "--ledger", ledger)
	}
	if b.ledger != "" {
		return startDaemon(ctx, b.opts.daemonBin, url, args(b.freshLedger(b.ledger)))
	}
	want := b.opts.ledger
	if want == "auto" {
		want = "sqlite"
	}
	d, err := startDaemon(ctx, b.opts.daemonBin, url, args(b.freshLedger(want)))
	if err != nil && b.opts.ledger == "auto" {
		b.logf("tnassignd refused a SQLite ledger; using memory:// (%v)", firstLine(err.Error()))
		want = "memory://"
		d, err = startDaemon(ctx, b.opts.daemonBin, url, args(want))
	}
	if err == nil {
		b.ledger = want
	}
	return d, err
}

// freshLedger turns "sqlite" into a new database file's URL, so that no scenario inherits another's
// jobs; other ledger URLs are used as given.
func (b *bench) freshLedger(ledger string) string {
	if ledger != "sqlite" {
		return ledger
	}
	dir, err := os.MkdirTemp(b.tmp, "ledger")
	if err != nil {
		return "sqlite://" + filepath.Join(b.tmp, "ledger.db")
	}
	return "sqlite://" + filepath.Join(dir, "tnassign.db")
}

// ledgerLabel names the ledger the run used.
func (b *bench) ledgerLabel() string {
	switch b.ledger {
	case "":
		return "n/a"
	case "sqlite":
		return "SQLite (sqlite://, a fresh file per scenario)"
	}
	return b.ledger
}

// runProfile runs every scenario of p.
func (b *bench) runProfile(ctx context.Context, p profile) []result {
	per := func(total, streams int) int { return (total / streams / perMessage) * perMessage }
	grpc := func(streams, total int) loadFunc {
		return func(ctx context.Context, g, _ string, first int) (loadResult, error) {
			return runGRPC(ctx, g, streams, first, per(total, streams))
		}
	}
	gateway := func(ctx context.Context, _, h string, first int) (loadResult, error) {
		return runGateway(ctx, h, 1, first, p.gateway)
	}
	var out []result
	want := func(name string) bool {
		return b.opts.only == "" || strings.Contains(p.name+"/"+name, b.opts.only)
	}
	step := func(r result) {
		b.logf("  %-28s %s", r.scenario, summary(r))
		out = append(out, r)
	}
	b.logf("%s", p.name)
	if s := "ceiling (direct to bwsim)"; want(s) {
		step(b.runUpstream(ctx, p, s, p.ceiling, p.ceilingWorkers, true))
	}
	if s := "tnassign gRPC, 1 stream"; want(s) {
		step(b.runTnassign(ctx, p, s, p.grpc1, "", grpc(1, p.grpc1)))
	}
	if s, g8 := "tnassign gRPC, 8 streams", per(p.grpc8, 8)*8; want(s) {
		step(b.runTnassign(ctx, p, s, g8, "", grpc(8, g8)))
	}
	if s := "tnassign gateway (NDJSON)"; want(s) {
		step(b.runTnassign(ctx, p, s, p.gateway, "", gateway))
	}
	if s := fmt.Sprintf("naive (sequential, %s poll)", p.poll); want(s) {
		step(b.runUpstream(ctx, p, s, p.naive, 1, false))
	}
	return out
}

// runMemory streams count numbers through one gRPC stream against the slow upstream and reports
// tnassignd's peak RSS.
func (b *bench) runMemory(ctx context.Context, p profile, count int) result {
	r := b.runTnassign(ctx, p, fmt.Sprintf("memory: 1 stream, %s numbers", thousands(count)), count, "",
		func(ctx context.Context, g, _ string, first int) (loadResult, error) {
			return runGRPC(ctx, g, 1, first, count)
		})
	b.logf("%s\n  %-28s %s", p.name, r.scenario, summary(r))
	return r
}

// joinNotes joins non-empty notes with "; ".
func joinNotes(notes ...string) string {
	var out []string
	for _, n := range notes {
		if n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, "; ")
}

// summary is a one-line account of r for the progress log.
func summary(r result) string {
	if r.err != nil {
		return "FAILED: " + firstLine(r.err.Error())
	}
	return fmt.Sprintf("%s numbers in %s: %s numbers/s", thousands(r.numbers), r.wall.Round(time.Millisecond), thousands(int(r.rate())))
}
