package rows

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		column    string
		want      []string
		header    bool
		col       int
		delimiter rune
		skipped   int
		wantErr   string
	}{
		{name: "list", in: "9195550001\n(919) 555-0002\r\n\n  +19195550003  \n", want: []string{"9195550001", "(919) 555-0002", "+19195550003"}, delimiter: ','},
		{name: "list with header and BOM", in: "\ufeffTelephone Number\n9195550001\n", want: []string{"9195550001"}, header: true, delimiter: ','},
		{name: "list whose first row is invalid data", in: "12\nabc\n", want: []string{"12", "abc"}, delimiter: ','},
		{name: "no final newline", in: "9195550001", want: []string{"9195550001"}, delimiter: ','},
		{name: "empty", in: "", delimiter: ','},
		{name: "blank lines only", in: "\n \n\n", want: nil, delimiter: ','},
		{name: "csv found by header", in: "name,TN,x\na,9195550001,1\nb,,2\nc\nd,\"919 555 0003\",\"q,\"\"r\"\"\"\n",
			want: []string{"9195550001", "", "", "919 555 0003"}, header: true, col: 1, delimiter: ',', skipped: 2},
		{name: "csv header name variants", in: "id;Phone_Number\n1;9195550001\n", want: []string{"9195550001"}, header: true, col: 1, delimiter: ';'},
		{name: "tsv by index without header", in: "a\t9195550001\nb\t9195550002\n", column: "2",
			want: []string{"9195550001", "9195550002"}, col: 1, delimiter: '\t'},
		{name: "by index with header", in: "who,number\na,9195550001\n", column: "2", want: []string{"9195550001"}, header: true, col: 1, delimiter: ','},
		{name: "by name, case-insensitive", in: "Who,Mobile\na,9195550001\n", column: "mobile", want: []string{"9195550001"}, header: true, col: 1, delimiter: ','},
		{name: "name not found", in: "a,b\n1,2\n", column: "tn", wantErr: `no such column in the first row (a, b)`},
		{name: "index zero", in: "1,2\n", column: "0", wantErr: "numbered from 1"},
		{name: "no header, several columns", in: "1,9195550001\n", wantErr: "no header row"},
		{name: "two candidate columns", in: "tn,phone\n1,2\n", wantErr: `"tn" and "phone"`},
		{name: "no candidate column", in: "a,b\n1,2\n", wantErr: "named like a numbers column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table, f, err := Read(strings.NewReader(tt.in), Options{Column: tt.column})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for i := range table.Len() {
				got = append(got, table.Input(i))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("rows = %q, want %q", got, tt.want)
			}
			if (f.Header != nil) != tt.header || f.Column != tt.col || f.Delimiter != tt.delimiter || f.Skipped != tt.skipped {
				t.Errorf("format = %+v; want header %v, column %d, delimiter %q, skipped %d", f, tt.header, tt.col, tt.delimiter, tt.skipped)
			}
		})
	}
}

// FuzzRead checks that Read never panics and never makes more rows than
// the input has lines.
func FuzzRead(f *testing.F) {
	for _, s := range []string{"9195550001\n", "a,tn\n1,2\n", "\"x\n", "\ufeff;\t,", "a\tb\n\"1\"\"\"\t2"} {
		f.Add(s, "")
		f.Add(s, "2")
	}
	f.Fuzz(func(t *testing.T, in, column string) {
		table, _, err := Read(strings.NewReader(in), Options{Column: column})
		if err != nil {
			return
		}
		if lines := strings.Count(in, "\n") + strings.Count(in, "\r") + 1; table.Len() > lines {
			t.Fatalf("%d rows from %d lines", table.Len(), lines)
		}
		for i := range table.Len() {
			if table.Input(i) == "" {
				t.Fatalf("row %d is blank", i)
			}
		}
	})
}

// TestResultsLineUp reads inputs and writes their results without any
// outcome reported: one result row per input row, in order, with the input's
// columns when they are kept, rows without a number skipped, and duplicates
// pointing at the file line of their first occurrence.
func TestResultsLineUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		column string
		keep   Keep
		want   string
	}{{
		name: "csv keeps its columns by default",
		in:   "name,Phone,note\n\nann,9195550001,x\nbob,,\"multi\nline\"\ncy,919-555-0001,\"a, b\"\n,,\nz\n",
		want: `name,Phone,note,number,outcome,code,description,order_id
ann,9195550001,x,9195550001,pending,,,
bob,,"multi
line",,skipped,,no number in column Phone,
cy,919-555-0001,"a, b",9195550001,pending,,,
,,,,skipped,,no number in column Phone,
z,,,,skipped,,no number in column Phone,
`,
	}, {
		name: "clashing names are prefixed",
		in:   "id,number,outcome\n1,9195550001,x\n",
		want: "id,number,outcome,result_number,result_outcome,code,description,order_id\n1,9195550001,x,9195550001,pending,,,\n",
	}, {
		name:   "no header",
		in:     "a\t9195550001\nb\t9195550002\textra\n",
		column: "2",
		keep:   KeepAlways,
		want:   "column_1,column_2,column_3,number,outcome,code,description,order_id\na,9195550001,,9195550001,pending,,,\nb,9195550002,extra,9195550002,pending,,,\n",
	}, {
		name: "csv without its columns",
		in:   "name,tn\nann,9195550001\nbob,\n",
		keep: KeepNever,
		want: "input,number,outcome,code,description,order_id\n9195550001,9195550001,pending,,,\n,,skipped,,no number in column tn,\n",
	}, {
		name: "list keeps nothing by default",
		in:   "9195550001\n  \n(919) 555-0002\n",
		want: "input,number,outcome,code,description,order_id\n9195550001,9195550001,pending,,,\n(919) 555-0002,9195550002,pending,,,\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			table, _, err := Read(strings.NewReader(tt.in), Options{Column: tt.column, Keep: tt.keep})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			if err := table.WriteCSV(&b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("results:\n%s\nwant:\n%s", b.String(), tt.want)
			}
		})
	}
}

// TestDuplicateNamesItsLine checks that a duplicate's description names the
// file line of the number's first row, counting the header and blank lines.
func TestDuplicateNamesItsLine(t *testing.T) {
	t.Parallel()
	table, _, err := Read(strings.NewReader("number\n\n9195550001\n9195550002\n\n+1 919 555 0001\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{3, 4, 6} {
		if got := table.Line(i); got != want {
			t.Errorf("Line(%d) = %d, want %d", i, got, want)
		}
	}
	table.Reject("+1 919 555 0001", true, "DUPLICATE", "already in this job")
	if got := table.Result(2)[4]; got != "already in this job (same number as line 3)" {
		t.Errorf("description = %q", got)
	}
}
