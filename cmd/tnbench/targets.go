package main

import (
	"fmt"
	"strings"
)

// target is one of issue 8's performance targets and where the run stands.
type target struct {
	what, measured, verdict string
}

// memoryTargetMiB is the most tnassignd may hold (peak RSS) while one stream pushes 5,000,000
// numbers through a slow upstream.
const memoryTargetMiB = 150

// evaluate checks the run's results against the targets. Ratios compare figures of the same run.
func evaluate(zero, realistic string, results []result, mem *result, full bool, ledger string) []target {
	find := func(profile, prefix string) *result {
		for i := range results {
			r := &results[i]
			if r.profile == profile && strings.HasPrefix(r.scenario, prefix) && r.err == nil {
				return r
			}
		}
		return nil
	}
	var out []target
	ratio := func(what string, a, b *result, want float64, extra string) {
		t := target{what: what, verdict: "not measured"}
		if a != nil && b != nil && b.rate() > 0 {
			got := a.rate() / b.rate()
			t.measured = fmt.Sprintf("%.2f (%s / %s numbers/s)%s", got, thousands(int(a.rate())), thousands(int(b.rate())), extra)
			t.verdict = verdict(got >= want)
		}
		out = append(out, t)
	}
	zc := find(zero, "ceiling")
	for _, s := range []string{"tnassign gRPC, 1 stream", "tnassign gRPC, 8 streams"} {
		g := find(zero, s)
		ratio("zero latency, "+ledger+" ledger: "+s+" ≥ 0.50 × ceiling", g, zc, 0.5, "")
		t := target{what: "zero latency, " + ledger + " ledger: " + s + " ≥ 500,000 numbers/s", verdict: "not measured"}
		if g != nil {
			t.measured = thousands(int(g.rate())) + " numbers/s"
			t.verdict = verdict(g.rate() >= 500_000)
		}
		out = append(out, t)
	}
	ratio("zero latency: gateway ≥ 0.30 × gRPC (1 stream each)", find(zero, "tnassign gateway"), find(zero, "tnassign gRPC, 1 stream"), 0.3, "")
	rc := find(realistic, "ceiling")
	for _, s := range []string{"tnassign gRPC, 1 stream", "tnassign gRPC, 8 streams", "tnassign gateway"} {
		ratio("realistic: "+s+" ≥ 0.90 × ceiling", find(realistic, s), rc, 0.9, "")
	}
	ratio("realistic: tnassign gRPC, 1 stream ≥ 4 × naive", find(realistic, "tnassign gRPC, 1 stream"), find(realistic, "naive"), 4, "")
	t := target{what: fmt.Sprintf("memory: peak RSS < %d MiB, one stream of 5,000,000 numbers through a slow upstream", memoryTargetMiB), verdict: "not measured"}
	if mem != nil && mem.err == nil && mem.rss > 0 {
		t.measured = fmt.Sprintf("%.0f MiB for %s numbers", float64(mem.rss)/(1<<20), thousands(mem.numbers))
		t.verdict = verdict(mem.rss < memoryTargetMiB<<20)
		if !full {
			t.verdict += " (quick run: fewer numbers; `--full` sends 5,000,000)"
		}
	}
	out = append(out, t)
	return out
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "**missed**"
}

// targetRows renders the targets as table rows.
func targetRows(ts []target) [][]string {
	rows := make([][]string, len(ts))
	for i, t := range ts {
		rows[i] = []string{t.what, t.measured, t.verdict}
	}
	return rows
}
