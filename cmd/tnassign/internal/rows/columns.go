package rows

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
)

// columns is the input's own columns, kept to be written back beside each
// row's outcome: every row's cells in one arena, each cell prefixed by its
// length as a uvarint.
type columns struct {
	header []string // the input's header, or nil when it had none
	arena  []byte
	ends   []uint32 // ends[i] is where row i's cells end in arena
	width  int      // the most cells of any row, or of the header
}

// KeepColumns makes the table keep every row's cells, so that WriteCSV
// writes the input's columns followed by the outcome columns. header is the
// input's header row, nil when it had none. It must be called before the
// first row is added.
func (t *Table) KeepColumns(header []string) {
	t.kept = &columns{header: header, width: len(header)}
}

func (c *columns) add(cells []string) error {
	for _, s := range cells {
		if len(c.arena)+len(s)+binary.MaxVarintLen64 > math.MaxUint32 {
			return ErrTooLarge
		}
		c.arena = binary.AppendUvarint(c.arena, uint64(len(s)))
		c.arena = append(c.arena, s...)
	}
	c.ends = append(c.ends, uint32(len(c.arena)))
	c.width = max(c.width, len(cells))
	return nil
}

// row appends row i's cells, padded to the widest row, to out.
func (c *columns) row(i int, out []string) []string {
	start := uint32(0)
	if i > 0 {
		start = c.ends[i-1]
	}
	b := c.arena[start:c.ends[i]]
	n := 0
	for len(b) > 0 {
		l, k := binary.Uvarint(b)
		out = append(out, string(b[k:k+int(l)]))
		b = b[k+int(l):]
		n++
	}
	for ; n < c.width; n++ {
		out = append(out, "")
	}
	return out
}

// headerRow returns the results header: the input's header (or column_1,
// column_2, ... when it had none) padded to the widest row, then the outcome
// columns, each prefixed with "result_" when the input has a column of the
// same name.
func (c *columns) headerRow() []string {
	results := keptResults()
	out := make([]string, 0, c.width+len(results))
	taken := map[string]bool{}
	for i := range c.width {
		name := ""
		switch {
		case c.header == nil:
			name = "column_" + strconv.Itoa(i+1)
		case i < len(c.header):
			name = c.header[i]
		}
		taken[strings.ToLower(strings.TrimSpace(name))] = true
		out = append(out, name)
	}
	for _, name := range results {
		if taken[name] {
			name = "result_" + name
		}
		out = append(out, name)
	}
	return out
}
