// Package bwsim is an in-process simulator of Bandwidth's numbersAssignment API, shaped like
// net/http/httptest.
//
// A [Simulator] is an [http.Handler] that answers the three numbersAssignment endpoints (create,
// get by id, list) under the base paths /api, /api/v1, /api/v2 and /v1.0, and the OAuth 2.0
// client-credentials token endpoint POST /api/v1/oauth2/token. It keeps an inventory of owned numbers
// per account, answers with the XML documents, status codes and error codes of Bandwidth's published
// documentation, and lets orders settle asynchronously (RECEIVED → PROCESSING → COMPLETE, PARTIAL or
// FAILED) after a configurable number of polls or delay. [NewServer] runs one on a loopback port for
// tests; [Simulator.Serve] and [Simulator.ListenAndServe] run one on a given address until a context
// ends.
//
// Faults can be injected ([Simulator.Inject]): latency, 429 with X-RateLimit-Reset, 5xx, connection
// resets before or after an order is created, truncated and oversized bodies, and 401s. Config adds
// faults for soak and chaos runs: latency on every request, a rate limit, random 503s and slow
// creates. The simulator records the orders it accepted ([Simulator.Received],
// [Simulator.CreatesByCustomerOrderID], and one JSON line each in Config.CreateLog) and counts
// requests ([Simulator.Stats]) so tests can assert on the wire traffic.
//
// # Slow creates
//
// With Config.CreateDelay or CreateDelayMax set, a create (all of them, or the fraction
// Config.SlowCreateRate) waits a random time in [CreateDelay, CreateDelayMax] after it was
// validated and before its order exists. Like a real server, it then creates the order even if its
// client timed out or disconnected meanwhile; only the answer is lost. This is what a client's
// "outcome unknown" handling must survive: an order that appears after the client gave up on the
// request. (A client that looks for such orders for RequestTimeout + its lookup window after each
// attempt starts finds them as long as CreateDelayMax stays below that.) [Simulator.PendingCreates]
// tells how many are waiting.
//
// The delay ends early only when the server stops. [Server.Close] cancels pending slow creates at
// once: they create no order, as if the server had crashed, and once Close returns no order
// appears any more. [Simulator.Serve] treats them as in-flight requests: those that finish within
// ShutdownTimeout create their orders, the rest are cancelled the same way, and Serve returns only
// after their handlers have. Under a server of the caller's (such as httptest.NewServer) a slow
// create always runs its full delay, and that server's Close waits for it.
//
// # Async progress
//
// An order's outcome (its final status and per-number errors) is decided, and the account's inventory
// updated, when the order is created. It is revealed only once the order is final: an order is final
// when both (a) more than Config.ProcessingPolls GET-by-id requests have read it, or
// Config.ProcessingPolls is zero, and (b) Config.ProcessingDelay has passed since creation. Until then
// the create response and list entries that were never polled say RECEIVED, and GETs say PROCESSING;
// FailedQuantity and Errors appear only in final documents. With ProcessingPolls 1 (the
// [DefaultConfig]) the create answers RECEIVED, the first GET answers PROCESSING and the second the
// final status. With ProcessingPolls 0 and no delay the create response is already final, like the
// guide's sample response.
//
// # Choices where Bandwidth's documentation is silent
//
//   - Numbers are 10-digit NANP numbers (area code and exchange starting 2-9, area code neither N11
//     nor with 9 as its middle digit); anything else fails per number with 5070. Under /api/v2 the
//     same 10-digit rules apply: v2's E.164 form is not simulated.
//   - A number fails with 5076 when the account does not own it and with 5131 when it is owned but not
//     in service. Re-assigning an assigned number succeeds (a refresh), and so does unassigning an owned
//     number that is not assigned. Duplicates within one order are processed once per occurrence.
//   - Per-number errors are grouped into one Error per code, in ascending code order, each listing its
//     numbers in input order.
//   - An unknown account answers 403 with ResponseStatus 5051; an order of another account or an
//     unknown order id answers 404 "The resource does not exist".
//   - Request-level errors wrap ResponseStatus in the endpoint's root element
//     (TelephoneNumbersAssignmentOrderResponse or TelephoneNumbersAssignmentOrders); a malformed body
//     is 400 with 1019 and a body over Config.MaxRequestBytes is 413.
//   - Bad list parameters (status, action, dates) answer 400; status uses 15518, the others 1019 with
//     a description naming the parameter.
//   - The rate limit applies to the Dashboard endpoints, not to the token endpoint.
//   - Random 503s (Config.ErrorRate) and injected server errors answer before the request is
//     handled: a create answered so created no order.
//   - A path outside the API answers 404 with an HTML page, as the web server in front of an API
//     would; an unknown order under the API's path answers 404 with ResponseStatus.
package bwsim
