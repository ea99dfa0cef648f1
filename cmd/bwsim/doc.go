// Command bwsim serves the Bandwidth numbersAssignment simulator (package bandwidth/bwsim) on a TCP
// address, for people testing their own Bandwidth code without touching real numbers.
//
// Usage:
//
//	bwsim [flags]
//
// Every flag can also be set through the environment as BWSIM_ followed by the flag name in upper
// case with dashes as underscores (--client-secret is BWSIM_CLIENT_SECRET); a flag given on the
// command line overrides the environment. The defaults serve account 9900000 owning every number that
// starts with 919555, 415871 or 435215, Basic credentials demo/demo and OAuth client demo/demo on
// 127.0.0.1:8089, with orders final on creation, so the sample curl of Bandwidth's guide works as
// written:
//
//	curl -d @order.xml -u demo:demo -X POST http://127.0.0.1:8089/api/accounts/9900000/numbersAssignment
//
// Set --processing-polls or --processing-delay to make orders settle asynchronously, and --latency,
// --rate-limit and --error-rate to exercise a client's patience and retries. bwsim logs JSON lines
// to standard error and stops gracefully on SIGINT or SIGTERM. Bad flags exit with status 2.
package main
