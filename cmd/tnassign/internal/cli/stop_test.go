package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/progress"
	"github.com/tnassign/tnassign/cmd/tnassign/internal/rows"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"

	"github.com/tnassign/tnassign/internal/syncbuf"
)

func TestCallFailsAfterStarted(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	for i := range 12 {
		if i%2 == 1 {
			fmt.Fprintf(&in, "(919) 555-%04d\n", i)
		} else {
			fmt.Fprintf(&in, "919555%04d\n", i)
		}
	}
	path := writeFile(t, "n.txt", in.String())
	out := filepath.Join(t.TempDir(), "r.csv")
	f := newFake()
	f.abortAfter = 5
	res := runCLI(t, f, Env{}, "assign", "--account", "9900000", "--file", path, "--out", out, "--batch", "4")
	if res.code != ExitError {
		t.Fatalf("exit %d, want %d\n%s", res.code, ExitError, res.stderr)
	}
	if !strings.Contains(res.stderr, "bandwidth is down (Unavailable); re-run the same command") {
		t.Errorf("stderr lacks the hint:\n%s", res.stderr)
	}
	recs := readCSV(t, out)
	if len(recs) != 13 {
		t.Fatalf("%d result rows, want 12 and a header", len(recs)-1)
	}
	for i, r := range recs[1:] {
		if r[2] != "not_submitted" || r[1] == "" {
			t.Errorf("row %d = %v, want not_submitted with its number", i+1, r)
		}
		wantDesc := "the job stopped (failed)"
		if i >= 8 {
			wantDesc = "the call ended early (Unavailable)"
		}
		if !strings.Contains(r[4], wantDesc) {
			t.Errorf("row %d description %q lacks %q", i+1, r[4], wantDesc)
		}
	}
}

func TestInterruptStopsSending(t *testing.T) {
	t.Parallel()
	var in strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&in, "9195%06d\n", i)
	}
	path := writeFile(t, "n.txt", in.String())
	out := filepath.Join(t.TempDir(), "r.csv")
	interrupts := make(chan os.Signal, 1)
	f := newFake()
	f.owned["919500"], f.owned["919501"] = true, true
	f.afterFirst = func() {
		interrupts <- syscall.SIGINT
		time.Sleep(200 * time.Millisecond) // let the client stop while flow control holds it
	}
	res := runCLI(t, f, Env{Interrupts: interrupts}, "assign", "--account", "9900000", "--file", path, "--out", out, "--batch", "1")
	if res.code != ExitIncomplete {
		t.Fatalf("exit %d, want %d\n%s", res.code, ExitIncomplete, res.stderr)
	}
	if !strings.Contains(res.stderr, "interrupted: sending no more numbers") {
		t.Errorf("stderr lacks the interrupt notice:\n%s", res.stderr)
	}
	recs := readCSV(t, out)
	if len(recs) != 20001 {
		t.Fatalf("%d result rows, want 20000", len(recs)-1)
	}
	counts := map[string]int{}
	for _, r := range recs[1:] {
		counts[r[2]+"/"+r[4]]++
	}
	if counts["succeeded/"] == 0 || counts["not_submitted/not sent to the server: interrupted"] == 0 ||
		counts["succeeded/"]+counts["not_submitted/not sent to the server: interrupted"] != 20000 {
		t.Errorf("outcomes = %v, want some succeeded and the rest not sent", counts)
	}
}

// scriptedStream is a callStream whose Send reports every message.
type scriptedStream struct {
	mu     sync.Mutex
	sent   [][]string
	closed bool
	onSend func(n int) error
}

func (s *scriptedStream) Send(r *tnassignv1.AssignNumbersRequest) error {
	s.mu.Lock()
	s.sent = append(s.sent, r.GetTelephoneNumbers())
	n := len(s.sent)
	s.mu.Unlock()
	return s.onSend(n)
}
func (s *scriptedStream) CloseSend() error     { s.mu.Lock(); s.closed = true; s.mu.Unlock(); return nil }
func (s *scriptedStream) Recv() (event, error) { return event{}, errors.New("not used") }

func TestSend(t *testing.T) {
	t.Parallel()
	table := rows.NewTable()
	for _, n := range []string{"9195550001", "9195550002", "9195550003", "9195550004", "9195550005"} {
		if err := table.Add(n); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name       string
		stopAfter  int // close stop after this many sends; 0 never
		failAt     int // Send fails at this message; 0 never
		wantMsgs   int
		wantSent   int64
		wantClosed bool
	}{
		{"all", 0, 0, 3, 5, true},
		{"stopped after the first message", 1, 0, 1, 2, true},
		{"send fails", 0, 2, 2, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j := &job{o: options{batch: 2, account: "1"}, table: table, requestID: "r"}
			stop := make(chan struct{})
			s := &scriptedStream{onSend: func(n int) error {
				if n == tt.stopAfter {
					close(stop)
				}
				if n == tt.failAt {
					return errors.New("broken")
				}
				return nil
			}}
			j.send(s, stop)
			if len(s.sent) != tt.wantMsgs || j.sent.Load() != tt.wantSent || s.closed != tt.wantClosed {
				t.Errorf("messages %d, sent %d, closed %v; want %d, %d, %v",
					len(s.sent), j.sent.Load(), s.closed, tt.wantMsgs, tt.wantSent, tt.wantClosed)
			}
		})
	}
}

func TestWatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		signals    int
		wantStop   bool
		wantCancel bool
	}{
		{"none", 0, false, false},
		{"one stops sending", 1, true, false},
		{"two end the call", 2, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf syncbuf.Buffer
			j := &job{display: progress.New(&buf, func() progress.Stats { return progress.Stats{} }, progress.Config{})}
			interrupts := make(chan os.Signal, 2)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			stopped := make(chan struct{})
			done := make(chan struct{})
			finished := make(chan struct{})
			go func() {
				defer close(finished)
				j.watch(interrupts, done, func() { close(stopped) }, cancel)
			}()
			for range tt.signals {
				interrupts <- os.Interrupt
			}
			if tt.wantCancel {
				<-ctx.Done()
			} else if tt.wantStop {
				<-stopped
			}
			close(done)
			<-finished
			select {
			case <-stopped:
				if !tt.wantStop {
					t.Error("sending stopped")
				}
			default:
				if tt.wantStop {
					t.Error("sending not stopped")
				}
			}
			if (ctx.Err() != nil) != tt.wantCancel {
				t.Errorf("cancelled = %v, want %v", ctx.Err() != nil, tt.wantCancel)
			}
		})
	}
}
