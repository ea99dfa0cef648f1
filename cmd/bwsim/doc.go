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
// --rate-limit and --error-rate to exercise a client's patience and retries. --error-rate's 503s
// come before any order is created.
//
// For chaos runs, --create-delay and --create-delay-max make creates slow: each takes a random time
// in [create-delay, create-delay-max] (exactly create-delay when the maximum is 0) before its order
// exists, and the order is created at the end even if the client timed out or disconnected
// meanwhile — the answer is then lost, as with a real server that finishes its work.
// --slow-create-rate makes only that fraction of creates slow (0, the default, means all). On
// SIGINT or SIGTERM slow creates that finish within the shutdown grace (5 s) create their orders;
// the rest are cancelled without. --create-log FILE appends one JSON line per order created
// (fields at, account_id, order_id, customer_order_id, action, telephone_numbers), so a run can be
// checked for orders created twice.
//
// bwsim logs JSON lines to standard error and stops gracefully on SIGINT or SIGTERM. Bad flags exit
// with status 2; a create log that cannot be opened, or an address that cannot be listened on,
// with status 1.
package main
