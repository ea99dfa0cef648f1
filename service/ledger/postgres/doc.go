// Package postgres is the ledger driver for several tnassignd replicas sharing one PostgreSQL
// database (pgx v5 with a pgxpool connection pool).
//
// Replicas claim abandoned jobs with FOR UPDATE SKIP LOCKED, and leases are computed with the
// database's clock (now()), so replicas whose clocks disagree still agree on when a lease ends.
// Every write locks its job's row for its short transaction, so FinishJob and a late batch write
// never interleave. The schema is migrated at Open from the numbered SQL files embedded under
// migrations/, under a transaction-scoped advisory lock, so replicas starting together apply each
// migration once. The schema lives in the connection's search_path (add search_path=… to the DSN
// to use a schema of its own).
package postgres
