package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// tally checks the invariant: every number received appears in exactly one
// rejected or order entry, or among finished's not-submitted numbers.
type tally struct {
	started  bool
	seen     map[string]int
	finished *tnassignv1.JobFinished
}

func (tl *tally) add(t *testing.T, ev *tnassignv1.AssignNumbersResponse) {
	t.Helper()
	if tl.seen == nil {
		tl.seen = map[string]int{}
	}
	if tl.finished != nil {
		t.Errorf("event after finished: %v", ev)
	}
	switch e := ev.GetEvent().(type) {
	case *tnassignv1.AssignNumbersResponse_Started:
		tl.started = true
	case *tnassignv1.AssignNumbersResponse_Rejected:
		for _, r := range e.Rejected.GetNumbers() {
			tl.seen[r.GetTelephoneNumber()]++
		}
	case *tnassignv1.AssignNumbersResponse_Order:
		for _, n := range e.Order.GetSucceededNumbers() {
			tl.seen[n]++
		}
		for _, oe := range e.Order.GetErrors() {
			for _, n := range oe.GetTelephoneNumbers() {
				tl.seen[n]++
			}
		}
	case *tnassignv1.AssignNumbersResponse_Finished:
		tl.finished = e.Finished
		for _, n := range e.Finished.GetNotSubmittedNumbers() {
			tl.seen[n]++
		}
	}
	if !tl.started {
		t.Errorf("event before started: %v", ev)
	}
}

// check asserts that exactly want (the numbers the server received) are
// accounted for, each once, and that finished's counts agree.
func (tl *tally) check(t *testing.T, want []string) {
	t.Helper()
	if tl.finished == nil {
		t.Fatal("no finished event")
	}
	f := tl.finished
	if f.GetReceivedCount() != int64(len(want)) {
		t.Errorf("receivedCount %d, want %d", f.GetReceivedCount(), len(want))
	}
	if sum := f.GetRejectedCount() + f.GetSucceededCount() + f.GetFailedCount() + f.GetNotSubmittedCount(); sum != f.GetReceivedCount() {
		t.Errorf("counts %v add up to %d, not receivedCount", f, sum)
	}
	for _, n := range want {
		if tl.seen[n] != 1 {
			t.Errorf("number %s accounted %d times, want once", n, tl.seen[n])
		}
	}
	if len(tl.seen) != len(want) {
		t.Errorf("%d distinct numbers in events, want %d", len(tl.seen), len(want))
	}
}

// numbers makes n distinct owned numbers of the simulated account.
func numbers(n int) []string {
	prefixes := []string{"919555", "415871", "435215"}
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%04d", prefixes[i/10000], i%10000)
	}
	return out
}

// postAssign streams nums as NDJSON lines of perLine numbers while reading
// the answer, and tallies the outcome lines.
func postAssign(t *testing.T, url string, nums []string, perLine int) *tally {
	t.Helper()
	pr, pw := io.Pipe()
	go func() {
		bw := bufio.NewWriter(pw)
		for i := 0; i < len(nums); i += perLine {
			line := map[string]any{"telephoneNumbers": nums[i:min(i+perLine, len(nums))]}
			if i == 0 {
				line["accountId"] = "9900000"
			}
			b, _ := json.Marshal(line)
			bw.Write(append(b, '\n'))
		}
		pw.CloseWithError(bw.Flush())
	}()
	resp, err := http.Post(url, "application/x-ndjson", pr)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	tl := &tally{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 4<<20), 4<<20)
	for sc.Scan() {
		var line struct {
			Result json.RawMessage `json:"result"`
			Error  json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if line.Error != nil {
			t.Fatalf("error line: %s", line.Error)
		}
		var ev tnassignv1.AssignNumbersResponse
		if err := protojson.Unmarshal(line.Result, &ev); err != nil {
			t.Fatalf("result %s: %v", line.Result, err)
		}
		tl.add(t, &ev)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return tl
}

// waitInFlight polls /metrics until an order is in flight.
func waitInFlight(t *testing.T, httpAddr string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := http.Get("http://" + httpAddr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		for _, l := range strings.Split(string(body), "\n") {
			if v, ok := strings.CutPrefix(l, "tnassign_orders_in_flight "); ok && v != "0" {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("no order in flight within 10s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
