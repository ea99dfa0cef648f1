// Package rows holds the input rows of one tnassign run and their outcomes.
//
// Read parses a numbers file (a plain list or a CSV column) into a Table. The
// Table keeps every row's text in one byte arena, a 16-byte offset and state
// per row, and one map entry (number → first row) per distinct number.
// Nothing else of the file is kept. With the slack of growing slices and the
// map, that measures about 60 bytes plus the text per row: a million rows of
// "(919) 555-1234" take about 75 MB (BenchmarkRead reports bytes/row).
//
// As the server reports outcomes (rejections by the text sent, order results
// and not-submitted numbers by their canonical 10-digit form), the Table maps
// each one back to the input row it belongs to, so WriteCSV can write one
// result row per input row, in input order.
package rows
