// Command tnassign is the command-line client of tnassignd for people: it
// reads a file of telephone numbers (one per line, or a CSV column), streams
// them to tnassignd's AssignmentService to assign or unassign them at
// Bandwidth, draws a live progress display, and writes one result row per
// input row.
//
// Usage:
//
//	tnassign assign   --account ID --file numbers.csv [--out results.csv] [flags]
//	tnassign unassign --account ID --file numbers.csv [--out results.csv] [flags]
//
// Run "tnassign help" for every flag. The exit status is 0 when every number
// succeeded, 1 when some did not, and 2 for usage, file or connection errors.
package main
