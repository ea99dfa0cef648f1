package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/progress"
	"github.com/tnassign/tnassign/cmd/tnassign/internal/rows"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// summary is what the closing table reports.
type summary struct {
	o         options
	j         *job
	format    rows.Format
	input     string
	requestID string
	elapsed   time.Duration
}

// writeSummary prints the closing table: where the numbers came from and
// how each ended.
func writeSummary(w io.Writer, s summary) {
	t := s.j.table
	n := func(v int) string { return progress.Thousands(int64(v)) }
	var lines [][3]string // label, count, detail
	line := func(label, count, detail string) { lines = append(lines, [3]string{label, count, detail}) }

	in := fmt.Sprintf("%s, column %s", s.input, s.format.ColumnName())
	if s.format.Header != nil {
		in += ", header skipped"
	}
	line("input rows", n(t.Len()), in)
	if s.format.Skipped > 0 {
		line("skipped", n(t.Count(rows.Skipped)), "rows without a number")
	}
	received := "-"
	if f := s.j.finished; f != nil {
		received = progress.Thousands(f.GetReceivedCount())
	}
	line("received", received, "by the server")
	line("succeeded", n(t.Count(rows.Succeeded)), "")
	line("failed", n(t.Count(rows.Failed)), "")
	for _, g := range t.Groups(rows.Failed) {
		line("", n(g.Count), "  "+g.Code+" "+g.Description)
	}
	line("rejected", n(t.Count(rows.Rejected)), "")
	for _, g := range t.Groups(rows.Rejected) {
		line("", n(g.Count), "  "+g.Code)
	}
	line("not submitted", n(t.Count(rows.NotSubmitted)), "")
	line("orders", n(ordersTotal(s.j.orders)), ordersDetail(s.j.orders))
	rate := ""
	if secs := s.elapsed.Seconds(); secs > 0 {
		rate = progress.Thousands(int64(float64(t.Numbers())/secs)) + " numbers/s"
	}
	line("elapsed", s.elapsed.Round(10*time.Millisecond).String(), rate)
	if s.o.out != "" && s.o.out != "-" {
		line("results", "", s.o.out)
	}

	job := s.j.jobID
	if job == "" {
		job = "(not started)"
	}
	mode := s.o.verb()
	if s.o.dryRun {
		mode += ", dry run"
	}
	rid := "request id " + s.requestID
	if s.requestID == "" {
		rid = "no request id"
	}
	if r := s.j.replayOf; r != nil {
		mode += ", replay of the run of " + formatTime(r.GetCreateTime().AsTime())
	}
	fmt.Fprintf(w, "\nJob %s (%s, account %s, %s)\n\n", job, mode, s.o.account, rid)
	labelW, countW := 0, 0
	for _, l := range lines {
		labelW, countW = max(labelW, len(l[0])), max(countW, len(l[1]))
	}
	for _, l := range lines {
		fmt.Fprintln(w, strings.TrimRight(fmt.Sprintf("  %-*s  %*s  %s", labelW, l[0], countW, l[1], l[2]), " "))
	}
}

// ordersTotal returns how many orders settled.
func ordersTotal(m map[tnassignv1.ProcessingStatus]int) int {
	total := 0
	for _, c := range m {
		total += c
	}
	return total
}

func ordersDetail(m map[tnassignv1.ProcessingStatus]int) string {
	var parts []string
	for _, s := range []tnassignv1.ProcessingStatus{
		tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE,
		tnassignv1.ProcessingStatus_PROCESSING_STATUS_PARTIAL,
		tnassignv1.ProcessingStatus_PROCESSING_STATUS_FAILED,
	} {
		if m[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", strings.ToLower(strings.TrimPrefix(s.String(), "PROCESSING_STATUS_")), m[s]))
		}
	}
	return strings.Join(parts, ", ")
}
