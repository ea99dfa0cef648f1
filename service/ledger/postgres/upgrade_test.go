package postgres_test

import (
	"testing"

	"github.com/tnassign/tnassign/service/ledger/internal/upgradetest"
	"github.com/tnassign/tnassign/service/ledger/postgres"
)

// TestUpgradeFrom0001: a schema the release before fencing wrote, with a running job and pending
// batches, migrates when a replica of this release opens it, and resumes.
func TestUpgradeFrom0001(t *testing.T) {
	t.Parallel()
	dsn := schemaDSN(t)
	old, err := postgres.OpenThrough(t.Context(), dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	upgradetest.Seed(t, old.Exec)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	s := openDSN(t, dsn)
	upgradetest.Check(t, s)
}
