// Package bandwidth is a client of Bandwidth's numbersAssignment API, the Dashboard (Numbers) API
// endpoints that assign owned telephone numbers to an active end user or unassign them:
//
//	POST /accounts/{accountId}/numbersAssignment            create an order (CreateOrder)
//	GET  /accounts/{accountId}/numbersAssignment/{orderId}  read an order (GetOrder, AwaitOrder)
//	GET  /accounts/{accountId}/numbersAssignment?…          search orders (ListOrders, FindOrder)
//
// Orders settle asynchronously: CreateOrder returns the order as Bandwidth accepted it, usually with
// StatusReceived or StatusProcessing, and AwaitOrder polls it until its status is final (COMPLETE,
// PARTIAL or FAILED). Per-number failures are not errors: they are the OrderResponse.Errors of a
// successful call. Request-level refusals (HTTP 400, 401, 404, …) are returned as *APIError, which
// matches the package's sentinel errors with errors.Is. Answers that show the base URL or account
// is wrong — a 404 for a create or a list, an HTML page, a redirect — are one error matching
// ErrMisconfigured, never retried, that names the URL and what to check.
//
// The client authenticates with OAuth2 client credentials (NewOAuth2), or with HTTP Basic for legacy
// API users (BasicAuth). It retries throttling (429, honouring X-RateLimit-Reset), server errors and
// transport failures with capped, jittered exponential backoff, and never resends an order whose
// creation it cannot rule out: it first looks the order up by its CustomerOrderId. Throttling does
// not spend the retry attempts that failures do; it is bounded by time. Config.Limiter paces every
// request of an account (NewAccountLimiter), since Bandwidth's rate limits count creates, polls and
// lookups alike; AwaitOrder waits before its first poll for the same reason.
//
// BeforeEachAttempt lets a caller durably record each create attempt before it can reach
// Bandwidth; Client.RequestTimeout and Client.CreateLookupWindow tell it until when such an attempt
// may still create an order (see CreateOrder for the rule).
//
// Responses are treated as untrusted input: bodies are size-capped, decoded strictly, unknown statuses
// are errors, and no input makes the decoder panic. Credentials never appear in errors, logs or
// formatted output.
//
// A Client is safe for concurrent use by multiple goroutines. Every method that talks to Bandwidth
// takes a context and stops waiting when it is done.
package bandwidth
