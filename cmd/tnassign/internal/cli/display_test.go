package cli

import (
	"strings"
	"testing"
	"time"
)

// TestProgressModes runs the command with standard error as a terminal and
// as a plain stream, and checks how progress is drawn on each.
func TestProgressModes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		terminal bool
		want     []string
		notWant  []string
	}{
		{"terminal", true, []string{"\r[", "\x1b[K", "job job-1 started", "\r\x1b[K"}, []string{"progress:"}},
		{"plain", false, []string{"progress: ", " settled (", "job job-1 started"}, []string{"\r", "\x1b["}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, "n.txt", "9195550001\n9195550002\n")
			f := newFake()
			f.afterFirst = func() { time.Sleep(50 * time.Millisecond) }
			res := runCLI(t, f, Env{Terminal: tt.terminal, Width: 100, ProgressInterval: time.Millisecond},
				"assign", "--account", "9900000", "--file", path)
			if res.code != ExitOK {
				t.Fatalf("exit %d\n%s", res.code, res.stderr)
			}
			for _, s := range tt.want {
				if !strings.Contains(res.stderr, s) {
					t.Errorf("stderr lacks %q:\n%q", s, res.stderr)
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(res.stderr, s) {
					t.Errorf("stderr has %q:\n%q", s, res.stderr)
				}
			}
			if strings.ContainsAny(res.stdout, "\r\x1b") {
				t.Errorf("summary on stdout has control characters: %q", res.stdout)
			}
		})
	}
}
