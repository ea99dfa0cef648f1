// Package service implements tnassign's AssignmentService streaming methods, AssignNumbers and
// UnassignNumbers: the pipeline that turns a stream of telephone numbers into Bandwidth
// numbersAssignment orders and streams one outcome per number back.
//
// A call's numbers flow through
//
//	normalize & validate → dedupe → batch (≤ 5,000) → dispatch (bounded, rate-limited)
//	  → Upstream (create, poll until final) → ledger → caller
//
// Normalization accepts 10-digit NANP numbers with an optional "1"/"+1" prefix and punctuation;
// invalid and repeated numbers are rejected at once (INVALID_FORMAT, DUPLICATE). Valid numbers are
// packed into orders of Config.BatchSize, sent when full, when the caller half-closes, or after
// Config.BatchLinger without new numbers. Each order carries a CustomerOrderId unique within the
// job: the caller's customer_order_id or, without one, the job id's 32 hex digits, followed by
// "-" and the batch's sequence number (1, 2, ...).
//
// Backpressure: a job has at most Config.MaxInflightPerJob orders in flight, the process at most
// Config.MaxInflightOrders, and the Bandwidth client paces each account's requests
// (bandwidth.Config.Limiter). When they are used up, the handler stops reading the request stream, so gRPC flow
// control slows the caller down; a job holds at most its in-flight orders plus one batch and one
// request message, however many numbers it streams. The set of numbers seen, kept for duplicate
// detection, costs about 2 bytes per number (less for dense exchanges).
//
// Events, in order: `started` once the first message is accepted; `rejected` as numbers are
// refused; `order` as each order settles; `finished` last, also before an error status. Every
// number received appears exactly once in a `rejected` entry, an `order` entry, or the
// not-submitted list of `finished`:
//
//   - An order Bandwidth refuses as a request (HTTP 4xx other than 401/403/429) fails its
//     numbers: an `order` event with status FAILED, no order id, and the refusal's code and
//     description. The job goes on.
//   - When an order's creation cannot be confirmed, or polling it fails past the client's
//     retries, its numbers may have been processed: they are reported in an `order` event with
//     status FAILED, the order id if known, and an error of code 0 whose description says the
//     outcome is unknown and names the CustomerOrderId to look up. They are never listed as not
//     submitted, since resending them blindly could process them twice.
//   - Bandwidth refusing the service's credentials (FAILED_PRECONDITION, reason BANDWIDTH_AUTH),
//     throttling past the retry budget (RESOURCE_EXHAUSTED) or being down past it (UNAVAILABLE)
//     stops the job: no further numbers are read, orders in flight settle, numbers not yet sent
//     are listed as not submitted, and the job ends FAILED.
//   - A caller that goes away stops the job too (ABORTED), but the orders it already submitted
//     settle under the service's lifetime, not the call's, and are recorded.
//
// Job states: SUCCEEDED when every number received succeeded (zero numbers included); FAILED
// when none did, or when the job could not go on; PARTIAL otherwise; ABORTED when the caller went
// away or the service shut down before every number was sent. A dry run (validate_only) sends
// nothing: its distinct valid numbers are listed as not submitted (ascending) and count as
// successes would for its state.
//
// The first message must name an allowed account_id; customer_order_id, request_id and
// validate_only are read from it. Later messages may repeat those values or omit them; a
// different value is INVALID_ARGUMENT (after `finished`, the message's numbers listed as not
// submitted). A call repeating the request_id of an existing job of the account (AIP-155) starts
// nothing: it replays that job from the ledger (see follow.go) and follows it live to its end.
//
// The ledger (service/ledger) is written before anyone is told: the job; each message's accepted
// numbers (RecordReceived) before they can be batched; each batch before it is sent; the order id
// as soon as Bandwidth names it; outcomes when orders settle; MarkInputClosed once the caller
// half-closed and every number is batched or rejected; the final state last. Each Service owns
// its jobs under Config.ReplicaID with a lease renewed every Config.Lease/3 (lease.go), and claims
// jobs whose lease ended — another replica's, or its own predecessor's after a crash — and
// completes them (recover.go).
//
// The job RPCs (get_job.go, list_jobs.go, list_outcomes.go, watch_job.go, create_job.go) read the
// ledger; CreateAssignmentJob runs its numbers through the same pipeline in the background.
//
// Errors become gRPC statuses in one place (errors.go): standard codes, one google.rpc.ErrorInfo
// with domain "tnassign" and an UPPER_SNAKE reason, plus google.rpc.BadRequest field violations
// for caller mistakes. Upstream and ledger failures are logged with the job id and reported
// without internals.
package service
