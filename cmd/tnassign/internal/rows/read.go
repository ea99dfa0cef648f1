package rows

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Options tell Read where the numbers are.
type Options struct {
	// Column selects the numbers column: "" to choose automatically, a
	// 1-based index ("2"), or a header name ("Phone", matched without regard
	// to case).
	Column string
	// Keep says whether the table keeps the input's columns for the results
	// file (see Table.KeepColumns).
	Keep Keep
}

// Keep says whether Read keeps the input's columns.
type Keep uint8

// The choices of Options.Keep.
const (
	// KeepAuto keeps the columns of a CSV input (one whose first row has
	// more than one cell), not those of a plain list of numbers.
	KeepAuto Keep = iota
	// KeepAlways keeps the columns of any input.
	KeepAlways
	// KeepNever keeps none.
	KeepNever
)

// Format describes how Read understood its input.
type Format struct {
	// Delimiter is the field separator: ',', '\t' or ';'.
	Delimiter rune
	// Header is the header row, or nil when the first row held data.
	Header []string
	// Column is the 0-based index of the numbers column.
	Column int
	// Skipped counts rows whose numbers cell was blank or missing; each has
	// a row with outcome Skipped. Blank lines are not rows.
	Skipped int
	// Kept says the table keeps the input's columns.
	Kept bool
}

// ColumnName returns the numbers column's header name, or its 1-based index.
func (f Format) ColumnName() string {
	if f.Header != nil && f.Column < len(f.Header) {
		return f.Header[f.Column]
	}
	return "#" + strconv.Itoa(f.Column+1)
}

// numberColumns are the normalized header names chosen automatically.
var numberColumns = map[string]bool{
	"number": true, "numbers": true, "tn": true, "tns": true, "did": true, "dids": true,
	"phone": true, "phonenumber": true, "phonenumbers": true, "tel": true,
	"telephone": true, "telephonenumber": true, "telephonenumbers": true,
}

// Read parses a numbers file into a Table, one row per record in file
// order; a record whose numbers cell is blank or missing is a row without a
// number (outcome Skipped). Blank lines are not records.
//
// The input is CSV whose delimiter is the first of ',', tab or ';' found on
// the first non-empty line; a file with one number per line is a CSV of one
// column. The first record is a header when Options.Column names a column,
// and otherwise when it has no digit in its numbers cell (or, when the
// column is chosen automatically, in any cell). Without Options.Column, a
// one-column file uses that column and a wider one the column whose header
// is a usual name for numbers ("number", "tn", "phone", "telephone_number",
// ...). Leading and trailing spaces are trimmed; a UTF-8 byte order mark is
// ignored.
func Read(r io.Reader, opts Options) (*Table, Format, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	prefix, err := firstLine(br)
	if err != nil {
		return nil, Format{}, err
	}
	f := Format{Delimiter: delimiter(prefix)}
	cr := csv.NewReader(io.MultiReader(strings.NewReader(prefix), br))
	cr.Comma = f.Delimiter
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	t := NewTable()
	var rec []string
	for blank := true; blank; blank = strings.TrimSpace(strings.Join(rec, "")) == "" {
		if rec, err = cr.Read(); errors.Is(err, io.EOF) {
			return t, f, nil
		} else if err != nil {
			return nil, f, fmt.Errorf("read: %w", err)
		}
	}
	header, err := chooseColumn(rec, opts.Column, &f)
	if err != nil {
		return nil, f, err
	}
	if header {
		f.Header = trimAll(rec)
	}
	if f.Kept = opts.Keep == KeepAlways || opts.Keep == KeepAuto && len(rec) > 1; f.Kept {
		t.KeepColumns(f.Header)
	}
	if !header {
		if err := t.addRecord(rec, cr, &f); err != nil {
			return nil, f, err
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return t, f, nil
		}
		if err != nil {
			return nil, f, fmt.Errorf("read: %w", err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces is a blank line
		}
		if err := t.addRecord(rec, cr, &f); err != nil {
			return nil, f, err
		}
	}
}

// addRecord adds the record cr has just read as a row.
func (t *Table) addRecord(rec []string, cr *csv.Reader, f *Format) error {
	cell := ""
	if f.Column < len(rec) {
		cell = strings.TrimSpace(rec[f.Column])
	}
	if cell == "" {
		f.Skipped++
	}
	line, _ := cr.FieldPos(0)
	var cells []string
	if f.Kept {
		cells = rec
	}
	return t.AddRow(cell, line, cells, "no number in column "+f.ColumnName())
}

// firstLine returns the input up to and including its first non-empty line,
// without a byte order mark.
func firstLine(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if b.Len() == 0 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		b.WriteString(line)
		if strings.TrimSpace(line) != "" || err != nil {
			if err != nil && !errors.Is(err, io.EOF) {
				return "", fmt.Errorf("read: %w", err)
			}
			return b.String(), nil
		}
	}
}

func delimiter(line string) rune {
	for _, d := range []rune{',', '\t', ';'} {
		if strings.ContainsRune(line, d) {
			return d
		}
	}
	return ','
}

// chooseColumn sets f.Column from the first record and reports whether that
// record is a header.
func chooseColumn(rec []string, column string, f *Format) (bool, error) {
	column = strings.TrimSpace(column)
	switch {
	case column != "" && isDigits(column):
		n, err := strconv.Atoi(column)
		if err != nil || n < 1 {
			return false, fmt.Errorf("--column %s: columns are numbered from 1", column)
		}
		f.Column = n - 1
		return f.Column >= len(rec) || !hasDigit(rec[f.Column]), nil
	case column != "":
		for i, name := range rec {
			if strings.EqualFold(strings.TrimSpace(name), column) {
				f.Column = i
				return true, nil
			}
		}
		return false, fmt.Errorf("--column %q: no such column in the first row (%s)", column, strings.Join(trimAll(rec), ", "))
	case len(rec) == 1:
		return !hasDigit(rec[0]), nil
	}
	for _, cell := range rec {
		if hasDigit(cell) {
			return false, fmt.Errorf("the file has %d columns and no header row; choose the numbers column with --column INDEX (1 is the first)", len(rec))
		}
	}
	found := -1
	for i, name := range rec {
		if numberColumns[normalizeName(name)] {
			if found >= 0 {
				return false, fmt.Errorf("columns %q and %q could both hold the numbers; choose one with --column NAME", strings.TrimSpace(rec[found]), strings.TrimSpace(name))
			}
			found = i
		}
	}
	if found < 0 {
		return false, fmt.Errorf("no column of the header (%s) is named like a numbers column; choose one with --column NAME", strings.Join(trimAll(rec), ", "))
	}
	f.Column = found
	return true, nil
}

func normalizeName(s string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(s) {
		if (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') {
			b.WriteRune(c)
		}
	}
	return b.String()
}

func trimAll(rec []string) []string {
	out := make([]string, len(rec))
	for i, s := range rec {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

func hasDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
