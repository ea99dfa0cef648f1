// Package ledgertest is the conformance suite of ledger.Store: every driver runs
//
//	ledgertest.Run(t, func(t *testing.T) ledger.Store { … a fresh, empty store … })
//
// and must pass all of it. Each subtest gets its own store from the factory and may run in
// parallel with the others, so the factory must give independent stores (a temporary file, a
// schema of its own) and close them in t.Cleanup.
package ledgertest
