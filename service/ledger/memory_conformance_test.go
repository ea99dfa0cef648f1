package ledger_test

import (
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgertest"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	ledgertest.Run(t, func(t *testing.T) ledger.Store {
		s := ledger.NewMemory()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func BenchmarkMemory(b *testing.B) {
	ledgertest.Bench(b, func(b *testing.B) ledger.Store { return ledger.NewMemory() })
}
