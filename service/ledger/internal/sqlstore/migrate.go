package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations reads the files NNNN_name.sql at the root of fsys, ordered by version.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("ledger: migrations: %w", err)
	}
	var out []Migration
	for _, name := range names {
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("ledger: migration %s: name is not NNNN_name.sql", name)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("ledger: migration %s: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("ledger: migrations %s and %s share a version", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// Migrate applies, in one write transaction, the migrations in fsys that schema_migrations does
// not list, and records them. It is idempotent, and two processes migrating at once apply each
// migration once (the dialect's MigrationLock, or the write transaction itself, excludes them).
func Migrate(ctx context.Context, db DB, d Dialect, fsys fs.FS) error {
	ms, err := Migrations(fsys)
	if err != nil {
		return err
	}
	s := New(db, d)
	return wrap("migrate", s.write(ctx, func(t tx) error {
		if d.MigrationLock != "" {
			if _, err := t.exec(ctx, d.MigrationLock); err != nil {
				return fmt.Errorf("lock: %w", err)
			}
		}
		if _, err := t.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
			return err
		}
		var latest int
		if err := t.row(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&latest); err != nil && !errors.Is(err, ErrNoRows) {
			return err
		}
		if n := len(ms); n > 0 && latest > ms[n-1].Version {
			return fmt.Errorf("the schema is at version %d, newer than this binary's %d", latest, ms[n-1].Version)
		}
		for _, m := range ms {
			if m.Version <= latest {
				continue
			}
			if _, err := t.qr.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			if _, err := t.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, {now})`, m.Version, m.Name); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
		}
		return nil
	}))
}
