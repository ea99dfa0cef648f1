// Package daemontest builds tnassignd and runs it with --simulate on free
// loopback ports, for the end-to-end tests of its clients (the tnassign
// command and the examples in other languages).
package daemontest
