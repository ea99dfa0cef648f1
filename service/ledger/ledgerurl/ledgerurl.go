package ledgerurl

import (
	"context"
	"fmt"
	"strings"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/memory"
	"github.com/tnassign/tnassign/service/ledger/postgres"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

// Migrator is a Store whose schema can be migrated explicitly (tnassignd migrate). The SQLite
// and PostgreSQL stores are Migrators; the in-memory one needs no schema.
type Migrator interface {
	Migrate(ctx context.Context) error
}

// Open opens the Store rawURL names (see the package comment), migrating its schema.
func Open(ctx context.Context, rawURL string) (ledger.Store, error) {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return nil, fmt.Errorf("ledger: %q is not a ledger URL (memory://, sqlite://PATH, postgres://…)", rawURL)
	}
	switch strings.ToLower(scheme) {
	case "memory":
		if rest != "" {
			return nil, fmt.Errorf("ledger: %q: memory:// takes no path", rawURL)
		}
		return memory.New(), nil
	case "sqlite", "sqlite3":
		path, query, _ := strings.Cut(rest, "?")
		if path == "" {
			return nil, fmt.Errorf("ledger: %q: sqlite:// needs a file path", rawURL)
		}
		dsn := "file:" + path
		if query != "" {
			dsn += "?" + query
		}
		return sqlite.Open(ctx, dsn)
	case "postgres", "postgresql":
		return postgres.Open(ctx, rawURL)
	}
	return nil, fmt.Errorf("ledger: %q: unknown scheme %q (memory, sqlite, postgres)", rawURL, scheme)
}
