package sqlite_test

import (
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgertest"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// open returns a Store in a new file of the test's temporary directory.
func open(t testing.TB) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "sub", "ledger.db"))
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

func BenchmarkSQLite(b *testing.B) {
	ledgertest.Bench(b, func(b *testing.B) ledger.Store { return open(b) })
}
