package examples

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/internal/daemontest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// nodeEvent is one line the Node example prints: one event of the stream.
type nodeEvent struct {
	Started *struct {
		JobID  string `json:"jobId"`
		Action string `json:"action"`
	} `json:"started"`
	Rejected *struct {
		Numbers []struct {
			TelephoneNumber string `json:"telephoneNumber"`
			Reason          string `json:"reason"`
		} `json:"numbers"`
	} `json:"rejected"`
	Order *struct {
		OrderID          string   `json:"orderId"`
		SucceededNumbers []string `json:"succeededNumbers"`
		Errors           []struct {
			Code             int      `json:"code"`
			TelephoneNumbers []string `json:"telephoneNumbers"`
		} `json:"errors"`
	} `json:"order"`
	Finished *struct {
		State               string   `json:"state"`
		ReceivedCount       int      `json:"receivedCount"`
		RejectedCount       int      `json:"rejectedCount"`
		SucceededCount      int      `json:"succeededCount"`
		FailedCount         int      `json:"failedCount"`
		NotSubmittedNumbers []string `json:"notSubmittedNumbers"`
	} `json:"finished"`
}

// TestNodeExample installs the Node example's locked dependencies into a
// copy of it and runs it against tnassignd --simulate.
func TestNodeExample(t *testing.T) {
	if testing.Short() {
		t.Skip("installs npm packages and runs tnassignd")
	}
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	googleapis := filepath.Join(root, "third_party", "googleapis")
	if _, err := os.Stat(filepath.Join(googleapis, "google", "api", "annotations.proto")); err != nil {
		t.Skip("third_party/googleapis is missing; run make third_party")
	}
	dir := t.TempDir()
	for _, f := range []string{"assign.js", "package.json", "package-lock.json", ".npmrc"} {
		data, err := os.ReadFile(filepath.Join("node", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci: %v\n%s", err, out)
	}
	d := daemontest.Start(t, daemontest.Build(t, daemontest.DaemonPackage, t.TempDir()),
		"--poll-interval", "50ms", "--batch-linger", "100ms")

	run := func(t *testing.T, stdin string, args ...string) (int, []nodeEvent, string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "node", append([]string{"assign.js", "--server", d.GRPCAddr}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "TNASSIGN_PROTO_DIR="+filepath.Join(root, "proto"), "GOOGLEAPIS_DIR="+googleapis)
		cmd.Stdin = strings.NewReader(stdin)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("node: %v", err)
		}
		var events []nodeEvent
		sc := bufio.NewScanner(&stdout)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var ev nodeEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			events = append(events, ev)
		}
		return cmd.ProcessState.ExitCode(), events, stderr.String()
	}

	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantCode  int
		wantState string
		wantCount [4]int // rejected, succeeded, failed, not submitted
	}{
		{"assign from arguments", "", []string{"--account", "9900000", "9195550001", "(919) 555-0002", "2125550003", "12345", "9195550001"},
			1, "JOB_STATE_PARTIAL", [4]int{2, 2, 1, 0}},
		{"unassign from stdin", "4158710001\n\n4158710002\n", []string{"--account", "9900000", "--unassign"},
			0, "JOB_STATE_SUCCEEDED", [4]int{0, 2, 0, 0}},
		{"dry run", "", []string{"--account", "9900000", "--dry-run", "9195550001", "x"},
			1, "JOB_STATE_PARTIAL", [4]int{1, 0, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, events, stderr := run(t, tt.stdin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if len(events) < 2 || events[0].Started == nil || events[len(events)-1].Finished == nil {
				t.Fatalf("events %+v: want started first and finished last", events)
			}
			var got [4]int
			for _, ev := range events {
				if ev.Rejected != nil {
					got[0] += len(ev.Rejected.Numbers)
				}
				if ev.Order != nil {
					got[1] += len(ev.Order.SucceededNumbers)
					for _, e := range ev.Order.Errors {
						got[2] += len(e.TelephoneNumbers)
					}
				}
			}
			f := events[len(events)-1].Finished
			got[3] = len(f.NotSubmittedNumbers)
			if got != tt.wantCount || f.State != tt.wantState ||
				f.ReceivedCount != got[0]+got[1]+got[2]+got[3] {
				t.Errorf("events count %v, finished %+v; want %v, %s", got, f, tt.wantCount, tt.wantState)
			}
		})
	}

	t.Run("account not served", func(t *testing.T) {
		code, _, stderr := run(t, "", "--account", "1", "9195550001")
		if code != 2 || !strings.Contains(stderr, "PERMISSION_DENIED") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}
