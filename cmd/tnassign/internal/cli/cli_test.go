package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
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
		args = append(args, "--server", "passthrough:///bufnet", "--plaintext")
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
		header   string   // the results header; "" for the default one
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
			"9195550001,9195550001,rejected,DUPLICATE,already in this job (same number as line 2),",
			"919.555.0002,9195550002,rejected,DUPLICATE,already in this job (same number as line 3),",
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
		header:   "name,Phone,note,number,outcome,code,description,order_id",
		want: []string{
			"ann,9195550001,x,9195550001,succeeded,,,order-1",
			"bob,,no number,,skipped,,no number in column Phone,",
			`cy,919-555-0003,"a, b",9195550003,succeeded,,,order-1`,
		},
		summary: []string{"column Phone", " 1  rows without a number"},
	}, {
		name:     "csv without its columns",
		input:    "name,Phone,note\nann,9195550001,x\nbob,,no number\n",
		args:     []string{"--keep-columns=false"},
		wantCode: ExitOK,
		want: []string{
			"9195550001,9195550001,succeeded,,,order-1",
			",,skipped,,no number in column Phone,",
		},
	}, {
		name:     "tab separated, column by index, no header",
		input:    "x\t9195550001\ny\t2125550002\n",
		args:     []string{"--column", "2"},
		wantCode: ExitIncomplete,
		header:   "column_1,column_2,number,outcome,code,description,order_id",
		want: []string{
			"x,9195550001,9195550001,succeeded,,,order-1",
			"y,2125550002,2125550002,failed,5076,Number does not belong to this account.,order-1",
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
			h := header
			if tt.header != "" {
				h = tt.header
			}
			want := strings.Join(append([]string{h}, tt.want...), "\n") + "\n"
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
		{"bad flag", false, []string{"assign", "--nope"}, `tnassign assign: unknown flag --nope; run "tnassign assign --help" for the flags`},
		{"misspelt flag", false, []string{"assign", "--acount", "1"}, "unknown flag --acount (did you mean --account?)"},
		{"bad flag value", false, []string{"assign", "--batch", "many"}, `--batch "many" is not a whole number`},
		{"missing flag value", false, []string{"job", "list", "--account"}, "--account needs a value"},
		{"plaintext and tls", false, []string{"assign", "--account", "1", "--file", numbers, "--plaintext", "--tls-ca", numbers}, "--plaintext cannot be combined with --tls-ca"},
		{"cert without key", false, []string{"assign", "--account", "1", "--file", numbers, "--tls-cert", numbers}, "--tls-cert and --tls-key go together"},
		{"ca not pem", false, []string{"assign", "--account", "1", "--file", numbers, "--tls-ca", numbers}, "holds no PEM certificate"},
		{"missing token file", false, []string{"job", "list", "--account", "1", "--token-file", "/nonexistent/token"}, "--token-file: open /nonexistent/token"},
		{"empty token file", false, []string{"assign", "--account", "1", "--file", numbers, "--token-file", empty}, "is empty; put the token"},
		{"token in clear beyond loopback", false, []string{"assign", "--account", "1", "--file", numbers, "--server", "tnassign.example:9090", "--plaintext", "--token-file", numbers},
			"refusing to send the bearer token to tnassign.example:9090 without TLS"},
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
		{"unreachable", false, []string{"assign", "--account", "1", "--file", numbers, "--server", "127.0.0.1:1"}, "cannot reach tnassignd: nothing is listening at 127.0.0.1:1; check --server"},
		{"unknown host", false, []string{"assign", "--account", "1", "--file", numbers, "--server", "tnassign.invalid:9090"}, "cannot reach tnassignd: the host of tnassign.invalid:9090 is unknown; check --server"},
		{"unreachable, job command", false, []string{"job", "list", "--account", "1", "--server", "127.0.0.1:1"}, "cannot reach tnassignd: nothing is listening at 127.0.0.1:1; check --server"},
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
			// One line, in plain words: no flag list, no gRPC internals.
			if tt.args == nil {
				return // the usage, then the error
			}
			for _, noise := range []string{"Usage", "  -", "desc =", "transport:", "rpc error"} {
				if strings.Contains(res.stderr, noise) {
					t.Errorf("stderr has %q:\n%s", noise, res.stderr)
				}
			}
			if n := strings.Count(res.stderr, "\n"); !tt.fake && n != 1 {
				t.Errorf("stderr has %d lines, want the error once:\n%s", n, res.stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want []string // substrings of stdout
	}{
		{[]string{"help"}, []string{"tnassign assign   --account ID"}},
		{[]string{"assign", "-h"}, []string{"Usage: tnassign assign", "  --account string", "  --tls-ca file", "  --token-file file", "  --plaintext\n", "  --keep-columns\n", "(default 1000)"}},
		{[]string{"unassign", "--help"}, []string{"Usage: tnassign unassign", "  --tls-cert file"}},
		{[]string{"job", "list", "--help"}, []string{"tnassign job list", "  --state string", "  --tls-key file"}},
	}
	for _, tt := range tests {
		res := runCLI(t, nil, Env{}, tt.args...)
		if res.code != ExitOK || res.stderr != "" {
			t.Errorf("%v: exit %d, stderr %q", tt.args, res.code, res.stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(res.stdout, w) {
				t.Errorf("%v: help lacks %q:\n%s", tt.args, w, res.stdout)
			}
		}
		if strings.Contains(res.stdout, "\n  -") && !strings.Contains(res.stdout, "\n  --") {
			t.Errorf("%v: help spells flags with one dash:\n%s", tt.args, res.stdout)
		}
		if regexp.MustCompile(`(?m)^  -[a-z]`).MatchString(res.stdout) {
			t.Errorf("%v: help spells a flag with one dash:\n%s", tt.args, res.stdout)
		}
	}
}
