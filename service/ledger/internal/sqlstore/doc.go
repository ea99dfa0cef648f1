// Package sqlstore implements ledger.Store once over SQL, for the SQLite and PostgreSQL drivers.
// A driver supplies a DB (its transactions) and a Dialect (placeholders, the database clock,
// row locking); the schema is the driver's own, with the same tables and columns.
//
// Storage layout: a job is one row of jobs (with live counters); a batch is one row of batches
// holding its numbers packed (five bytes a number), its per-number results (one byte a number)
// and its failure groups; received numbers, rejections and not-submitted numbers are chunk rows,
// one per call, holding packed lists. A 5,000-number batch therefore costs one row and about
// 30 KB, not 5,000 rows. Request ids live in request_ids, unique per account. Times are Unix
// microseconds taken from the database's clock, so replicas with skewed clocks agree on leases
// and create-attempt deadlines.
//
// Fencing (fence.go): jobs.lease_gen is the job's lease generation, incremented by every claim.
// Every write to a running job starts with one UPDATE of the job's row whose WHERE names the
// writer's owner and generation; that statement locks the row until the transaction ends, so a
// write and a claim of the same job are ordered, and a write whose fence is stale matches no row
// and changes nothing.
package sqlstore
