// Package ledger records assignment jobs: each job, the batches it sends to Bandwidth (before they
// are sent), the order ids Bandwidth gives them, every number's outcome and the job's final state.
//
// Store is the contract between the assignment pipeline and a ledger driver, composed of the
// roles its consumers depend on: JobWriter (what the job engine records), Leaser (what replica
// ownership needs), JobReader (what the read RPCs read) and Pinger. The drivers live in their own
// packages: memory (in process, for tests and simulator runs), sqlite and postgres (durable); they
// implement the same interface and pass the same conformance suite, ledgertest.
//
// The package knows nothing of Bandwidth's XML or of gRPC: numbers are canonical 10-digit strings
// (or, for rejections, the caller's text), statuses and codes are plain values.
package ledger
