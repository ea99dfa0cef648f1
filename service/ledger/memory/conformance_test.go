package memory_test

import (
	"testing"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/ledgertest"
	"github.com/tnassign/tnassign/service/ledger/memory"
)

func TestMemoryConformance(t *testing.T) {
	t.Parallel()
	ledgertest.Run(t, func(t *testing.T) ledger.Store {
		s := memory.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

func BenchmarkMemory(b *testing.B) {
	ledgertest.Bench(b, func(b *testing.B) ledger.Store { return memory.New() })
}
