package ledgertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
)

// Factory returns a fresh, empty Store for one subtest and arranges for it to be closed.
type Factory func(t *testing.T) ledger.Store

// Run runs the conformance suite against the stores newStore returns.
func Run(t *testing.T, newStore Factory) {
	t.Helper()
	groups := []struct {
		name  string
		tests map[string]func(t *testing.T, s ledger.Store)
	}{
		{"Jobs", jobTests},
		{"Writes", writeTests},
		{"Lists", listTests},
		{"Outcomes", outcomeTests},
		{"Leases", leaseTests},
		{"Recovery", recoveryTests},
		{"Fencing", fencingTests},
		{"CreateAttempts", createAttemptTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for name, test := range g.tests {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					test(t, newStore(t))
				})
			}
		})
	}
}

// numbers returns n canonical numbers counting up from first.
func numbers(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%010d", first+i)
	}
	return out
}

// must fails the test on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr fails the test unless err matches target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// createJob creates a running job with the given id in account "acct-1", owned by "replica-a"
// for DefaultLease.
func createJob(t *testing.T, s ledger.Store, id string) ledger.Job {
	t.Helper()
	j := ledger.Job{ID: id, AccountID: "acct-1", Action: ledger.ActionAssign, Owner: "replica-a"}
	must(t, s.CreateJob(t.Context(), j, ledger.DefaultLease))
	return j
}

// fence returns the Fence of the job id as createJob created it: owned by "replica-a" at the
// first generation.
func fence(id string) ledger.Fence {
	return ledger.Fence{JobID: id, Owner: "replica-a", Generation: ledger.FirstGeneration}
}

// finish ends a job createJob created with the given state and no numbers.
func finish(t *testing.T, s ledger.Store, id string, state ledger.State) {
	t.Helper()
	must(t, s.FinishJob(t.Context(), fence(id), ledger.Result{State: state}))
}

// getJob returns a recorded job.
func getJob(t *testing.T, s ledger.Store, id string) ledger.Job {
	t.Helper()
	j, err := s.GetJob(t.Context(), id)
	must(t, err)
	return j
}

// equal fails the test unless got and want are deeply equal, treating nil and empty slices
// alike.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(normalize(got), normalize(want)) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// normalize turns empty slices (at any depth of slices and structs) into nil for comparison.
func normalize(v any) any {
	return normalizeValue(reflect.ValueOf(v)).Interface()
}

func normalizeValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.Len() == 0 {
			return reflect.Zero(v.Type())
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(normalizeValue(v.Index(i)))
		}
		return out
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				return v // time.Time and the like compare as they are
			}
		}
		out := reflect.New(v.Type()).Elem()
		for i := range v.NumField() {
			out.Field(i).Set(normalizeValue(v.Field(i)))
		}
		return out
	}
	return v
}

// within reports whether ts lies in [from-slack, to+slack]: store clocks (a database server's)
// may differ slightly from the test's.
func within(ts, from, to time.Time) bool {
	const slack = 2 * time.Second
	return !ts.Before(from.Add(-slack)) && !ts.After(to.Add(slack))
}

// allOutcomes pages through a job's outcomes with the given filter and page size.
func allOutcomes(t *testing.T, s ledger.Store, jobID string, result ledger.OutcomeResult, size int) []ledger.Outcome {
	t.Helper()
	var out []ledger.Outcome
	q := ledger.OutcomeQuery{Result: result, PageSize: size}
	for range 100000 {
		p, err := s.ListOutcomes(t.Context(), jobID, q)
		must(t, err)
		if len(p.Outcomes) == 0 && p.NextPageToken != "" {
			t.Fatalf("empty page with a next page token")
		}
		if size > 0 && len(p.Outcomes) > size {
			t.Fatalf("page of %d outcomes, asked for %d", len(p.Outcomes), size)
		}
		out = append(out, p.Outcomes...)
		if p.NextPageToken == "" {
			return out
		}
		q.PageToken = p.NextPageToken
	}
	t.Fatal("too many pages")
	return nil
}

// ctx is a shorthand for the test's context.
func ctx(t *testing.T) context.Context { return t.Context() }
