package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// goBench is one `go test -bench` invocation.
type goBench struct {
	pkg, pattern, benchtime string
}

// goBenches lists the hot-path benchmarks a run includes. Packages or benchmarks that do not
// exist in the tree are skipped (the ledger's benchmarks, for example, come with its driver).
func goBenches(full bool) []goBench {
	short, calls := "100ms", "3x"
	if full {
		short, calls = "1s", "5x"
	}
	list := []goBench{
		{"./service/", "^Benchmark(Normalize|NumberSet|NumberSetSparse|Batcher)$", short},
		{"./bandwidth/", "^Benchmark(EncodeOrder|EncodeOrderStdlib|DecodeOrderResponse|DecodeOrderResponseStrict)$", short},
		{"./bandwidth/bwsim/", "^Benchmark(CreateOrder|GetOrder)$", short},
		{"./service/ledger/...", ".", short},
		{"./service/", "^Benchmark(AssignThroughput|LedgerCost)$", calls},
	}
	if full {
		list = append(list, goBench{"./service/", "^BenchmarkAssignPeakHeap$", "1x"})
	}
	return list
}

// goBenchResult is one benchmark's line of output.
type goBenchResult struct {
	pkg, name string
	metrics   map[string]string // unit → value, e.g. "ns/op" → "48937"
}

// goBenchRun is the outcome of running goBenches: results, and a note per invocation that failed.
type goBenchRun struct {
	results []goBenchResult
	errors  []string
}

// runGoBenches runs each benchmark invocation in dir with a time limit, collecting results and
// carrying on past failures (a package mid-change elsewhere must not sink the whole report).
func runGoBenches(ctx context.Context, dir string, list []goBench, logf func(string, ...any)) goBenchRun {
	var run goBenchRun
	for _, gb := range list {
		logf("  go test -bench '%s' -benchtime %s %s", gb.pattern, gb.benchtime, gb.pkg)
		cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		cmd := exec.CommandContext(cctx, "go", "test", "-run", "^$", "-bench", gb.pattern,
			"-benchtime", gb.benchtime, "-benchmem", "-count", "1", gb.pkg)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		cancel()
		res := parseGoBench(out)
		if err != nil {
			if bytes.Contains(out, []byte("matched no packages")) {
				continue
			}
			run.errors = append(run.errors, fmt.Sprintf("`%s` %s: %s", gb.pkg, err, firstLine(strings.TrimSpace(string(out)))))
		}
		run.results = append(run.results, res...)
	}
	return run
}

// parseGoBench reads `go test -bench` output: "pkg:" lines name the package of the benchmark
// lines that follow, which are a name, an iteration count and value–unit pairs.
func parseGoBench(out []byte) []goBenchResult {
	var res []goBenchResult
	pkg := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "github.com/tnassign/tnassign/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		r := goBenchResult{pkg: pkg, name: trimProcs(f[0]), metrics: map[string]string{}}
		for i := 2; i+1 < len(f); i += 2 {
			r.metrics[f[i+1]] = f[i]
		}
		res = append(res, r)
	}
	return res
}

// trimProcs drops the -GOMAXPROCS suffix of a benchmark name.
func trimProcs(name string) string {
	if i := strings.LastIndexByte(name, '-'); i > 0 && strings.Trim(name[i+1:], "0123456789") == "" {
		return name[:i]
	}
	return name
}

// goBenchRows renders the results: numbers/s, time and allocations per operation, then any
// further metrics the benchmark reports.
func goBenchRows(results []goBenchResult) [][]string {
	var rows [][]string
	for _, r := range results {
		num := "—"
		if v, ok := r.metrics["numbers/s"]; ok {
			num = humanFloat(v)
		}
		var extra []string
		for unit, v := range r.metrics {
			switch unit {
			case "numbers/s", "ns/op", "B/op", "allocs/op", "MB/s":
			default:
				extra = append(extra, humanFloat(v)+" "+unit)
			}
		}
		slices.Sort(extra)
		rows = append(rows, []string{"`" + r.name + "`", "`" + r.pkg + "`", num,
			humanFloat(r.metrics["ns/op"]), humanFloat(r.metrics["B/op"]), r.metrics["allocs/op"], strings.Join(extra, ", ")})
	}
	return rows
}

// goBenchHeader names the Go benchmark table's columns.
var goBenchHeader = []string{"benchmark", "package", "numbers/s", "ns/op", "B/op", "allocs/op", "other"}
