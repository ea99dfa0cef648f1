package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgertest"
	"github.com/tnassign/tnassign/service/ledger/postgres"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// schemaDSN creates a schema of the test's own in the database of TNASSIGN_TEST_POSTGRES_DSN
// (skipping the test without it), drops it when the test ends, and returns a DSN that uses it.
func schemaDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("TNASSIGN_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("TNASSIGN_TEST_POSTGRES_DSN is not set")
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "ledger_test_" + hex.EncodeToString(b[:])
	admin, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("pool_max_conns", "8")
	u.RawQuery = q.Encode()
	return u.String()
}

// open returns a Store in a schema of the test's own.
func open(t testing.TB) *postgres.Store {
	t.Helper()
	return openDSN(t, schemaDSN(t))
}

// openDSN returns a Store of dsn, closed when the test ends.
func openDSN(t testing.TB, dsn string) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return open(t) })
}

func BenchmarkPostgres(b *testing.B) {
	ledgertest.Bench(b, func(b *testing.B) ledger.Store { return open(b) })
}
