package rows

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// ResultsHeader is the header row of the results file when the input's
// columns are not kept.
var ResultsHeader = []string{"input", "number", "outcome", "code", "description", "order_id"}

// keptResults returns the outcome columns written after the input's own
// columns (see Table.KeepColumns): those of ResultsHeader but "input", which
// the kept columns already hold.
func keptResults() []string {
	return []string{"number", "outcome", "code", "description", "order_id"}
}

// Number returns row i's number in canonical 10-digit form, or "" when the
// row was rejected as invalid (or is not a number the client can read).
func (t *Table) Number(i int) string {
	st := t.state[i]
	raw := string(t.raw(i))
	if k, ok := Key(raw); ok && (st.outcome != Rejected || st.dup) {
		return formatKey(k)
	}
	if st.outcome == Succeeded || st.outcome == Failed {
		if k, ok := looseKey(raw); ok {
			return formatKey(k)
		}
	}
	return ""
}

// Result returns row i's result columns, in the order of ResultsHeader.
func (t *Table) Result(i int) []string {
	st := t.state[i]
	d := t.details[st.detail]
	description := d.description
	if st.dup {
		if k, ok := Key(string(t.raw(i))); ok {
			if first, ok := t.firsts[k]; ok && int(first) != i {
				description += " (same number as line " + strconv.Itoa(t.Line(int(first))) + ")"
			}
		}
	}
	return []string{t.Input(i), t.Number(i), st.outcome.String(), d.code, description, t.orders[st.order]}
}

// WriteCSV writes the results file: a header, then one row per input row in
// input order. When the table keeps the input's columns, each row is the
// input's cells followed by the outcome columns; otherwise it is Result.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := ResultsHeader
	if t.kept != nil {
		header = t.kept.headerRow()
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	var rec []string
	for i := range t.ends {
		res := t.Result(i)
		if t.kept != nil {
			rec = append(t.kept.row(i, rec[:0]), res[1:]...)
		} else {
			rec = res
		}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
