package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

type runResult struct {
	code           int
	stdout, stderr string
}

// runCLI runs Main against the fake with args, adding --server.
func runCLI(t *testing.T, f *fakeServer, env Env, args ...string) runResult {
	t.Helper()
	var stdout, stderr bytes.Buffer
	env.Stdout, env.Stderr = &stdout, &stderr
	if env.Stdin == nil {
		env.Stdin = strings.NewReader("")
	}
	if f != nil {
		env.DialOptions = startFake(t, f)
		args = append(args, "--server", "passthrough:///bufnet")
	}
	code := Main(context.Background(), args, env)
	return runResult{code, stdout.String(), stderr.String()}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readCSV(t *testing.T, path string) [][]string {
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

const header = "input,number,outcome,code,description,order_id"

func TestAssignResults(t *testing.T) {
	t.Parallel()
	mixed := "number\n9195550001\n(919) 555-0002\n+1 415 871 0003\n9195550001\n919.555.0002\n" +
		"2125550004\n12345\nabc\n\n12345\n"
	tests := []struct {
		name     string
		input    string
		args     []string
		orderMax int // the fake's numbers per order; 0 for its default
		wantCode int
		want     []string // result rows after the header, as CSV lines
		summary  []string // substrings of stdout
	}{{
		name:     "all succeed",
		input:    "9195550001\n4158710002\n",
		wantCode: ExitOK,
		want: []string{
			"9195550001,9195550001,succeeded,,,order-1",
			"4158710002,4158710002,succeeded,,,order-1",
		},
		summary: []string{"succeeded", "orders", "complete 1"},
	}, {
		name:     "mixed outcomes in input order",
		input:    mixed,
		args:     []string{"--batch", "2"},
		orderMax: 3,
		wantCode: ExitIncomplete,
		want: []string{
			"9195550001,9195550001,succeeded,,,order-1",
			"(919) 555-0002,9195550002,succeeded,,,order-1",
			"+1 415 871 0003,4158710003,succeeded,,,order-1",
			"9195550001,9195550001,rejected,DUPLICATE,already in this job (same number as input row 1),",
			"919.555.0002,9195550002,rejected,DUPLICATE,already in this job (same number as input row 2),",
			"2125550004,2125550004,failed,5076,Number does not belong to this account.,order-2",
			"12345,,rejected,INVALID_FORMAT,not a 10-digit NANP number,",
			"abc,,rejected,INVALID_FORMAT,not a 10-digit NANP number,",
			"12345,,rejected,INVALID_FORMAT,not a 10-digit NANP number,",
		},
		summary: []string{"header skipped", "5076 Number does not belong", "INVALID_FORMAT", "DUPLICATE"},
	}, {
		name:     "csv column by name",
		input:    "name,Phone,note\nann,9195550001,x\nbob,,no number\ncy,\"919-555-0003\",\"a, b\"\n",
		args:     []string{"--column", "phone"},
		wantCode: ExitOK,
		want: []string{
			"9195550001,9195550001,succeeded,,,order-1",
			"919-555-0003,9195550003,succeeded,,,order-1",
		},
		summary: []string{"column Phone", "1 rows without a number skipped"},
	}, {
		name:     "tab separated, column by index, no header",
		input:    "x\t9195550001\ny\t2125550002\n",
		args:     []string{"--column", "2"},
		wantCode: ExitIncomplete,
		want: []string{
			"9195550001,9195550001,succeeded,,,order-1",
			"2125550002,2125550002,failed,5076,Number does not belong to this account.,order-1",
		},
		summary: []string{"column #2"},
	}, {
		name:     "dry run, all valid",
		input:    "9195550001\n2125550002\n",
		args:     []string{"--dry-run"},
		wantCode: ExitOK,
		want: []string{
			"9195550001,9195550001,not_submitted,,\"dry run: valid, not sent to Bandwidth\",",
			"2125550002,2125550002,not_submitted,,\"dry run: valid, not sent to Bandwidth\",",
		},
		summary: []string{"dry run"},
	}, {
		name:     "dry run, some invalid",
		input:    "9195550001\n1115550002\n",
		args:     []string{"--dry-run"},
		wantCode: ExitIncomplete,
		want: []string{
			"9195550001,9195550001,not_submitted,,\"dry run: valid, not sent to Bandwidth\",",
			"1115550002,,rejected,INVALID_FORMAT,not a 10-digit NANP number,",
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := writeFile(t, "numbers.csv", tt.input)
			out := filepath.Join(t.TempDir(), "results.csv")
			args := append([]string{"assign", "--account", "9900000", "--file", in, "--out", out}, tt.args...)
			f := newFake()
			if tt.orderMax > 0 {
				f.batchSize = tt.orderMax
			}
			res := runCLI(t, f, Env{}, args...)
			if res.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", res.code, tt.wantCode, res.stdout, res.stderr)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Join(append([]string{header}, tt.want...), "\n") + "\n"
			if string(data) != want {
				t.Errorf("results:\n%s\nwant:\n%s", data, want)
			}
			for _, s := range tt.summary {
				if !strings.Contains(res.stdout, s) {
					t.Errorf("summary lacks %q:\n%s", s, res.stdout)
				}
			}
		})
	}
}

func TestUnassignAndStdin(t *testing.T) {
	t.Parallel()
	f := newFake()
	res := runCLI(t, f, Env{Stdin: strings.NewReader("9195550001\n9195550002\n")},
		"unassign", "--account", "9900000", "--file", "-", "--out", "-", "--customer-order-id", "ticket 42")
	if res.code != ExitOK {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	want := header + "\n9195550001,9195550001,succeeded,,,order-1\n9195550002,9195550002,succeeded,,,order-1\n"
	if res.stdout != want {
		t.Errorf("stdout:\n%s\nwant:\n%s", res.stdout, want)
	}
	if !strings.Contains(res.stderr, "unassign, account 9900000") {
		t.Errorf("summary (on stderr with --out -) lacks the action:\n%s", res.stderr)
	}
	first := f.firsts[0]
	if first.GetCustomerOrderId() != "ticket 42" || first.GetAccountId() != "9900000" || first.GetValidateOnly() {
		t.Errorf("first message = %v", first)
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	in := writeFile(t, "n.txt", "9195550001\n")
	other := writeFile(t, "m.txt", "9195550002\n")
	run := func(args ...string) string {
		f := newFake()
		res := runCLI(t, f, Env{}, args...)
		if res.code != ExitOK {
			t.Fatalf("exit %d: %s", res.code, res.stderr)
		}
		return f.firsts[0].GetRequestId()
	}
	a := run("assign", "--account", "9900000", "--file", in)
	tests := []struct {
		name string
		args []string
		same bool
	}{
		{"same command", []string{"assign", "--account", "9900000", "--file", in}, true},
		{"other file", []string{"assign", "--account", "9900000", "--file", other}, false},
		{"other action", []string{"unassign", "--account", "9900000", "--file", in}, false},
		{"dry run", []string{"assign", "--account", "9900000", "--file", in, "--dry-run"}, false},
	}
	for _, tt := range tests {
		if got := run(tt.args...); (got == a) != tt.same || got == "" {
			t.Errorf("%s: request id %q vs %q, want same=%v", tt.name, got, a, tt.same)
		}
	}
	if got := run("assign", "--account", "9900000", "--file", in, "--request-id="); got != "" {
		t.Errorf("--request-id= sent %q, want none", got)
	}
	if got := run("assign", "--account", "9900000", "--file", in, "--request-id", "mine"); got != "mine" {
		t.Errorf("--request-id mine sent %q", got)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	numbers := writeFile(t, "n.txt", "9195550001\n")
	empty := writeFile(t, "empty.txt", "\n\n")
	wide := writeFile(t, "wide.csv", "1,9195550001\n")
	unnamed := writeFile(t, "unnamed.csv", "a,b\n1,9195550001\n")
	tests := []struct {
		name string
		fake bool
		args []string
		want string // substring of stderr
	}{
		{"no command", false, nil, "no command given"},
		{"unknown command", false, []string{"frobnicate"}, "unknown command"},
		{"no account", false, []string{"assign", "--file", numbers}, "--account is required"},
		{"no file", false, []string{"assign", "--account", "1"}, "--file is required"},
		{"bad flag", false, []string{"assign", "--nope"}, "flag provided but not defined"},
		{"stray argument", false, []string{"assign", "--account", "1", "--file", numbers, "extra"}, "unexpected argument"},
		{"bad batch", false, []string{"assign", "--account", "1", "--file", numbers, "--batch", "0"}, "--batch 0 is out of range"},
		{"missing file", false, []string{"assign", "--account", "1", "--file", "/nonexistent/n.txt"}, "cannot open --file"},
		{"empty file", false, []string{"assign", "--account", "1", "--file", empty}, "no telephone numbers"},
		{"ambiguous columns", false, []string{"assign", "--account", "1", "--file", wide}, "choose the numbers column with --column"},
		{"no numbers column", false, []string{"assign", "--account", "1", "--file", unnamed}, "choose one with --column NAME"},
		{"unknown column", false, []string{"assign", "--account", "1", "--file", unnamed, "--column", "tn"}, "no such column"},
		{"unwritable out", false, []string{"assign", "--account", "1", "--file", numbers, "--out", "/nonexistent/r.csv"}, "cannot write --out"},
		{"timeout", true, []string{"assign", "--account", "slow", "--file", numbers, "--timeout", "50ms"}, "--timeout 50ms reached"},
		{"permission denied", true, []string{"assign", "--account", "denied", "--file", numbers}, "permission denied for account denied"},
		{"unreachable", false, []string{"assign", "--account", "1", "--file", numbers, "--server", "127.0.0.1:1"}, "cannot reach tnassignd at 127.0.0.1:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var f *fakeServer
			if tt.fake {
				f = newFake()
				f.afterFirst = func() { time.Sleep(300 * time.Millisecond) }
			}
			res := runCLI(t, f, Env{}, tt.args...)
			if res.code != ExitError {
				t.Errorf("exit %d, want %d", res.code, ExitError)
			}
			if !strings.Contains(res.stderr, tt.want) {
				t.Errorf("stderr lacks %q:\n%s", tt.want, res.stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"help"}, {"assign", "-h"}} {
		if res := runCLI(t, nil, Env{}, args...); res.code != ExitOK {
			t.Errorf("%v: exit %d", args, res.code)
		}
	}
}
