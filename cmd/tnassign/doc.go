// Command tnassign is the command-line client of tnassignd for people: it
// reads a file of telephone numbers (one per line, or a CSV column), streams
// them to tnassignd's AssignmentService to assign or unassign them at
// Bandwidth, draws a live progress display, and writes one result row per
// input row (for CSV input, the input's columns followed by the outcome).
//
// Usage:
//
//	tnassign assign   --account ID --file numbers.csv [--out results.csv] [flags]
//	tnassign unassign --account ID --file numbers.csv [--out results.csv] [flags]
//	tnassign job get|list|outcomes|watch --account ID [JOB_ID] [flags]
//
// Run "tnassign assign --help" for every flag. Every command connects
// without TLS only to a loopback --server and with TLS otherwise (--tls-ca,
// --tls-cert and --tls-key for a private CA and mutual TLS, --plaintext to
// say otherwise), and sends the bearer token in TNASSIGN_TOKEN or
// --token-file. The exit status is 0 when every number succeeded, 1 when
// some did not, and 2 for usage, file or connection errors.
package main
