package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/internal/daemontest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// expected is what the results file must say about one input row.
type expected struct {
	input, number, outcome, code string
}

// makeInput writes a CSV of n data rows mixing owned numbers in several
// formats, numbers the simulated account does not own, duplicates (same
// text and other text) and invalid numbers, and returns the expected result
// of every row.
func makeInput(t *testing.T, path string, n int) []expected {
	t.Helper()
	var b strings.Builder
	b.WriteString("customer,phone,notes\n")
	owned := []string{"919555", "415871", "435215"}
	var firsts []expected // owned rows so far, for duplicates
	invalid := []string{"12345", "555-0100", "abc-def-ghij", "1115550100", "2121550100", "+9195550100", "919555010"}
	var want []expected
	notOwned := 0
	for i := range n {
		var e expected
		switch i % 20 {
		case 14, 15:
			c := fmt.Sprintf("212555%04d", notOwned)
			notOwned++
			e = expected{c, c, "failed", "5076"}
		case 16, 17: // the same number written another way
			f := firsts[(i*7)%len(firsts)]
			e = expected{"+1 " + f.number[:3] + " " + f.number[3:6] + " " + f.number[6:], f.number, "rejected", "DUPLICATE"}
		case 18:
			e = expected{invalid[(i/20)%len(invalid)], "", "rejected", "INVALID_FORMAT"}
		case 19: // the same text again
			f := firsts[(i*3)%len(firsts)]
			e = expected{f.input, f.number, "rejected", "DUPLICATE"}
		default:
			o := len(firsts)
			c := owned[o%3] + fmt.Sprintf("%04d", o/3)
			text := []string{c, "(" + c[:3] + ") " + c[3:6] + "-" + c[6:], "1." + c[:3] + "." + c[3:6] + "." + c[6:], "+1" + c}[o%4]
			e = expected{text, c, "succeeded", ""}
			firsts = append(firsts, e)
		}
		want = append(want, e)
		fmt.Fprintf(&b, "cust-%d,%q,\"row %d, generated\"\n", i, e.input, i+1)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return want
}

func runCLI(t *testing.T, bin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIEnv(t, bin, nil, args...)
}

// runCLIEnv runs the CLI with env added to the test's environment (whose
// TNASSIGN_* variables are left out).
func runCLIEnv(t *testing.T, bin string, env []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run tnassign: %v", err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

func readResults(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs tnassignd and tnassign")
	}
	dir := t.TempDir()
	cli := daemontest.Build(t, "github.com/tnassign/tnassign/cmd/tnassign", dir)
	d := daemontest.Start(t, daemontest.Build(t, daemontest.DaemonPackage, dir),
		"--poll-interval", "50ms", "--batch-linger", "100ms", "--rate-limit", "0")

	const rowsN = 12345
	in := filepath.Join(dir, "numbers.csv")
	want := makeInput(t, in, rowsN)
	count := map[string]int{}
	for _, e := range want {
		count[e.outcome]++
		count[e.code]++
	}

	t.Run("assign 12,345 rows", func(t *testing.T) {
		out := filepath.Join(dir, "results.csv")
		code, stdout, stderr := runCLI(t, cli, "assign", "--server", d.GRPCAddr, "--account", "9900000",
			"--file", in, "--out", out)
		if code != 1 {
			t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		recs := readResults(t, out)
		// The input's columns are kept (it is a CSV file), then the outcome's.
		if len(recs) != rowsN+1 || strings.Join(recs[0], ",") != "customer,phone,notes,number,outcome,code,description,order_id" {
			t.Fatalf("%d result rows (header %v), want %d", len(recs)-1, recs[0], rowsN)
		}
		bad := 0
		for i, r := range recs[1:] {
			w := want[i]
			hasOrder := r[7] != ""
			if r[0] != fmt.Sprintf("cust-%d", i) || r[1] != w.input || r[3] != w.number || r[4] != w.outcome || r[5] != w.code ||
				hasOrder != (w.outcome == "succeeded" || w.outcome == "failed") {
				if bad++; bad <= 10 {
					t.Errorf("row %d = %q, want %+v", i+1, r, w)
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d rows wrong", bad)
		}
		n := func(v int) string { return regexp.QuoteMeta(thousands(v)) }
		for _, re := range []string{
			`input rows\s+` + n(rowsN) + `\s+` + regexp.QuoteMeta(in) + `, column phone, header skipped`,
			`received\s+` + n(rowsN) + `\b`,
			`succeeded\s+` + n(count["succeeded"]) + `\b`,
			`failed\s+` + n(count["failed"]) + `\b`,
			`\s` + n(count["5076"]) + `\s+5076 Number does not belong to this account\.`,
			`rejected\s+` + n(count["rejected"]) + `\b`,
			`\s` + n(count["DUPLICATE"]) + `\s+DUPLICATE`,
			`\s` + n(count["INVALID_FORMAT"]) + `\s+INVALID_FORMAT`,
			`not submitted\s+0\b`,
			`orders\s+\d+\s+(complete \d+, )?partial \d+`,
			`elapsed\s+\S+\s+[\d,]+ numbers/s`,
		} {
			if !regexp.MustCompile(re).MatchString(stdout) {
				t.Errorf("summary does not match %s:\n%s", re, stdout)
			}
		}
		wantLast := fmt.Sprintf("tnassign assign: %s of %s numbers did not succeed; see %s", thousands(rowsN-count["succeeded"]), thousands(rowsN), out)
		if !strings.Contains(stderr, wantLast) {
			t.Errorf("stderr lacks %q:\n%s", wantLast, stderr)
		}
		if !strings.Contains(stderr, "progress: ") && !strings.Contains(stderr, "started") {
			t.Errorf("stderr shows no progress:\n%s", stderr)
		}
	})

	t.Run("dry run", func(t *testing.T) {
		out := filepath.Join(dir, "dry.csv")
		code, stdout, stderr := runCLI(t, cli, "assign", "--server", d.GRPCAddr, "--account", "9900000",
			"--file", in, "--out", out, "--dry-run")
		if code != 1 {
			t.Fatalf("exit %d, want 1 (some numbers are invalid)\n%s\n%s", code, stdout, stderr)
		}
		recs := readResults(t, out)
		for i, r := range recs[1:] {
			w := want[i]
			wantOutcome := w.outcome
			if w.outcome != "rejected" {
				wantOutcome = "not_submitted"
			}
			if r[4] != wantOutcome || r[3] != w.number {
				t.Fatalf("row %d = %q, want outcome %s, number %s", i+1, r, wantOutcome, w.number)
			}
		}
	})

	t.Run("unassign from stdin, all succeed", func(t *testing.T) {
		cmd := exec.Command(cli, "unassign", "--server", d.GRPCAddr, "--account", "9900000", "--file", "-")
		cmd.Stdin = strings.NewReader("9195550001\n(415) 871-0002\n")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("%v\n%s\n%s", err, stdout.String(), stderr.String())
		}
		if !regexp.MustCompile(`succeeded\s+2\b`).MatchString(stdout.String()) {
			t.Errorf("summary:\n%s", stdout.String())
		}
	})

	t.Run("a re-run replays the recorded job", func(t *testing.T) {
		small := filepath.Join(dir, "small.csv")
		if err := os.WriteFile(small, []byte("number\n9195550201\n2125550201\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		args := []string{"assign", "--server", d.GRPCAddr, "--account", "9900000", "--file", small}
		code, stdout, stderr := runCLI(t, cli, args...)
		started := regexp.MustCompile(`job (\S+) started: assign 2 numbers`).FindStringSubmatch(stderr)
		if code != 1 || started == nil || strings.Contains(stderr+stdout, "replay") {
			t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
		}
		code, stdout, stderr = runCLI(t, cli, args...)
		replays := regexp.MustCompile(`this run replays job ` + regexp.QuoteMeta(started[1]) +
			`, started \d{4}-\d\d-\d\d \d\d:\d\d:\d\d by an earlier run with the same request id`)
		if code != 1 || !replays.MatchString(stderr) || strings.Contains(stderr, "started: assign") {
			t.Errorf("second run: exit %d, want 1 and a line matching %s\nstderr:\n%s", code, replays, stderr)
		}
		if !regexp.MustCompile(`Job `+regexp.QuoteMeta(started[1])+` \(assign, replay of the run of [-\d]+ [:\d]+, account 9900000`).MatchString(stdout) ||
			!regexp.MustCompile(`succeeded\s+1\b`).MatchString(stdout) {
			t.Errorf("second run's summary:\n%s", stdout)
		}
		// Another request id is another job, not a replay.
		code, _, stderr = runCLI(t, cli, append(args, "--request-id", "another")...)
		if code != 1 || strings.Contains(stderr, "replay") || strings.Contains(stderr, started[1]) {
			t.Errorf("run with another request id: exit %d\n%s", code, stderr)
		}
	})

	t.Run("account not served", func(t *testing.T) {
		code, _, stderr := runCLI(t, cli, "assign", "--server", d.GRPCAddr, "--account", "1234567", "--file", in)
		if code != 2 || !strings.Contains(stderr, "account 1234567") {
			t.Errorf("exit %d, stderr:\n%s", code, stderr)
		}
	})
}

// thousands formats v with comma separators, as the summary does.
func thousands(v int) string {
	s := fmt.Sprint(v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
