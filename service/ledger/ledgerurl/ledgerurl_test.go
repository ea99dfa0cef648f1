package ledgerurl_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgerurl"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct {
		url, file string // file is the SQLite file the URL must create, relative to dir
	}{
		{"memory://", ""},
		{"sqlite://./data/rel.db", "data/rel.db"},
		{"sqlite://plain.db", "plain.db"},
		{"sqlite://" + filepath.Join(dir, "abs", "abs.db"), "abs/abs.db"},
		{"sqlite://" + filepath.Join(dir, "q.db") + "?_pragma=synchronous(FULL)", "q.db"},
	}
	for _, c := range cases {
		s, err := ledgerurl.Open(t.Context(), c.url)
		if err != nil {
			t.Errorf("Open(%q): %v", c.url, err)
			continue
		}
		if err := s.CreateJob(t.Context(), ledger.Job{ID: "j", AccountID: "a", Action: ledger.ActionAssign}, 0); err != nil {
			t.Errorf("Open(%q): CreateJob: %v", c.url, err)
		}
		if m, ok := s.(ledgerurl.Migrator); ok {
			if err := m.Migrate(t.Context()); err != nil {
				t.Errorf("Open(%q): second Migrate: %v", c.url, err)
			}
		} else if c.file != "" {
			t.Errorf("Open(%q) is no Migrator", c.url)
		}
		if err := s.Close(); err != nil {
			t.Errorf("Open(%q): Close: %v", c.url, err)
		}
		if c.file != "" {
			if _, err := os.Stat(filepath.Join(dir, c.file)); err != nil {
				t.Errorf("Open(%q) did not create %s: %v", c.url, c.file, err)
			}
		}
	}
	for _, bad := range []string{"", "./data/x.db", "memory://x", "sqlite://", "mysql://host/db", "sqlite://:memory:"} {
		if s, err := ledgerurl.Open(t.Context(), bad); err == nil {
			_ = s.Close()
			t.Errorf("Open(%q) succeeded", bad)
		}
	}
}
