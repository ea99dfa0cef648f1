package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestMeasureTakeovers(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	kills := []killEvent{
		{Replica: "r1", At: at(10), Signal: syscall.SIGKILL},
		{Replica: "r2", At: at(20), Signal: syscall.SIGTERM},
		{Replica: "r1", At: at(30), Signal: syscall.SIGTERM},
	}
	created := map[string]time.Time{"A": at(5), "B": at(8), "C": at(12), "D": at(25)}
	tests := []struct {
		name           string
		tos            []takeover
		wantAttributed int
		wantLongest    time.Duration
		wantJob        string
	}{
		{"no takeover", nil, 0, 0, ""},
		{"the last job of a kill sets its time", []takeover{
			{At: at(13), JobID: "A", PreviousOwner: "r1", By: "r2"},
			{At: at(14.5), JobID: "B", PreviousOwner: "r1", By: "r3"},
		}, 2, 4500 * time.Millisecond, "B"},
		{"a job created after its owner's kill is not that kill's", []takeover{
			{At: at(15), JobID: "C", PreviousOwner: "r1", By: "r2"},
		}, 0, 0, ""},
		{"a job taken over twice is timed from the kill of each owner", []takeover{
			{At: at(13), JobID: "A", PreviousOwner: "r1", By: "r2"},
			{At: at(21), JobID: "A", PreviousOwner: "r2", By: "r3"},
		}, 2, 3 * time.Second, "A"},
		{"a job orphaned by the first of two kills of its owner", []takeover{
			{At: at(31), JobID: "B", PreviousOwner: "r1", By: "r3"},
		}, 1, 21 * time.Second, "B"},
		{"a lease lost without a kill", []takeover{
			{At: at(27), JobID: "D", PreviousOwner: "r3", By: "r1"},
		}, 0, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := measureTakeovers(kills, tt.tos, created)
			if st.Count != len(tt.tos) || st.Attributed != tt.wantAttributed || st.Longest != tt.wantLongest || st.LongestBy.JobID != tt.wantJob {
				t.Errorf("got %d takeovers, %d attributed, longest %s (job %q); want %d, %d, %s (job %q)",
					st.Count, st.Attributed, st.Longest, st.LongestBy.JobID, len(tt.tos), tt.wantAttributed, tt.wantLongest, tt.wantJob)
			}
		})
	}
}

func TestReadReplicaLogs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("r1.1.log", `{"time":"2026-01-01T00:00:02Z","level":"INFO","msg":"taking over a job whose replica stopped","job_id":"B","previous_owner":"r2","generation":2}
not json at all
{"time":"2026-01-01T00:00:03Z","level":"WARN","msg":"job handed over unfinished; another replica or the next start finishes it","job_id":"C"}
`)
	write("r2.1.log", `{"time":"2026-01-01T00:00:01Z","level":"INFO","msg":"taking over a job whose replica stopped","job_id":"A","previous_owner":"r1"}
`)
	write("bwsim.log", `{"time":"2026-01-01T00:00:00Z","msg":"taking over a job whose replica stopped","job_id":"Z"}
`)
	logs, err := readReplicaLogs(dir, []string{"r1", "r2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs.takeovers) != 2 || logs.handedOver != 1 {
		t.Fatalf("got %+v", logs)
	}
	if first := logs.takeovers[0]; first.JobID != "A" || first.PreviousOwner != "r1" || first.By != "r2" {
		t.Errorf("takeovers not in time order, or misread: %+v", logs.takeovers)
	}
}
