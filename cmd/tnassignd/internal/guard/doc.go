// Package guard decides which calls tnassignd serves and how much one caller
// may ask for. It authenticates callers by bearer token (tokens are stored
// only as SHA-256 digests, in a JSON file re-read on SIGHUP), authorizes the
// account and action of every call, and bounds the numbers per job and the
// jobs a caller runs at once.
//
// Its gRPC interceptors see every call, whichever door it came through: the
// JSON gateway dials the gRPC server and forwards the caller's Authorization
// header. Refusals are statuses in the service's shape: a code, a message
// and one ErrorInfo in the domain "tnassign" whose reason is a value of the
// API's ErrorReason enum (built by internal/errorinfo).
package guard
