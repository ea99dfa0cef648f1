// Command tnassignd serves the tnassign API: gRPC on --grpc-addr and the
// HTTP/JSON gateway (with /healthz, /metrics and /openapi.json) on
// --http-addr, assigning and unassigning telephone numbers at Bandwidth.
//
// Run "tnassignd -h" for the flags and their TNASSIGN_* environment twins,
// and "tnassignd --simulate" to try it against the built-in Bandwidth
// simulator. Exit status: 0 after a clean shutdown, 1 when serving failed
// (for example a port already in use), 2 for a configuration error.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, stop, os.Args[1:], environment{lookup: os.LookupEnv, list: os.Environ()}, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
