package postgres_test

import (
	"sync"
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/postgres"
)

// TestReplicasStartTogether: replicas opening one fresh schema at once migrate it once, and
// then share it.
func TestReplicasStartTogether(t *testing.T) {
	t.Parallel()
	dsn := schemaDSN(t)
	stores := make([]*postgres.Store, 4)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			s, err := postgres.Open(t.Context(), dsn)
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { _ = s.Close() })
			stores[i] = s
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if err := stores[0].CreateJob(t.Context(), ledger.Job{ID: "j", AccountID: "a", Action: ledger.ActionAssign}, 0); err != nil {
		t.Fatal(err)
	}
	for _, s := range stores[1:] {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetJob(t.Context(), "j"); err != nil {
			t.Errorf("another replica: %v", err)
		}
	}
}
