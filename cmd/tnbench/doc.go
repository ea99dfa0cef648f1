// Command tnbench measures tnassign end to end against the ceiling the upstream allows and against
// the naive way people assign numbers today, and renders the figures into docs/BENCHMARKS.md.
//
// In one run, for each upstream profile (zero latency; realistic: latency, processing delay and a
// rate limit), it starts a standalone bwsim and measures:
//
//   - ceiling: pre-encoded 5,000-number orders POSTed straight to bwsim by N concurrent workers,
//     each order polled to its final status, the upstream's rate limit respected;
//   - tnassign over gRPC, one stream and eight parallel streams (1,000 numbers per message);
//   - tnassign over the JSON gateway (NDJSON upload, streaming response);
//   - naive: one order at a time, POSTed and polled every second until final.
//
// tnassignd and bwsim run as subprocesses (built binaries), restarted for every scenario, so each
// scenario's server peak RSS (VmHWM) and CPU time (utime+stime) can be read from /proc. A final
// scenario streams many numbers through a slow upstream and reports tnassignd's peak RSS.
//
// Everything listens on loopback addresses only; every wait is bounded by a timeout.
//
// Usage:
//
//	tnbench --tnassignd bin/tnassignd --bwsim bin/bwsim [--full] [--doc docs/BENCHMARKS.md]
//
// or, against servers already running (no restarts; RSS and CPU only with --server-pid):
//
//	tnbench --bwsim-url http://127.0.0.1:8089 --grpc-addr 127.0.0.1:9090 --http-addr 127.0.0.1:8080
package main
