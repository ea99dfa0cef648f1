package progress

import (
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// screen records what a Display writes, safe for concurrent use.
type screen struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		terminal bool
		width    int
		stats    Stats
		after    time.Duration
		want     string
	}{
		{"plain start", false, 0, Stats{Total: 12345}, 0,
			"progress: 0/12,345 settled (0%): 0 succeeded, 0 failed, 0 rejected; 0 sent, 0/s, ETA --"},
		{"plain halfway", false, 0, Stats{Total: 2000, Sent: 1500, Succeeded: 990, Failed: 7, Rejected: 3}, 2 * time.Second,
			"progress: 1,000/2,000 settled (50%): 990 succeeded, 7 failed, 3 rejected; 1,500 sent, 500/s, ETA 2s"},
		{"plain stopped", false, 0, Stats{Total: 2000, Sent: 1500, Succeeded: 990, Failed: 7, Rejected: 3, NotSubmitted: 1000}, 2 * time.Second,
			"progress: 2,000/2,000 settled (100%): 990 succeeded, 7 failed, 3 rejected, 1,000 not submitted; 1,500 sent, 1,000/s, ETA 0s"},
		{"bar halfway", true, 120, Stats{Total: 2000, Sent: 1500, Succeeded: 990, Failed: 7, Rejected: 3}, 2 * time.Second,
			"[██████████░░░░░░░░░░]  50%  settled 1,000/2,000: 990 succeeded, 7 failed, 3 rejected  sent 1,500  500/s  ETA 2s"},
		{"bar halfway, 110 columns", true, 110, Stats{Total: 2000, Sent: 1500, Succeeded: 990, Failed: 7, Rejected: 3}, 2 * time.Second,
			"[█████░░░░░]  50%  settled 1,000/2,000: 990 succeeded, 7 failed, 3 rejected  sent 1,500  500/s  ETA 2s"},
		{"bar halfway, 80 columns", true, 80, Stats{Total: 2000, Sent: 1500, Succeeded: 990, Failed: 7, Rejected: 3}, 2 * time.Second,
			"[█████░░░░░]  50%  settled 1,000/2,000: 990 succeeded, 7 failed, 3 rejected  500/s  ETA 2s"},
		{"bar done", true, 120, Stats{Total: 10, Sent: 10, Succeeded: 10}, time.Second,
			"[████████████████████] 100%  settled 10/10: 10 succeeded, 0 failed, 0 rejected  sent 10  10/s  ETA 0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &clock{t: time.Unix(1000, 0)}
			d := New(&screen{}, func() Stats { return tt.stats }, Config{Terminal: tt.terminal, Width: tt.width, Now: c.now})
			if got := d.Line(tt.stats, c.t.Add(tt.after)); got != tt.want {
				t.Errorf("Line =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestTerminalRedraw checks that the bar is redrawn in place: each draw
// returns the carriage and erases the rest of the line, messages clear the
// bar first, and Stop leaves a clean line.
func TestTerminalRedraw(t *testing.T) {
	t.Parallel()
	var scr screen
	var mu sync.Mutex
	stats := Stats{Total: 100}
	d := New(&scr, func() Stats { mu.Lock(); defer mu.Unlock(); return stats }, Config{Terminal: true, Width: 40})
	d.Draw()
	mu.Lock()
	stats.Succeeded = 50
	mu.Unlock()
	d.Draw()
	d.Printf("job %d started", 7)
	d.Draw()
	d.Stop()
	got := scr.String()
	draws := strings.Split(got, "\r")
	// "", bar, bar, clear+message, bar, clear.
	if len(draws) != 6 {
		t.Fatalf("got %d carriage returns, want 5: %q", len(draws)-1, got)
	}
	for _, i := range []int{1, 2, 4} {
		if !strings.HasPrefix(draws[i], "[") || !strings.HasSuffix(draws[i], "\x1b[K") {
			t.Errorf("draw %d = %q, want a bar ending in an erase", i, draws[i])
		}
		if n := len([]rune(strings.TrimSuffix(draws[i], "\x1b[K"))); n > 39 {
			t.Errorf("draw %d is %d columns, wider than the terminal", i, n)
		}
	}
	if draws[3] != "\x1b[Kjob 7 started\n" || draws[5] != "\x1b[K" {
		t.Errorf("message or final clear wrong: %q", got)
	}
	if strings.Contains(draws[1], "50%") || !strings.Contains(draws[2], " 50%") {
		t.Errorf("redraws do not follow the stats: %q", got)
	}
}

func TestPlainLines(t *testing.T) {
	t.Parallel()
	var scr screen
	d := New(&scr, func() Stats { return Stats{Total: 3, Succeeded: 1} }, Config{})
	d.Draw()
	d.Printf("note")
	d.Draw()
	d.Stop()
	lines := strings.Split(strings.TrimSuffix(scr.String(), "\n"), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "progress: 1/3 settled") || lines[1] != "note" {
		t.Errorf("plain output = %q", scr.String())
	}
	if strings.ContainsAny(scr.String(), "\r\x1b") {
		t.Errorf("plain output has control characters: %q", scr.String())
	}
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		terminal bool
		marker   string
	}{
		{"terminal", true, "\r["},
		{"plain", false, "progress: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var scr screen
			d := New(&scr, func() Stats { return Stats{Total: 1} }, Config{Terminal: tt.terminal, Interval: time.Millisecond})
			d.Start()
			deadline := time.Now().Add(5 * time.Second)
			for strings.Count(scr.String(), tt.marker) < 3 && time.Now().Before(deadline) {
				time.Sleep(time.Millisecond)
			}
			d.Stop()
			d.Stop() // idempotent
			if n := strings.Count(scr.String(), tt.marker); n < 3 {
				t.Errorf("%d redraws, want at least 3", n)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 12345: "12,345", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", in, got, want)
		}
	}
}
