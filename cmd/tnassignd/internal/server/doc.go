// Package server is tnassignd's transport wiring: one gRPC server (with its
// interceptors, limits, health and reflection) and one HTTP server (the JSON
// gateway, /healthz, /metrics and /openapi.json) in front of an
// AssignmentService. It holds no business logic.
//
// Serve runs both on listeners the caller opened, so the binary and the
// tests run the same code; it returns after a graceful shutdown once its
// context ends.
package server
