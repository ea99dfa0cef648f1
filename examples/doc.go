// Package examples holds clients of tnassignd written in other languages
// (node/: Node.js over gRPC; curl.md: the HTTP/JSON gateway with curl) and
// the end-to-end tests that run them against tnassignd --simulate. It has
// no Go API.
package examples
