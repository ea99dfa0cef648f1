package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/tnassign/tnassign/service/ledger/internal/upgradetest"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

// TestUpgradeFrom0001: a file the release before fencing wrote, with a running job and pending
// batches, opens, migrates and resumes.
func TestUpgradeFrom0001(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.db")
	old, err := sqlite.OpenThrough(t.Context(), path, 1)
	if err != nil {
		t.Fatal(err)
	}
	upgradetest.Seed(t, old.Exec)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	upgradetest.Check(t, s)
}
