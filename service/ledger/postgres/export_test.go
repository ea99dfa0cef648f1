package postgres

import (
	"context"
	"io/fs"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
	"github.com/tnassign/tnassign/service/ledger/internal/upgradetest"
)

// OpenThrough connects to the database at dsn and migrates its schema through version only, as
// the release that shipped that migration last left it.
func OpenThrough(ctx context.Context, dsn string, version int) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	s, err := connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err == nil {
		sub, err = upgradetest.Through(sub, version)
	}
	if err == nil {
		err = sqlstore.Migrate(ctx, s, dialect, sub)
	}
	if err != nil {
		s.pool.Close()
		return nil, err
	}
	return s, nil
}

// Exec runs one statement with ? placeholders.
func (s *Store) Exec(ctx context.Context, query string, args ...any) error {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	_, err := s.pool.Exec(ctx, b.String(), args...)
	return err
}
