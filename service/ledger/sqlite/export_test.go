package sqlite

import (
	"context"
	"io/fs"

	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
	"github.com/tnassign/tnassign/service/ledger/internal/upgradetest"
)

// OpenThrough opens the SQLite ledger at dsn with its schema migrated through version only, as
// the release that shipped that migration last left it.
func OpenThrough(ctx context.Context, dsn string, version int) (*Store, error) {
	s, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err == nil {
		sub, err = upgradetest.Through(sub, version)
	}
	if err == nil {
		err = sqlstore.Migrate(ctx, migrator{s}, dialect, sub)
	}
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Exec runs one statement, unprepared, on the writer connection.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	_, err := s.writer.ExecContext(ctx, query, args...)
	return err
}
