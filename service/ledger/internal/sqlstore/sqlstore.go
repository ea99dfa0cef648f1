package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tnassign/tnassign/service/ledger"
)

// Querier runs statements inside one transaction. Statements use ? placeholders and {now} for
// the database clock in Unix microseconds; the Dialect rewrites them.
type Querier interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a statement that returns rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a statement that returns at most one row; its Scan returns ErrNoRows when
	// there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows iterates the rows of a query.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is the single row of QueryRow.
type Row interface {
	Scan(dest ...any) error
}

// ErrNoRows is what a driver's Row.Scan returns (or wraps) when there was no row.
var ErrNoRows = errors.New("sqlstore: no rows")

// DB runs transactions. Write transactions of one DB never interleave their writes with another's
// on the same rows (SQLite: one writer connection and BEGIN IMMEDIATE; PostgreSQL: row locks).
type DB interface {
	// Write runs fn in a read-write transaction, committing when it returns nil.
	Write(ctx context.Context, fn func(Querier) error) error
	// Read runs fn in a read-only transaction with one consistent snapshot.
	Read(ctx context.Context, fn func(Querier) error) error
}

// Dialect is what differs between SQL databases.
type Dialect struct {
	// Numbered placeholders ($1, $2, …) instead of ?.
	Numbered bool
	// Now is an SQL expression for the database clock in Unix microseconds.
	Now string
	// SkipLocked is appended to the SELECT that picks jobs to claim (FOR UPDATE SKIP LOCKED on
	// PostgreSQL; empty on SQLite, whose single writer serializes claims).
	SkipLocked string
	// MigrationLock is run first in the migration transaction to keep two processes from
	// migrating at once; empty when the write transaction already excludes them.
	MigrationLock string
}

// Store is ledger.Store over a DB.
type Store struct {
	db DB
	d  Dialect
}

// New returns a Store over db in the dialect d. The schema must be migrated.
func New(db DB, d Dialect) *Store { return &Store{db: db, d: d} }

// q rewrites a statement for the dialect.
func (s *Store) q(query string) string {
	query = strings.ReplaceAll(query, "{now}", s.d.Now)
	if !s.d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// tx wraps a Querier so that every statement is rewritten for the dialect.
type tx struct {
	s  *Store
	qr Querier
}

func (t tx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	return t.qr.Exec(ctx, t.s.q(query), args...)
}

func (t tx) query(ctx context.Context, query string, args ...any) (Rows, error) {
	return t.qr.Query(ctx, t.s.q(query), args...)
}

func (t tx) row(ctx context.Context, query string, args ...any) Row {
	return t.qr.QueryRow(ctx, t.s.q(query), args...)
}

func (s *Store) write(ctx context.Context, fn func(tx) error) error {
	return s.db.Write(ctx, func(q Querier) error { return fn(tx{s, q}) })
}

func (s *Store) read(ctx context.Context, fn func(tx) error) error {
	return s.db.Read(ctx, func(q Querier) error { return fn(tx{s, q}) })
}

// jobExists returns ErrNotFound unless jobID exists.
func (t tx) jobExists(ctx context.Context, jobID string) error {
	var one int
	err := t.row(ctx, `SELECT 1 FROM jobs WHERE id = ?`, jobID).Scan(&one)
	if errors.Is(err, ErrNoRows) {
		return fmt.Errorf("job %s: %w", jobID, ledger.ErrNotFound)
	}
	return err
}

// wrap adds the operation to err.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("ledger: %s: %w", op, err)
}
