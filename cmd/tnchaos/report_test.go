package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReport(t *testing.T) {
	t.Parallel()
	in := scenario()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := &summary{
		seed: 42, loadStart: t0, load: 30 * time.Second, drain: 12 * time.Second, database: "PostgreSQL 15", replicas: 3,
		lease: 3 * time.Second, callers: 6, jobs: in.Ledger, created: in.Created, runDir: "/tmp/run",
		stats:  callerStats{Units: 2, Numbers: 1234567, Failures: map[string]int{"Unavailable": 3, "Unavailable JOB_HANDED_OVER": 5}},
		faults: faultLog{kills: []killEvent{{Replica: "r1", At: t0.Add(time.Second), Signal: syscall.SIGKILL}, {Replica: "r2", At: t0.Add(2 * time.Second), Signal: syscall.SIGTERM}}},
		takeovers: takeoverStats{Count: 2, Attributed: 1, Longest: 3200 * time.Millisecond,
			LongestBy: takeover{JobID: "A", By: "r3"}, LongestOf: killEvent{Replica: "r1", At: t0.Add(time.Second), Signal: syscall.SIGKILL}},
	}
	s.findings = verify(in)
	var b strings.Builder
	s.printRun(&b)
	out := b.String()
	for _, want := range []string{
		"| duration | 30s of load, then 12s of drain (seed 42) |",
		"1,234,567 generated",
		"2: 1 SIGKILL, 1 SIGTERM",
		"5 Unavailable JOB_HANDED_OVER, 3 Unavailable",
		"longest 3.2s: job A of r1, SIGKILL at +1s, taken over by r3",
		"2 orders with 3 numbers",
		"2 in the ledger: 1 succeeded, 0 partial, 0 failed, 1 aborted, 0 running",
		"**PASS**",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	s.findings.add(kindLost, "9195000009 lost")
	b.Reset()
	s.printRun(&b)
	if out := b.String(); !strings.Contains(out, "VIOLATION lost numbers") || !strings.Contains(out, "**FAIL**") {
		t.Errorf("a violation is not reported:\n%s", out)
	}
	s.created = nil
	if !strings.Contains(s.markdown(), "NOT CHECKED") {
		t.Error("a missing create log is not reported")
	}
}
