package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// dialect is SQLite's: ? placeholders and the clock from julianday('now').
var dialect = sqlstore.Dialect{
	Now: `CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)`,
}

// Store is a ledger.Store in one SQLite file. It is safe for concurrent use.
type Store struct {
	*sqlstore.Store
	writer, reader *sql.DB
	// writes and reads are the statements prepared on writer and reader.
	writes, reads *statements
	closeOnce     sync.Once
	closeErr      error
}

var _ ledger.Store = (*Store)(nil)

// Open opens (creating when missing, with its directory) the SQLite ledger at dsn and migrates
// its schema. dsn is a file path ("./data/tnassign.db", "/var/lib/tnassign/ledger.db") or a
// "file:" URI whose query may add modernc.org/sqlite parameters (for example
// "file:/tmp/l.db?_pragma=synchronous(FULL)"). In-memory databases are not supported: the
// reader and writer pools must share one file.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// open opens the SQLite ledger at dsn without migrating its schema.
func open(ctx context.Context, dsn string) (*Store, error) {
	path, query, err := splitDSN(dsn)
	if err != nil {
		return nil, err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("ledger: sqlite: create directory of %s: %w", path, err)
		}
	}
	common := "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	if query != "" {
		common += "&" + query // later parameters override ours
	}
	writer, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("ledger: sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1) // the single writer: writes queue here, not on SQLITE_BUSY
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("ledger: sqlite: open %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("ledger: sqlite: open %s: %w", path, err)
	}
	readers := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	s := &Store{writer: writer, reader: reader, writes: newStatements(writer), reads: newStatements(reader)}
	s.Store = sqlstore.New(s, dialect)
	return s, nil
}

// splitDSN returns the file path and the query of a path or "file:" DSN.
func splitDSN(dsn string) (path, query string, err error) {
	if dsn == "" || dsn == ":memory:" || strings.Contains(dsn, "mode=memory") {
		return "", "", fmt.Errorf("ledger: sqlite: %q: a file path is required", dsn)
	}
	if rest, ok := strings.CutPrefix(dsn, "file:"); ok {
		path, query, _ = strings.Cut(rest, "?")
		if path == "" || path == ":memory:" {
			return "", "", fmt.Errorf("ledger: sqlite: %q: a file path is required", dsn)
		}
		return path, query, nil
	}
	if strings.ContainsAny(dsn, "?#") {
		return "", "", fmt.Errorf("ledger: sqlite: path %q contains ? or #; use a file: URI", dsn)
	}
	return dsn, "", nil
}

// Migrate applies the embedded migrations the database lacks; Open calls it. It is idempotent
// and safe when several processes open the same file at once.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("ledger: sqlite: %w", err)
	}
	return sqlstore.Migrate(ctx, migrator{s}, dialect, sub)
}

// migrator is the Store as the sqlstore.DB of migrations, whose statements run unprepared.
type migrator struct{ s *Store }

func (m migrator) Write(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return run(ctx, m.s.writer, nil, fn)
}

func (m migrator) Read(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return run(ctx, m.s.reader, nil, fn)
}

// Ping implements ledger.Store: it reports whether the writer connection works.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ledger: sqlite: ping: %w", err)
	}
	return nil
}

// Close implements ledger.Store. It may be called more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = errors.Join(s.reads.close(), s.writes.close(), s.reader.Close(), s.writer.Close())
	})
	return s.closeErr
}

// Write implements sqlstore.DB: an IMMEDIATE transaction on the single writer connection.
func (s *Store) Write(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return run(ctx, s.writer, s.writes, fn)
}

// Read implements sqlstore.DB: a deferred transaction on the reader pool.
func (s *Store) Read(ctx context.Context, fn func(sqlstore.Querier) error) error {
	return run(ctx, s.reader, s.reads, fn)
}

// run runs fn in a transaction of db, reusing the statements stmts prepared (unless nil) and
// preparing those it lacked once the transaction ended.
func run(ctx context.Context, db *sql.DB, stmts *statements, fn func(sqlstore.Querier) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	var unprepared []string
	if err := fn(querier{tx: tx, stmts: stmts, unprepared: &unprepared}); err != nil {
		_ = tx.Rollback()
		return err
	}
	err = tx.Commit()
	if len(unprepared) > 0 {
		stmts.prepare(ctx, unprepared)
	}
	return err
}
