// Package ledger records assignment jobs: each job, the batches it sends to Bandwidth (before they
// are sent), the order ids Bandwidth gives them, every number's outcome and the job's final state.
//
// Store is the contract between the assignment pipeline and a ledger driver. The in-memory driver
// (NewMemory) serves tests and simulator runs; the durable SQLite and PostgreSQL drivers implement
// the same interface, so the pipeline does not change when they arrive.
//
// The package knows nothing of Bandwidth's XML or of gRPC: numbers are canonical 10-digit strings
// (or, for rejections, the caller's text), statuses and codes are plain values.
package ledger
