package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestParseOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		check   func(options) bool
		wantErr string
	}{
		{"defaults", nil, nil, func(o options) bool {
			return o.addr == "127.0.0.1:8089" && o.account == "9900000" && o.ownedPrefixes == "919555,415871,435215" &&
				o.username == "demo" && o.password == "demo" && o.clientID == "demo" && o.clientSecret == "demo" &&
				o.processingPolls == 0 && o.latency == 0 && o.rateLimit == 0
		}, ""},
		{"environment", nil, map[string]string{"BWSIM_USERNAME": "u", "BWSIM_PASSWORD": "p", "BWSIM_CLIENT_ID": "c",
			"BWSIM_CLIENT_SECRET": "s", "BWSIM_ADDR": ":1", "BWSIM_LATENCY": "5ms", "BWSIM_PROCESSING_POLLS": "2"},
			func(o options) bool {
				return o.username == "u" && o.password == "p" && o.clientID == "c" && o.clientSecret == "s" &&
					o.addr == ":1" && o.latency == 5*time.Millisecond && o.processingPolls == 2
			}, ""},
		{"flags override the environment", []string{"--username=flag", "--rate-limit", "2.5", "--processing-delay=1s"},
			map[string]string{"BWSIM_USERNAME": "env", "BWSIM_RATE_LIMIT": "1"},
			func(o options) bool {
				return o.username == "flag" && o.rateLimit == 2.5 && o.processingDelay == time.Second
			}, ""},
		{"bad flag value", []string{"--latency=soon"}, nil, nil, "invalid value"},
		{"unknown flag", []string{"--nope"}, nil, nil, "flag provided but not defined"},
		{"bad environment value", nil, map[string]string{"BWSIM_PROCESSING_POLLS": "many"}, nil, "BWSIM_PROCESSING_POLLS"},
		{"negative polls", []string{"--processing-polls=-1"}, nil, nil, "processing-polls"},
		{"bad prefix", []string{"--owned-prefixes=919,abc"}, nil, nil, "owned-prefixes"},
		{"error rate out of range", []string{"--error-rate=2"}, nil, nil, "error-rate"},
		{"error rate NaN", []string{"--error-rate=NaN"}, nil, nil, "error-rate"},
		{"slow creates from flags", []string{"--create-delay=2s", "--create-delay-max=5s", "--slow-create-rate=0.25", "--create-log=/tmp/creates.jsonl"}, nil,
			func(o options) bool {
				c := o.config()
				return o.createLog == "/tmp/creates.jsonl" &&
					c.CreateDelay == 2*time.Second && c.CreateDelayMax == 5*time.Second && c.SlowCreateRate == 0.25 && c.CreateLog == nil
			}, ""},
		{"slow creates from the environment", nil, map[string]string{"BWSIM_CREATE_DELAY": "1s", "BWSIM_CREATE_DELAY_MAX": "0s",
			"BWSIM_SLOW_CREATE_RATE": "1", "BWSIM_CREATE_LOG": "creates.jsonl"},
			func(o options) bool {
				return o.createDelay == time.Second && o.createDelayMax == 0 && o.slowCreateRate == 1 && o.createLog == "creates.jsonl"
			}, ""},
		{"slow creates off by default", nil, nil, func(o options) bool {
			c := o.config()
			return c.CreateDelay == 0 && c.CreateDelayMax == 0 && c.SlowCreateRate == 0 && o.createLog == ""
		}, ""},
		{"create delay max only", []string{"--create-delay-max=1s"}, nil, func(o options) bool { return o.createDelayMax == time.Second }, ""},
		{"bad create delay", []string{"--create-delay=soon"}, nil, nil, "invalid value"},
		{"negative create delay", []string{"--create-delay=-1s"}, nil, nil, "negative"},
		{"negative create delay max", []string{"--create-delay-max=-1s"}, nil, nil, "negative"},
		{"create delay max below create delay", []string{"--create-delay=2s", "--create-delay-max=1s"}, nil, nil, "create-delay-max"},
		{"slow create rate out of range", []string{"--create-delay=1s", "--slow-create-rate=1.5"}, nil, nil, "slow-create-rate"},
		{"negative slow create rate", []string{"--create-delay=1s", "--slow-create-rate=-0.1"}, nil, nil, "slow-create-rate"},
		{"slow create rate NaN", []string{"--create-delay=1s", "--slow-create-rate=NaN"}, nil, nil, "slow-create-rate"},
		{"slow create rate without a delay", []string{"--slow-create-rate=0.5"}, nil, nil, "needs --create-delay"},
		{"create log on standard output", []string{"--create-log=-"}, nil, nil, "create-log"},
		{"stray argument", []string{"serve"}, nil, nil, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseOptions(tt.args, env(tt.env), io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.check(o) {
				t.Fatalf("options %+v, err %v", o, err)
			}
		})
	}
}

func TestRunBadFlagsAndHelp(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"--latency=x"}, env(nil), &out); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != 1 {
		t.Errorf("want one line, got %q", out.String())
	}
	out.Reset()
	if code := run(t.Context(), []string{"-h"}, env(nil), &out); code != 0 || !strings.Contains(out.String(), "-owned-prefixes") {
		t.Errorf("help: exit %d\n%s", code, out.String())
	}
}

// TestHelpListsChaosFlags checks the usage names every fault flag a chaos run needs.
func TestHelpListsChaosFlags(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"--help"}, env(nil), &out); code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, flag := range []string{"-latency", "-processing-delay", "-processing-polls", "-error-rate", "-rate-limit",
		"-create-delay", "-create-delay-max", "-slow-create-rate", "-create-log"} {
		if !strings.Contains(out.String(), flag+" ") {
			t.Errorf("usage does not list %s:\n%s", flag, out.String())
		}
	}
}

// startupURL waits for the startup log line in logs and returns its url.
func startupURL(t *testing.T, logs func() string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for line := range strings.SplitSeq(logs(), "\n") {
			var entry struct{ Msg, URL string }
			if json.Unmarshal([]byte(line), &entry) == nil && entry.Msg == "bwsim listening" {
				return entry.URL
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no startup line in:\n%s", logs())
	return ""
}

// guideExchange sends the guide's sample request the guide's way (curl -d @file -u demo:demo -X
// POST) and checks the answer is the guide's sample response with only the order id, dates and the
// deployment's account, user and customer order id differing.
func guideExchange(t *testing.T, baseURL string) {
	t.Helper()
	request, err := os.ReadFile("testdata/guide-request.xml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/guide-response.xml")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.ReplaceAll(string(request), "\n", "") // curl -d strips newlines
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, baseURL+"/accounts/9900000/numbersAssignment", strings.NewReader(body))
	req.SetBasicAuth("demo", "demo")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded") // what curl -d sends
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d, err %v\n%s", resp.StatusCode, err, got)
	}
	id := regexp.MustCompile(`<OrderId>([^<]+)</OrderId>`).FindSubmatch(got)
	date := regexp.MustCompile(`<OrderCreateDate>(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)</OrderCreateDate>`).FindSubmatch(got)
	if id == nil || date == nil {
		t.Fatalf("no OrderId or well-formed OrderCreateDate in\n%s", got)
	}
	expected := strings.NewReplacer(
		"65e03a35-6b97-48a5-8126-f47bad02df2a", string(id[1]),
		"2016-01-15T11:36:52.727Z", string(date[1]),
		"<AccountId>1</AccountId>", "<AccountId>9900000</AccountId>",
		"<CreatedByUser>jbm</CreatedByUser>", "<CreatedByUser>demo</CreatedByUser>",
		"ICPA123ABC", "12345",
	).Replace(string(want))
	if strings.TrimSpace(string(got)) != strings.TrimSpace(expected) {
		t.Errorf("got\n%s\nwant\n%s", got, expected)
	}
	if loc := resp.Header.Get("Location"); loc != baseURL+"/accounts/9900000/numbersAssignment/"+string(id[1]) {
		t.Errorf("Location %q", loc)
	}
}

// TestRunEndToEnd runs bwsim's main logic on a free port, with defaults, and answers the guide's
// sample request with the guide's sample response.
func TestRunEndToEnd(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--addr", "127.0.0.1:0"}, env(nil), logs) }()
	url := startupURL(t, logs.String)
	guideExchange(t, url)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d\n%s", code, logs.String())
	}
	if !strings.Contains(logs.String(), `"msg":"request"`) || strings.Contains(logs.String(), `"password"`) {
		t.Errorf("logs:\n%s", logs.String())
	}
}

// TestRunCreateLog runs bwsim with slow creates and a create log that already holds a line: the
// guide's exchange still works, and the log gains exactly one line for its order.
func TestRunCreateLog(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "creates.jsonl")
	if err := os.WriteFile(path, []byte("{\"earlier\":\"run\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	logs := &syncbuf.Buffer{}
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--addr", "127.0.0.1:0", "--create-delay=1ms", "--create-delay-max=2ms", "--create-log", path}, env(nil), logs)
	}()
	url := startupURL(t, logs.String)
	guideExchange(t, url)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, logs.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if len(lines) != 2 || lines[0] != `{"earlier":"run"}` {
		t.Fatalf("create log:\n%s", data)
	}
	var rec struct {
		At               string   `json:"at"`
		AccountID        string   `json:"account_id"`
		OrderID          string   `json:"order_id"`
		CustomerOrderID  string   `json:"customer_order_id"`
		Action           string   `json:"action"`
		TelephoneNumbers []string `json:"telephone_numbers"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.At); err != nil || rec.AccountID != "9900000" || rec.OrderID == "" ||
		rec.CustomerOrderID != "12345" || rec.Action != "ASSIGN" || len(rec.TelephoneNumbers) == 0 {
		t.Errorf("create log line %s", lines[1])
	}
	if !strings.Contains(logs.String(), `"create_delay":"1ms"`) || !strings.Contains(logs.String(), `"create_log":"`+path) {
		t.Errorf("startup line does not show the slow-create settings:\n%s", logs.String())
	}
}

// TestRunCreateLogUnwritable checks a create log that cannot be opened stops bwsim with status 1.
func TestRunCreateLogUnwritable(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	path := filepath.Join(t.TempDir(), "missing", "creates.jsonl")
	if code := run(t.Context(), []string{"--addr", "127.0.0.1:0", "--create-log", path}, env(nil), &out); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "cannot open the create log") {
		t.Errorf("output:\n%s", out.String())
	}
}

// TestBinary builds the command, runs it, does the guide's exchange and stops it with SIGTERM.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "bwsim")
	if out, err := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(t.Context(), bin, "--addr=127.0.0.1:0")
	cmd.Env = append(os.Environ(), "BWSIM_USERNAME=demo")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			logs.Write(append(sc.Bytes(), '\n'))
		}
	}()
	url := startupURL(t, logs.String)
	guideExchange(t, url)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-copied
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, logs.String())
	}
	if !strings.Contains(logs.String(), "bwsim stopped") {
		t.Errorf("no graceful stop in logs:\n%s", logs.String())
	}
}
