package progress

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Stats is a snapshot of a run's progress, in numbers.
type Stats struct {
	Total        int64 // numbers to send
	Sent         int64 // numbers sent to the server
	Succeeded    int64 // numbers Bandwidth reported as succeeded
	Failed       int64 // numbers Bandwidth reported as failed
	Rejected     int64 // numbers the server refused (invalid or duplicate)
	NotSubmitted int64 // numbers the job stopped before sending to Bandwidth
}

// Settled returns how many numbers have an outcome.
func (s Stats) Settled() int64 { return s.Succeeded + s.Failed + s.Rejected + s.NotSubmitted }

// outcomes spells the settled numbers by outcome: "9 succeeded, 1 failed,
// 0 rejected", and the numbers not submitted when there are some.
func (s Stats) outcomes() string {
	text := fmt.Sprintf("%s succeeded, %s failed, %s rejected", Thousands(s.Succeeded), Thousands(s.Failed), Thousands(s.Rejected))
	if s.NotSubmitted > 0 {
		text += ", " + Thousands(s.NotSubmitted) + " not submitted"
	}
	return text
}

// Config tunes a Display. Zero values take the defaults.
type Config struct {
	// Terminal draws a bar redrawn in place instead of plain lines.
	Terminal bool
	// Width is the terminal's width in columns; default 80.
	Width int
	// Interval between redraws: default 200ms on a terminal, 5s otherwise.
	Interval time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Display shows a run's progress on w until Stop.
type Display struct {
	w     io.Writer
	stats func() Stats
	cfg   Config
	start time.Time

	mu      sync.Mutex // serializes writes to w
	onto    bool       // a bar is drawn on the current terminal line
	started bool
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

const barCells = 20

// New returns a Display that reads its numbers from stats, which must be
// safe to call from another goroutine.
func New(w io.Writer, stats func() Stats, cfg Config) *Display {
	if cfg.Width <= 0 {
		cfg.Width = 80
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 5 * time.Second
		if cfg.Terminal {
			cfg.Interval = 200 * time.Millisecond
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Display{w: w, stats: stats, cfg: cfg, start: cfg.Now(), stop: make(chan struct{}), stopped: make(chan struct{})}
}

// Start redraws the display every interval, from a goroutine, until Stop.
func (d *Display) Start() {
	d.started = true
	go func() {
		defer close(d.stopped)
		t := time.NewTicker(d.cfg.Interval)
		defer t.Stop()
		if d.cfg.Terminal {
			d.Draw()
		}
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.Draw()
			}
		}
	}()
}

// Stop ends the redraws started by Start and clears the bar from the
// terminal, so what is printed next starts on a clean line. Start and Stop
// are called from the same goroutine; Stop may be called more than once.
func (d *Display) Stop() {
	if d.started {
		d.once.Do(func() { close(d.stop) })
		<-d.stopped
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
}

// Draw shows the current progress once: redraws the bar in place on a
// terminal, or writes a plain line.
func (d *Display) Draw() {
	line := d.Line(d.stats(), d.cfg.Now())
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cfg.Terminal {
		fmt.Fprintf(d.w, "\r%s\x1b[K", truncate(line, d.cfg.Width-1))
		d.onto = true
		return
	}
	fmt.Fprintln(d.w, line)
}

// Printf writes a message on a line of its own; on a terminal the bar is
// cleared first and drawn again at the next redraw.
func (d *Display) Printf(format string, args ...any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clear()
	fmt.Fprintf(d.w, strings.TrimSuffix(format, "\n")+"\n", args...)
}

func (d *Display) clear() {
	if d.onto {
		fmt.Fprint(d.w, "\r\x1b[K")
		d.onto = false
	}
}

// Line returns the progress text for s at now, without control characters:
// a bar on a terminal, a sentence otherwise.
func (d *Display) Line(s Stats, now time.Time) string {
	settled := s.Settled()
	elapsed := now.Sub(d.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(settled) / elapsed.Seconds()
	}
	eta := "--"
	if rate > 0 && s.Total >= settled {
		eta = (time.Duration(float64(s.Total-settled) / rate * float64(time.Second))).Round(time.Second).String()
	}
	pct := 100
	if s.Total > 0 {
		pct = int(settled * 100 / s.Total)
	}
	if !d.cfg.Terminal {
		return fmt.Sprintf("progress: %s/%s settled (%d%%): %s; %s sent, %s/s, ETA %s",
			Thousands(settled), Thousands(s.Total), pct, s.outcomes(), Thousands(s.Sent),
			Thousands(int64(rate)), eta)
	}
	// The widest form that fits the terminal: a shorter bar first, then
	// without the numbers sent, which matter least once sending is done.
	var line string
	for _, form := range []struct {
		cells int
		sent  bool
	}{{barCells, true}, {barCells / 2, true}, {barCells / 2, false}} {
		filled := form.cells * pct / 100
		bar := strings.Repeat("█", filled) + strings.Repeat("░", form.cells-filled)
		sent := ""
		if form.sent {
			sent = "  sent " + Thousands(s.Sent)
		}
		line = fmt.Sprintf("[%s] %3d%%  settled %s/%s: %s%s  %s/s  ETA %s",
			bar, pct, Thousands(settled), Thousands(s.Total), s.outcomes(), sent, Thousands(int64(rate)), eta)
		if utf8.RuneCountInString(line) < d.cfg.Width {
			break
		}
	}
	return line
}

// truncate cuts s to at most n runes.
func truncate(s string, n int) string {
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Thousands formats n with comma thousands separators: 12345 is "12,345".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
