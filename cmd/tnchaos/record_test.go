package main

import (
	"slices"
	"testing"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// testUnit is a unit of numbers a, b, c with a second spelling of a and of c and an invalid
// text, in the order a, b, (a), x1, c, (c).
func testUnit() *unit {
	return &unit{requestID: "req", action: tnassignv1.Action_ACTION_ASSIGN, entries: []entry{
		{text: "9195000001", number: "9195000001"},
		{text: "9195000002", number: "9195000002"},
		{text: "(919) 500-0001", number: "9195000001", dup: true},
		{text: "x1"},
		{text: "9195000003", number: "9195000003"},
		{text: "+1 919.500.0003", number: "9195000003", dup: true},
	}}
}

// texts lists the entries' texts.
func texts(es []entry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.text
	}
	return out
}

func TestRecordSettle(t *testing.T) {
	t.Parallel()
	ok := outcome{Result: resSucceeded, OrderID: "O1"}
	tests := []struct {
		name      string
		outcomes  map[string]outcome // of job J, as the call showed them
		takenByK  []string           // numbers job K took before
		wantRest  []string
		wantOwner map[string]string
	}{
		{
			name: "every entry has an outcome",
			outcomes: map[string]outcome{"9195000001": ok, "9195000002": ok, "(919) 500-0001": {Result: resRejected, Reason: reasonDup},
				"x1": {Result: resRejected, Reason: reasonBad}, "9195000003": ok, "+1 919.500.0003": {Result: resRejected, Reason: reasonDup}},
			wantOwner: map[string]string{"9195000001": "J", "9195000002": "J", "9195000003": "J"},
		},
		{
			name:      "the job read the first three: the rest is sent again",
			outcomes:  map[string]outcome{"9195000001": ok, "9195000002": ok, "(919) 500-0001": {Result: resRejected, Reason: reasonDup}},
			wantRest:  []string{"x1", "9195000003", "+1 919.500.0003"},
			wantOwner: map[string]string{"9195000001": "J", "9195000002": "J", "9195000003": ""},
		},
		{
			name:      "a second spelling of a number the job took is not sent again",
			outcomes:  map[string]outcome{"9195000001": {Result: resNotSub}},
			wantRest:  []string{"9195000002", "x1", "9195000003", "+1 919.500.0003"},
			wantOwner: map[string]string{"9195000001": "J", "9195000002": "", "9195000003": ""},
		},
		{
			name:      "numbers another job took are never sent again",
			outcomes:  map[string]outcome{"9195000001": ok},
			takenByK:  []string{"9195000003"},
			wantRest:  []string{"9195000002", "x1"},
			wantOwner: map[string]string{"9195000001": "J", "9195000002": "", "9195000003": "K"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecord()
			u := testUnit()
			r.generated(u)
			for _, n := range tt.takenByK {
				r.owners[n] = "K"
			}
			v := newCallView()
			v.jobID = "J"
			v.outcomes = tt.outcomes
			r.observe(u, v)
			rest := r.settle(u, "J")
			if got := texts(rest); !slices.Equal(got, tt.wantRest) {
				t.Errorf("rest %q, want %q", got, tt.wantRest)
			}
			rec, _ := r.snapshot()
			for n, want := range tt.wantOwner {
				if got := rec.Owners[n]; got != want {
					t.Errorf("owner of %s = %q, want %q", n, got, want)
				}
			}
			if len(rec.Anomalies) > 0 {
				t.Errorf("anomalies: %v", rec.Anomalies)
			}
		})
	}
}

func TestRecordHandOver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		read      int
		wantRest  []string
		wantOwned []string
	}{
		{"nothing read", 0, []string{"9195000001", "9195000002", "(919) 500-0001", "x1", "9195000003", "+1 919.500.0003"}, nil},
		{"a number read, its second spelling not", 1, []string{"9195000002", "x1", "9195000003", "+1 919.500.0003"}, []string{"9195000001"}},
		{"up to the invalid text", 4, []string{"9195000003", "+1 919.500.0003"}, []string{"9195000001", "9195000002"}},
		{"everything", 6, nil, []string{"9195000001", "9195000002", "9195000003"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecord()
			u := testUnit()
			r.generated(u)
			rest := r.handOver(u, "J", tt.read)
			if got := texts(rest); !slices.Equal(got, tt.wantRest) {
				t.Errorf("rest %q, want %q", got, tt.wantRest)
			}
			rec, st := r.snapshot()
			var owned []string
			for _, n := range sortedKeys(rec.Owners) {
				if rec.Owners[n] == "J" {
					owned = append(owned, n)
				}
			}
			if !slices.Equal(owned, tt.wantOwned) {
				t.Errorf("J owns %q, want %q", owned, tt.wantOwned)
			}
			if rec.Jobs["J"] == nil || st.HandOvers != 1 {
				t.Errorf("job J not recorded (%v) or hand-overs %d", rec.Jobs, st.HandOvers)
			}
		})
	}
}

func TestRecordObserveAnomalies(t *testing.T) {
	t.Parallel()
	ok := outcome{Result: resSucceeded, OrderID: "O1"}
	fin := &finishedView{State: tnassignv1.JobState_JOB_STATE_SUCCEEDED, Counts: counts{Received: 1, Succeeded: 1}}
	tests := []struct {
		name  string
		calls []*callView
		want  int // anomalies
	}{
		{"a live stream and its replay agree", []*callView{
			{jobID: "J", outcomes: map[string]outcome{"9195000001": ok}},
			{jobID: "J", outcomes: map[string]outcome{"9195000001": {Result: resSucceeded}}, finished: fin},
		}, 0},
		{"a number twice in one stream", []*callView{
			{jobID: "J", outcomes: map[string]outcome{"9195000001": ok}, repeated: []string{"9195000001"}},
		}, 1},
		{"two outcomes for one number", []*callView{
			{jobID: "J", outcomes: map[string]outcome{"9195000001": ok}},
			{jobID: "J", outcomes: map[string]outcome{"9195000001": {Result: resFailed, Code: 5131}}},
		}, 1},
		{"two different finished", []*callView{
			{jobID: "J", outcomes: map[string]outcome{}, finished: fin},
			{jobID: "J", outcomes: map[string]outcome{}, finished: &finishedView{State: tnassignv1.JobState_JOB_STATE_ABORTED}},
		}, 1},
		{"events before started", []*callView{{outcomes: map[string]outcome{"9195000001": ok}}}, 1},
		{"two started", []*callView{{jobID: "J", outcomes: map[string]outcome{}, jobIDs: []string{"K"}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRecord()
			u := testUnit()
			for _, v := range tt.calls {
				r.observe(u, v)
			}
			rec, _ := r.snapshot()
			if len(rec.Anomalies) != tt.want {
				t.Errorf("anomalies %v, want %d", rec.Anomalies, tt.want)
			}
			for _, a := range rec.Anomalies {
				if a.Kind != kindCallerStream {
					t.Errorf("anomaly of kind %v", a.Kind)
				}
			}
		})
	}
}
