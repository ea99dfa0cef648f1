// Package memory is the in-process ledger driver: a ledger.Store that keeps every job in memory
// until the process exits. It serves tests and simulator runs (the ledger URL memory://), and
// offers inspection helpers (Store.Batches, Store.Outcomes) that show what a job recorded,
// unsettled numbers included.
//
// It passes the same conformance suite (ledgertest) as the durable sqlite and postgres drivers.
package memory
