// Package rows holds the input rows of one tnassign run and their outcomes.
//
// Read parses a numbers file (a plain list or a CSV column) into a Table: one
// row per record, in file order, with the file line it starts on. A record
// whose numbers cell is blank is a row too (outcome Skipped), so the results
// line up with the input; blank lines are not records. The Table keeps every
// row's number text in one byte arena, a 20-byte offset, line and state per
// row, and one map entry (number → first row) per distinct number. With the
// slack of growing slices and the map, that measures about 63 bytes plus the
// text per row: a million rows of "(919) 555-1234" take about 77 MB
// (BenchmarkRead reports bytes/row). When the input's columns are kept
// (KeepColumns, the default for CSV input), every row's cells are kept too,
// so memory grows with the whole file.
//
// As the server reports outcomes (rejections by the text sent, order results
// and not-submitted numbers by their canonical 10-digit form), the Table maps
// each one back to the input row it belongs to, so WriteCSV can write one
// result row per input row, in input order.
package rows
