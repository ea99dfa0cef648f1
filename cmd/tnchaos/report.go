package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"syscall"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// summary is everything the report shows.
type summary struct {
	seed         int64
	loadStart    time.Time
	load, drain  time.Duration
	database     string
	replicas     int
	lease        time.Duration
	callers      int
	stats        callerStats
	jobs         []*ledgerJob
	faults       faultLog
	crashes      []string
	logs         replicaLogs
	takeovers    takeoverStats
	created      []createdOrder // nil: not recorded
	createdNote  string         // why not
	dropped      []string       // flags the binaries lacked
	findings     *findings
	seenFinished int // jobs whose `finished` a caller saw
	seenOutcomes int // outcomes callers saw, compared with the ledger
	runDir       string
}

// markdown renders the report as a Markdown table.
func (s *summary) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## tnchaos: %d replicas on one ledger, kills and restarts\n\n", s.replicas)
	fmt.Fprintln(&b, "| what | result |")
	fmt.Fprintln(&b, "| --- | --- |")
	row := func(k, format string, args ...any) { fmt.Fprintf(&b, "| %s | %s |\n", k, fmt.Sprintf(format, args...)) }
	row("duration", "%s of load, then %s of drain (seed %d)", round(s.load), round(s.drain), s.seed)
	row("replicas", "%d on %s, lease %s", s.replicas, s.database, s.lease)
	st := s.stats
	row("callers", "%d: %s fresh job units and %s follow-ups; %s calls (%s through the gateway), %s of them retries (at most %d attempts for a unit); %s units settled by a retried call (a replay), %s by JOB_HANDED_OVER with numbers_read; %s units failed",
		s.callers, num(st.Units), num(st.FollowUps), num(st.Calls), num(st.GatewayCalls), num(st.Retries), st.MaxAttempts,
		num(st.ReplayedCalls), num(st.HandOvers), num(st.Failed))
	row("call failures", "%s", failureText(st.Failures))
	row("jobs", "%s", s.jobStates())
	c := s.totals()
	row("numbers", "%s generated (%s entries with invalid texts and second spellings), %s sent with resends; %s received: %s succeeded, %s failed, %s rejected, %s not submitted",
		num(st.Numbers), num(st.Entries), num(st.EntriesSent), num(c.Received), num(c.Succeeded), num(c.Failed), num(c.Rejected), num(c.NotSubmitted))
	row("kills", "%s", s.kills())
	row("takeovers", "%s", s.takeoverText())
	row("hand-overs", "%s jobs left unfinished by a replica for another (replica logs)", num(s.logs.handedOver))
	if s.created != nil {
		n := 0
		for _, o := range s.created {
			n += len(o.Numbers)
		}
		row("bwsim creates", "%s orders with %s numbers", num(len(s.created)), num(n))
	} else {
		row("bwsim creates", "not recorded: %s", s.createdNote)
	}
	f := s.findings
	if s.created != nil {
		row("duplicates", "%s numbers in >1 order, %s CustomerOrderIds created >1, %s ledger/bwsim mismatches",
			num(f.count[kindSubmittedTwice]), num(f.count[kindCustomerIDTwice]), num(f.count[kindLedgerVsBwsim]))
	} else {
		row("duplicates", "NOT CHECKED (no create log)")
	}
	row("lost numbers", "%s (and %s in two jobs, %s misattributed, %s never resolved)",
		num(f.count[kindLost]), num(f.count[kindInTwoJobs]), num(f.count[kindMisattributed]), num(f.count[kindUnresolved]))
	row("stuck jobs", "%s", num(f.count[kindStuck]))
	row("disagreements", "%s in counts (of %s `finished` callers saw), %s in outcomes (of %s callers saw); %s stream breaches",
		num(f.count[kindCallerCounts]), num(s.seenFinished), num(f.count[kindCallerOutcome]), num(s.seenOutcomes), num(f.count[kindCallerStream]))
	other := f.count[kindListedTwice] + f.count[kindCountMismatch] + f.count[kindForeign] + f.count[kindUnitFailed] + f.count[kindCrashed]
	row("other violations", "%s (numbers listed twice, counts not adding up, foreign numbers, failed units, replica crashes)", num(other))
	if st.Exhausted {
		row("WARNING", "the owned prefixes ran out of numbers: callers stopped early (use wider --owned-prefixes)")
	}
	if len(s.dropped) > 0 {
		row("WARNING", "ran without --%s (older binaries)", strings.Join(s.dropped, ", --"))
	}
	row("verdict", "%s", s.verdict())
	fmt.Fprintf(&b, "\nLogs: %s\n", s.runDir)
	return b.String()
}

// failureText lists the calls' failures, most frequent first.
func failureText(by map[string]int) string {
	if len(by) == 0 {
		return "none"
	}
	keys := sortedKeys(by)
	slices.SortStableFunc(keys, func(a, b string) int { return by[b] - by[a] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s", num(by[k]), k)
	}
	return strings.Join(parts, ", ")
}

// verdict is the run's outcome in words.
func (s *summary) verdict() string {
	if n := s.findings.total(); n > 0 {
		return fmt.Sprintf("**FAIL**: %s violations (listed above the table)", num(n))
	}
	if s.created == nil || len(s.dropped) > 0 {
		return "pass, with checks missing (see above)"
	}
	return "**PASS**: every number received got exactly one outcome, none was submitted twice"
}

// jobStates counts the ledger's jobs by state.
func (s *summary) jobStates() string {
	by := map[tnassignv1.JobState]int{}
	for _, j := range s.jobs {
		by[j.State]++
	}
	parts := []string{}
	for _, st := range []tnassignv1.JobState{
		tnassignv1.JobState_JOB_STATE_SUCCEEDED, tnassignv1.JobState_JOB_STATE_PARTIAL, tnassignv1.JobState_JOB_STATE_FAILED,
		tnassignv1.JobState_JOB_STATE_ABORTED, tnassignv1.JobState_JOB_STATE_RUNNING,
	} {
		parts = append(parts, fmt.Sprintf("%s %s", num(by[st]), shortState(st)))
	}
	return fmt.Sprintf("%s in the ledger: %s", num(len(s.jobs)), strings.Join(parts, ", "))
}

// totals sums the ledger's job counts.
func (s *summary) totals() counts {
	var c counts
	for _, j := range s.jobs {
		c.Received += j.Counts.Received
		c.Rejected += j.Counts.Rejected
		c.Succeeded += j.Counts.Succeeded
		c.Failed += j.Counts.Failed
		c.NotSubmitted += j.Counts.NotSubmitted
	}
	return c
}

// kills describes the faults.
func (s *summary) kills() string {
	var kill, term int
	for _, k := range s.faults.kills {
		if k.Signal == syscall.SIGKILL {
			kill++
		} else {
			term++
		}
	}
	out := fmt.Sprintf("%s: %s SIGKILL, %s SIGTERM", num(kill+term), num(kill), num(term))
	if s.faults.skipped > 0 {
		out += fmt.Sprintf(" (%s rounds skipped: fewer than 2 replicas up)", num(s.faults.skipped))
	}
	out += fmt.Sprintf("; %s replica exits on their own", num(len(s.crashes)))
	return out
}

// takeoverText describes the takeovers.
func (s *summary) takeoverText() string {
	t := s.takeovers
	out := fmt.Sprintf("%s (%s after a kill)", num(t.Count), num(t.Attributed))
	if t.Attributed > 0 {
		out += fmt.Sprintf("; longest %s: job %s of %s, %s at +%s, taken over by %s",
			round(t.Longest), t.LongestBy.JobID, t.LongestOf.Replica, signalName(t.LongestOf.Signal),
			round(t.LongestOf.At.Sub(s.loadStart)), t.LongestBy.By)
	}
	return out
}

// printRun writes the violations (if any) and the table.
func (s *summary) printRun(w io.Writer) {
	if s.findings.total() > 0 {
		s.findings.print(w)
		fmt.Fprintln(w)
	}
	fmt.Fprint(w, s.markdown())
}

// round shortens a duration for the table.
func round(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(10 * time.Millisecond)
}

// num formats an integer with thousands separators.
func num[T ~int | ~int64](v T) string {
	s := fmt.Sprint(int64(v))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
