// Package jobs is tnassign's job engine: it runs assignment jobs, turning the telephone numbers
// a caller sends into Bandwidth numbersAssignment orders, recording every step in the ledger
// (service/ledger) and reporting one outcome per number as domain Events. It knows nothing of
// gRPC or the generated API: service is the edge that speaks them.
//
// A job's numbers flow through
//
//	parse & validate (tn.Parse) → dedupe → batch (≤ 5,000) → dispatch (bounded, rate-limited)
//	  → Upstream (create, poll until final) → ledger → Events
//
// Invalid and repeated numbers are rejected at once (ledger.ReasonInvalidFormat,
// ledger.ReasonDuplicate). Valid numbers are packed into orders of Config.BatchSize, sent when
// full, when the input ends, or after Config.BatchLinger without new numbers. Each order carries
// a CustomerOrderId unique within the job: Params.CustomerOrderID or, without one, the job id's
// 32 hex digits, followed by "-" and the batch's sequence number (1, 2, ...).
//
// Backpressure: a job has at most Config.MaxInflightPerJob orders in flight, the process at most
// Config.MaxInflightOrders, and the Bandwidth client paces each account's requests. When they are
// used up, the job stops reading its Input, so a streaming caller is slowed down by flow
// control; a job holds at most its in-flight orders plus one batch and one input message,
// however many numbers it streams. The set of numbers seen, kept for duplicate detection, costs
// about 2 bytes per number (less for dense exchanges).
//
// Events, in order: Started; Rejected as numbers are refused; OrderSettled as each order
// settles; Finished last. Every number received appears exactly once in a Rejected, an
// OrderSettled, or the not-submitted list of Finished:
//
//   - An order Bandwidth refuses as a request (HTTP 4xx other than 401/403/429) fails its
//     numbers: an OrderSettled with status FAILED, no order id, and the refusal's code and
//     description. The job goes on.
//   - When an order's creation cannot be confirmed, or polling it fails past the client's
//     retries, its numbers may have been processed: they are reported FAILED with the order id
//     if known, and an error of code 0 whose description says the outcome is unknown and names
//     the CustomerOrderId to look up. They are never listed as not submitted, since resending
//     them blindly could process them twice.
//   - Bandwidth refusing the service's credentials, throttling past the retry budget or being
//     down past it stops the job: no further numbers are read, orders in flight settle, numbers
//     not yet sent are listed as not submitted, and the job ends FAILED.
//   - A caller that goes away (an InputError with CallerGone) stops the job too, ABORTED, but
//     the orders it already submitted settle under the engine's lifetime, not the caller's, and
//     are recorded.
//
// Job states: SUCCEEDED when every number received succeeded (zero numbers included); FAILED
// when none did, or when the job could not go on; PARTIAL otherwise; ABORTED when the caller went
// away or the engine shut down before every number was sent. A job that stopped early records
// why as a Reason. A dry run (ValidateOnly) sends nothing: its distinct valid numbers are listed
// as not submitted (ascending) and count as successes would for its state.
//
// The ledger is written before anyone is told: the job; each message's accepted numbers before
// they can be batched; each batch before it is sent; every create attempt before it is sent;
// the order id as soon as Bandwidth names it; outcomes when orders settle; the end of the input
// once every number is batched or rejected; the final state last. Every write carries the job's
// ledger.Fence. The engine owns its jobs under Config.ReplicaID with a lease renewed every
// Config.Lease/3 (lease.go, hold.go), claims jobs whose lease ended — another replica's, or its
// own predecessor's after a crash — and completes them (recover.go). A job this process can no
// longer finish is handed over (handover.go).
//
// Errors: the package's sentinel errors and error types say why a job stopped or was refused;
// ReasonOf names the Reason recorded for each. The edge maps them to its callers' statuses.
package jobs
