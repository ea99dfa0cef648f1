package sqlite_test

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/sqlite"
)

// TestReopen: what one Store wrote, the next one opened on the file reads, and opening an
// already migrated file changes nothing.
func TestReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.db")
	s, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateJob(t.Context(), ledger.Job{ID: "j", AccountID: "a", Action: ledger.ActionAssign, RequestID: "r"}, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordBatch(t.Context(), ledger.Fence{JobID: "j", Generation: ledger.FirstGeneration}, ledger.Batch{Seq: 1, CustomerOrderID: "c-1", Numbers: []string{"9195550000"}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := sqlite.Open(t.Context(), "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s2.Close() })
	if err := s2.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if j, err := s2.FindJobByRequestID(t.Context(), "a", "r"); err != nil || j.ID != "j" {
		t.Fatalf("after reopening: %+v, %v", j, err)
	}
	if w, err := s2.PendingWork(t.Context(), "j"); err != nil || len(w.Batches) != 1 {
		t.Fatalf("after reopening: pending %+v, %v", w, err)
	}
}

// TestTwoProcesses: two Stores on one file (as two processes would be) open, migrate and write
// concurrently without SQLITE_BUSY errors.
func TestTwoProcesses(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.db")
	stores := make([]*sqlite.Store, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() {
			s, err := sqlite.Open(t.Context(), path)
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
	for i, s := range stores {
		id := []string{"j0", "j1"}[i]
		wg.Go(func() {
			if err := s.CreateJob(t.Context(), ledger.Job{ID: id, AccountID: "a", Action: ledger.ActionAssign}, 0); err != nil {
				t.Error(err)
				return
			}
			for seq := 1; seq <= 20; seq++ {
				if err := s.RecordBatch(t.Context(), ledger.Fence{JobID: id, Generation: ledger.FirstGeneration}, ledger.Batch{Seq: seq, CustomerOrderID: "c", Numbers: []string{"9195550000"}}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	for _, id := range []string{"j0", "j1"} {
		if bs, err := stores[0].ListBatches(t.Context(), id); err != nil || len(bs) != 20 {
			t.Errorf("%s: %d batches, %v", id, len(bs), err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{"", ":memory:", "file::memory:", "file:x.db?mode=memory", "a?b.db"} {
		if s, err := sqlite.Open(t.Context(), dsn); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}
