// Package sqlite is the embedded ledger driver: a ledger.Store in one SQLite file
// (modernc.org/sqlite, pure Go), the default of tnassignd.
//
// The file runs in WAL mode with a busy timeout and foreign keys on. Writes go through a single
// connection in BEGIN IMMEDIATE transactions, so they never fail on a lock upgrade; reads use
// their own pool and see a consistent snapshot. Each pool prepares a statement once and reuses it
// (statements.go). synchronous=NORMAL makes a committed write survive a process crash (kill -9);
// add _pragma=synchronous(FULL) to the DSN to survive power loss as well. The schema is migrated at Open from the numbered SQL files embedded under
// migrations/.
package sqlite
