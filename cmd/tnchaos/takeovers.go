package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Messages of tnassignd's log that the report counts (service/lease.go, service/handover.go).
const (
	takeoverMsg   = "taking over a job whose replica stopped"
	handedOverMsg = "job handed over unfinished; another replica or the next start finishes it"
)

// takeover is one "taking over a job" line of a replica's log.
type takeover struct {
	At            time.Time
	JobID         string
	PreviousOwner string // the replica id that owned the job
	By            string // the replica whose log has the line
}

// replicaLogs is what the replicas' logs say.
type replicaLogs struct {
	takeovers  []takeover // in time order
	handedOver int        // jobs a replica left unfinished for another
}

// readReplicaLogs reads every replica incarnation's log in runDir (named <replica>.<n>.log).
func readReplicaLogs(runDir string, names []string) (replicaLogs, error) {
	var out replicaLogs
	for _, name := range names {
		paths, _ := filepath.Glob(filepath.Join(runDir, name+".*.log"))
		for _, path := range paths {
			if err := scanReplicaLog(path, name, &out); err != nil {
				return out, err
			}
		}
	}
	slices.SortStableFunc(out.takeovers, func(a, b takeover) int { return a.At.Compare(b.At) })
	return out, nil
}

// scanReplicaLog adds one log file's takeovers and hand-overs.
func scanReplicaLog(path, by string, out *replicaLogs) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !strings.Contains(string(line), "handed over") && !strings.Contains(string(line), "taking over") {
			continue
		}
		var l struct {
			Time          time.Time `json:"time"`
			Msg           string    `json:"msg"`
			JobID         string    `json:"job_id"`
			PreviousOwner string    `json:"previous_owner"`
		}
		if json.Unmarshal(line, &l) != nil {
			continue
		}
		switch l.Msg {
		case takeoverMsg:
			out.takeovers = append(out.takeovers, takeover{At: l.Time, JobID: l.JobID, PreviousOwner: l.PreviousOwner, By: by})
		case handedOverMsg:
			out.handedOver++
		}
	}
	return sc.Err()
}

// takeoverStats summarises how long jobs stayed orphaned after kills.
type takeoverStats struct {
	Count      int           // takeovers logged
	Attributed int           // of which explained by a kill
	Longest    time.Duration // longest time from a kill to the takeover of a job it orphaned
	LongestBy  takeover      // that takeover
	LongestOf  killEvent     // that kill
}

// measureTakeovers attributes each takeover to the kill that orphaned the job: the first kill of
// the job's previous owner after the job came to it (its creation, or its previous takeover).
// For each kill, the time to the takeover of its last job is the takeover time of that kill; the
// longest of those is reported. Takeovers no kill explains (a lease lost otherwise) are counted
// but not timed. created maps job ids to creation times (a job missing from it counts as
// created before every kill).
func measureTakeovers(kills []killEvent, tos []takeover, created map[string]time.Time) takeoverStats {
	st := takeoverStats{Count: len(tos)}
	since := make(map[string]time.Time, len(created))
	for id, t := range created {
		since[id] = t
	}
	for _, t := range tos {
		from := since[t.JobID]
		since[t.JobID] = t.At
		i := slices.IndexFunc(kills, func(k killEvent) bool {
			return k.Replica == t.PreviousOwner && !k.At.Before(from) && !k.At.After(t.At)
		})
		if i < 0 {
			continue
		}
		st.Attributed++
		if d := t.At.Sub(kills[i].At); d > st.Longest {
			st.Longest, st.LongestBy, st.LongestOf = d, t, kills[i]
		}
	}
	return st
}
