package rows

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// ResultsHeader is the header row of the results file.
var ResultsHeader = []string{"input", "number", "outcome", "code", "description", "order_id"}

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
				description += " (same number as input row " + strconv.Itoa(int(first)+1) + ")"
			}
		}
	}
	return []string{t.Input(i), t.Number(i), st.outcome.String(), d.code, description, t.orders[st.order]}
}

// WriteCSV writes the results file: a header, then one row per input row in
// input order.
func (t *Table) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResultsHeader); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	for i := range t.ends {
		if err := cw.Write(t.Result(i)); err != nil {
			return fmt.Errorf("write results: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}
