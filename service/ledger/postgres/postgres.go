package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialect is PostgreSQL's: numbered placeholders, the database clock, SKIP LOCKED claims and an
// advisory lock (per schema) around migrations.
var dialect = sqlstore.Dialect{
	Numbered:      true,
	Now:           `(extract(epoch from now()) * 1000000)::bigint`,
	SkipLocked:    `FOR UPDATE SKIP LOCKED`,
	MigrationLock: `SELECT pg_advisory_xact_lock(hashtext('tnassign.ledger.migrate.' || current_schema()))`,
}

// Store is a ledger.Store in a PostgreSQL database. It is safe for concurrent use, also by
// several processes sharing the database.
type Store struct {
	*sqlstore.Store
	pool *pgxpool.Pool
}

var _ ledger.Store = (*Store)(nil)

// Open connects to the database at dsn ("postgres://user@host:5432/db?sslmode=disable" or a
// key=value connection string, with pgxpool's pool_* parameters) and migrates the schema.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("ledger: postgres: parse dsn: %w", err)
	}
	return OpenConfig(ctx, cfg)
}

// OpenConfig is Open with a parsed pool configuration.
func OpenConfig(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	s, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// connect returns a Store over a new pool without migrating the schema.
func connect(ctx context.Context, cfg *pgxpool.Config) (*Store, error) {
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("ledger: postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("ledger: postgres: connect: %w", err)
	}
	s := &Store{pool: pool}
	s.Store = sqlstore.New(s, dialect)
	return s, nil
}

// Migrate applies the embedded migrations the database lacks; Open calls it. It is idempotent
// and safe when several replicas start at once.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("ledger: postgres: %w", err)
	}
	return sqlstore.Migrate(ctx, s, dialect, sub)
}

// Ping implements ledger.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ledger: postgres: ping: %w", err)
	}
	return nil
}

// Close implements ledger.Store: it closes the pool's connections. It may be called more than once.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Write implements sqlstore.DB: a read-committed transaction; statements lock the rows they change.
func (s *Store) Write(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return s.run(ctx, pgx.TxOptions{}, fn)
}

// Read implements sqlstore.DB: a read-only, repeatable-read transaction (one snapshot).
func (s *Store) Read(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(sqlstore.Querier) error) error {
	if s.pool == nil {
		return errors.New("ledger: postgres: store not open")
	}
	return pgx.BeginTxFunc(ctx, s.pool, opts, func(tx pgx.Tx) error { return fn(querier{tx}) })
}

// querier adapts a pgx transaction to sqlstore.Querier.
type querier struct{ tx pgx.Tx }

func (q querier) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	var tag pgconn.CommandTag
	tag, err := q.tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (q querier) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	return q.tx.Query(ctx, query, args...)
}

func (q querier) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return row{q.tx.QueryRow(ctx, query, args...)}
}

type row struct{ r pgx.Row }

func (r row) Scan(dest ...any) error {
	err := r.r.Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return sqlstore.ErrNoRows
	}
	return err
}
