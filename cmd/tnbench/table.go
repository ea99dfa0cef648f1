package main

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// tableHeader names the end-to-end table's columns.
var tableHeader = []string{"profile", "scenario", "numbers", "numbers/s", "× ceiling",
	"first outcome p50 / p99", "server peak RSS", "server CPU-s / M numbers", "notes"}

// resultRows renders the results, each ratio taken to the ceiling of the same profile.
func resultRows(results []result) [][]string {
	ceilings := map[string]float64{}
	for _, r := range results {
		if strings.HasPrefix(r.scenario, "ceiling") {
			ceilings[r.profile] = r.rate()
		}
	}
	var rows [][]string
	for _, r := range results {
		row := []string{r.profile, r.scenario, thousands(r.numbers)}
		if r.err != nil {
			row = append(row, "failed", "", "", "", "", firstLine(r.err.Error()))
			rows = append(rows, row)
			continue
		}
		ratio := "—"
		if c := ceilings[r.profile]; c > 0 {
			ratio = fmt.Sprintf("%.2f", r.rate()/c)
		}
		rss, cpu := "—", "—"
		if r.rss > 0 {
			rss = fmt.Sprintf("%.0f MiB", float64(r.rss)/(1<<20))
		}
		if r.cpu > 0 {
			cpu = fmt.Sprintf("%.2f", r.cpu.Seconds()/float64(r.numbers)*1e6)
		}
		row = append(row, thousands(int(math.Round(r.rate()))), ratio,
			fmt.Sprintf("%s / %s", dur(percentile(r.firsts, 0.50)), dur(percentile(r.firsts, 0.99))),
			rss, cpu, r.note)
		rows = append(rows, row)
	}
	return rows
}

// markdownTable renders a header and rows as a Markdown table.
func markdownTable(header []string, rows [][]string) string {
	var sb strings.Builder
	line := func(cells []string) {
		sb.WriteString("|")
		for _, c := range cells {
			sb.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		sb.WriteString("\n")
	}
	line(header)
	sep := make([]string, len(header))
	for i := range sep {
		sep[i] = "---"
	}
	line(sep)
	for _, r := range rows {
		line(r)
	}
	return sb.String()
}

// textTable renders a header and rows with aligned columns, for the terminal.
func textTable(header []string, rows [][]string) string {
	widths := make([]int, len(header))
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	var sb strings.Builder
	for _, r := range append([][]string{header}, rows...) {
		for i, c := range r {
			sb.WriteString(c + strings.Repeat(" ", widths[i]-len([]rune(c))+2))
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

// percentile returns the q-quantile of ds (nearest rank), or 0 for none.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// dur formats a duration with a precision that suits its size.
func dur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// thousands formats n with comma separators.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// humanFloat formats a benchmark value: thousands separators from 1,000 up, three significant
// digits below; text that is not a number is returned as is.
func humanFloat(v string) string {
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil:
		return v
	case math.Abs(f) >= 1000:
		return thousands(int(math.Round(f)))
	}
	return strconv.FormatFloat(f, 'g', 3, 64)
}
