package rows

import (
	"strings"
	"testing"
)

func newTestTable(t *testing.T, texts ...string) *Table {
	t.Helper()
	table := NewTable()
	for _, s := range texts {
		if err := table.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	return table
}

// report is one server report, applied in order.
type report struct {
	kind   string // "reject", "dup", "ok", "fail", "notsub"
	text   string
	order  string
	wantOK bool
}

func TestMatching(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		rows    []string
		reports []report
		want    []string // "outcome code" per row
	}{{
		name: "duplicates with the same and other text",
		rows: []string{"9195550001", "9195550001", "(919) 555-0001", "9195550002"},
		reports: []report{
			{"dup", "9195550001", "", true},
			{"dup", "(919) 555-0001", "", true},
			{"ok", "9195550001", "o1", true},
			{"fail", "9195550002", "o1", true},
		},
		want: []string{"succeeded ", "rejected DUPLICATE", "rejected DUPLICATE", "failed 5076"},
	}, {
		name: "duplicate reported before its first row settles",
		rows: []string{"9195550001", "9195550001"},
		reports: []report{
			{"dup", "9195550001", "", true},
			{"ok", "9195550001", "o1", true},
		},
		want: []string{"succeeded ", "rejected DUPLICATE"},
	}, {
		name: "repeated invalid text",
		rows: []string{"abc", "9195550001", "abc"},
		reports: []report{
			{"reject", "abc", "", true},
			{"reject", "abc", "", true},
			{"reject", "abc", "", false},
			{"ok", "9195550001", "o1", true},
		},
		want: []string{"rejected INVALID_FORMAT", "succeeded ", "rejected INVALID_FORMAT"},
	}, {
		name: "rejections out of order",
		rows: []string{"x1", "x2", "x3"},
		reports: []report{
			{"reject", "x3", "", true},
			{"reject", "x1", "", true},
			{"reject", "x2", "", true},
		},
		want: []string{"rejected INVALID_FORMAT", "rejected INVALID_FORMAT", "rejected INVALID_FORMAT"},
	}, {
		name: "server accepts text the client cannot read",
		rows: []string{"919/555/0001"},
		reports: []report{
			{"ok", "9195550001", "o1", true},
		},
		want: []string{"succeeded "},
	}, {
		name: "server rejects the first row the client read, keeps a later one",
		rows: []string{"919 555 0001 ", "9195550001"},
		reports: []report{
			{"reject", "919 555 0001 ", "", true},
			{"ok", "9195550001", "o1", true},
		},
		want: []string{"rejected INVALID_FORMAT", "succeeded "},
	}, {
		name: "not submitted, canonical and as sent",
		rows: []string{"(919) 555-0001", "9195550001", "junk"},
		reports: []report{
			{"notsub", "9195550001", "", true},
			{"notsub", "9195550001", "", true},
			{"notsub", "junk", "", true},
			{"notsub", "junk", "", false},
		},
		want: []string{"not_submitted ", "not_submitted ", "not_submitted "},
	}, {
		name:    "unknown numbers match nothing",
		rows:    []string{"9195550001"},
		reports: []report{{"ok", "2125550000", "o1", false}, {"reject", "nope", "", false}},
		want:    []string{"pending "},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table := newTestTable(t, tt.rows...)
			misses := 0
			for i, r := range tt.reports {
				var ok bool
				switch r.kind {
				case "reject":
					ok = table.Reject(r.text, false, "INVALID_FORMAT", "bad")
				case "dup":
					ok = table.Reject(r.text, true, "DUPLICATE", "again")
				case "ok":
					ok = table.Settle(r.text, true, "", "", r.order)
				case "fail":
					ok = table.Settle(r.text, false, "5076", "not owned", r.order)
				case "notsub":
					ok = table.MarkNotSubmitted(r.text, "stopped")
				}
				if ok != r.wantOK {
					t.Errorf("report %d (%s %q) matched = %v, want %v", i, r.kind, r.text, ok, r.wantOK)
				}
				if !ok {
					misses++
				}
			}
			for i, want := range tt.want {
				res := table.Result(i)
				if got := res[2] + " " + res[3]; got != want {
					t.Errorf("row %d = %q, want %q", i, got, want)
				}
			}
			if table.Unmatched() != misses {
				t.Errorf("Unmatched = %d, want %d", table.Unmatched(), misses)
			}
		})
	}
}

func TestCountsAndGroups(t *testing.T) {
	t.Parallel()
	table := newTestTable(t, "9195550001", "9195550002", "9195550003", "x", "9195550001", "9195550004")
	table.Settle("9195550001", true, "", "", "o1")
	table.Settle("9195550002", false, "5076", "Number does not belong to this account.", "o1")
	table.Settle("9195550003", false, "5076", "Number does not belong to this account.", "o2")
	table.Reject("x", false, "INVALID_FORMAT", "bad")
	table.Reject("9195550001", true, "DUPLICATE", "again")
	if n := table.FinishPending(0, 6, "stopped"); n != 1 {
		t.Errorf("FinishPending = %d, want 1", n)
	}
	for o, want := range map[Outcome]int{Pending: 0, Succeeded: 1, Failed: 2, Rejected: 2, NotSubmitted: 1} {
		if got := table.Count(o); got != want {
			t.Errorf("Count(%v) = %d, want %d", o, got, want)
		}
	}
	g := table.Groups(Failed)
	if len(g) != 1 || g[0].Code != "5076" || g[0].Count != 2 {
		t.Errorf("Groups(Failed) = %+v", g)
	}
	if g := table.Groups(Rejected); len(g) != 2 {
		t.Errorf("Groups(Rejected) = %+v", g)
	}
	var b strings.Builder
	if err := table.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	want := `input,number,outcome,code,description,order_id
9195550001,9195550001,succeeded,,,o1
9195550002,9195550002,failed,5076,Number does not belong to this account.,o1
9195550003,9195550003,failed,5076,Number does not belong to this account.,o2
x,,rejected,INVALID_FORMAT,bad,
9195550001,9195550001,rejected,DUPLICATE,again (same number as line 1),
9195550004,9195550004,not_submitted,,stopped,
`
	if b.String() != want {
		t.Errorf("WriteCSV:\n%s\nwant:\n%s", b.String(), want)
	}
}
