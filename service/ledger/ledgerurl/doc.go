// Package ledgerurl opens a ledger.Store named by a URL, as tnassignd's --ledger flag gives it.
//
// URL forms:
//
//	memory://                          in-process, lost at exit (tests, demos)
//	sqlite://./data/tnassign.db        SQLite file, path relative to the working directory
//	sqlite://data/tnassign.db          the same
//	sqlite:///var/lib/tnassign/l.db    SQLite file, absolute path
//	sqlite:///tmp/l.db?_pragma=synchronous(FULL)   with modernc.org/sqlite parameters
//	postgres://user@host:5432/db?sslmode=disable   PostgreSQL (postgresql:// too), pgx DSN as is
package ledgerurl
