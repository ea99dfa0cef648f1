// Package cli implements the tnassign commands. Main parses the command
// line, reads the numbers file into a rows.Table, streams it to tnassignd,
// shows progress, and writes the results file and a summary. Everything it
// touches outside the process (standard streams, whether standard error is
// a terminal, signals, how to dial) comes in through Env, so tests run it
// against an in-process server.
package cli
