// Package service implements tnassign's AssignmentService: the gRPC edge over the job engine
// (service/jobs). It checks each request (the first message of a stream, the job RPCs' fields
// and the account allow-list), starts and follows jobs through the engine, reads the ledger for
// the job RPCs, converts between the API's messages and the engine's domain values in one place
// (convert.go), and maps every domain error to a gRPC status in one place (errors.go).
//
// One file per RPC: AssignNumbers and UnassignNumbers share serve (stream.go), which reads the
// first message, checks it (firstmessage.go) and hands the rest of the stream to the job as its
// input; CreateAssignmentJob starts a background job; GetAssignmentJob, ListAssignmentJobs and
// ListNumberOutcomes read the ledger; WatchAssignmentJob follows a job through the engine.
//
// The first message must name an allowed account_id; customer_order_id, request_id and
// validate_only are read from it. Later messages may repeat those values or omit them; a
// different value is INVALID_ARGUMENT (after `finished`, the message's numbers listed as not
// submitted). A call repeating the request_id of an existing job of the account (AIP-155) starts
// nothing: it replays that job from the ledger and follows it live to its end.
//
// Errors become gRPC statuses with standard codes, one google.rpc.ErrorInfo with domain
// "tnassign" and a reason from the API's ErrorReason enum, plus google.rpc.BadRequest field
// violations for caller mistakes. Upstream and ledger failures are logged with the job id and
// reported without internals. A job's stored failure reason (jobs.ReasonOf) is the reason its
// caller's status carries.
package service
