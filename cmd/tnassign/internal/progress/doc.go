// Package progress draws the live progress of a tnassign run: on a terminal
// a bar redrawn in place with a carriage return, elsewhere (a file, a pipe,
// CI logs) a plain line every few seconds.
package progress
