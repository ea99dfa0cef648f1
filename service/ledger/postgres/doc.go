// Package postgres is the ledger driver for several tnassignd replicas sharing one PostgreSQL
// database (pgx v5 with a pgxpool connection pool).
//
// Replicas claim abandoned jobs with FOR UPDATE SKIP LOCKED, and leases are computed with the
// database's clock (now()), so replicas whose clocks disagree still agree on when a lease ends.
// Every write locks its job's row for its short transaction, so FinishJob and a late batch write
// never interleave; the statement that takes the lock also checks the writer's fence (owner and
// lease generation), so a write and a claim of its job never interleave either: a claim that
// commits first fences the write out, and one that comes later waits for the write or skips the
// job until the next claim. The schema is migrated at Open from the numbered SQL files embedded under
// migrations/, under a transaction-scoped advisory lock, so replicas starting together apply each
// migration once. The schema lives in the connection's search_path (add search_path=… to the DSN
// to use a schema of its own).
package postgres
