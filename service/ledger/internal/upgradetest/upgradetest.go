package upgradetest

import (
	"context"
	"errors"
	"io/fs"
	"reflect"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tnassign/tnassign/service/ledger"
	"github.com/tnassign/tnassign/service/ledger/internal/codec"
	"github.com/tnassign/tnassign/service/ledger/internal/sqlstore"
)

// Through returns the migrations of fsys up to version, as the release that shipped version last
// had them.
func Through(fsys fs.FS, version int) (fs.FS, error) {
	ms, err := sqlstore.Migrations(fsys)
	if err != nil {
		return nil, err
	}
	out := fstest.MapFS{}
	for _, m := range ms {
		if m.Version <= version {
			out[m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
		}
	}
	return out, nil
}

// Exec runs one statement with ? placeholders on the database being upgraded.
type Exec func(ctx context.Context, query string, args ...any) error

// JobID is the job Seed writes; its owner is "replica-old".
const JobID = "job-old"

// seeded are the numbers Seed receives: batch 1 has the first two, batch 2 the next two, and the
// last one is in no batch.
var seeded = []string{"9195550000", "9195550001", "9195550002", "9195550003", "9195550004"}

// Seed writes, with the statements of the release that shipped migration 0001, a running job
// whose owner died (its lease ended a minute ago), with numbers received, a batch without an
// order id and a batch with one.
func Seed(t testing.TB, exec Exec) {
	t.Helper()
	ctx := t.Context()
	if err := exec(ctx, `SELECT lease_gen FROM jobs`); err == nil {
		t.Fatal("the database to seed is past migration 0001: jobs has lease_gen")
	}
	now := time.Now().UnixMicro()
	const chunkReceived = 1 // sqlstore's kind of the received numbers' chunks
	for _, st := range []struct {
		query string
		args  []any
	}{
		{`INSERT INTO jobs (id, account_id, action, customer_order_id, request_id, validate_only, state,
				created_at, updated_at, owner, lease_until) VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)`,
			[]any{JobID, "acct-1", string(ledger.ActionAssign), "", "", false, now, now, "replica-old", now - time.Minute.Microseconds()}},
		{`UPDATE jobs SET updated_at = ?, received_next = received_next + ?, received = received + ? WHERE id = ? AND state = 'running'`,
			[]any{now, len(seeded), len(seeded), JobID}},
		{`INSERT INTO chunks (job_id, kind, start, count, data) VALUES (?, ?, ?, ?, ?)`,
			[]any{JobID, chunkReceived, 0, len(seeded), codec.PackNumbers(nil, seeded)}},
		{`INSERT INTO batches (job_id, seq, customer_order_id, total, numbers) VALUES (?, ?, ?, ?, ?)`,
			[]any{JobID, 1, "c-1", 2, codec.PackNumbers(nil, seeded[0:2])}},
		{`INSERT INTO batches (job_id, seq, customer_order_id, total, numbers) VALUES (?, ?, ?, ?, ?)`,
			[]any{JobID, 2, "c-2", 2, codec.PackNumbers(nil, seeded[2:4])}},
		{`UPDATE batches SET order_id = ? WHERE job_id = ? AND seq = ?`, []any{"o-2", JobID, 2}},
	} {
		if err := exec(ctx, st.query, st.args...); err != nil {
			t.Fatalf("seeding the old database: %v", err)
		}
	}
}

// Check checks that s, a Store over the migrated database Seed wrote, reads the job back at
// FirstGeneration with its batches' create attempts unknown (attempted, no wait), and that the
// job resumes: its owner's fence still writes, until another replica claims it.
func Check(t *testing.T, s ledger.Store) {
	t.Helper()
	ctx := t.Context()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	j, err := s.GetJob(ctx, JobID)
	must("GetJob", err)
	if j.State != ledger.StateRunning || j.Owner != "replica-old" || j.Generation != ledger.FirstGeneration || j.Counts.Received != int64(len(seeded)) {
		t.Errorf("the old job: %+v", j)
	}
	w, err := s.PendingWork(ctx, JobID)
	must("PendingWork", err)
	want := ledger.PendingWork{
		Batches: []ledger.PendingBatch{
			{Seq: 1, CustomerOrderID: "c-1", Numbers: seeded[0:2], CreateAttempted: true},
			{Seq: 2, CustomerOrderID: "c-2", Numbers: seeded[2:4], OrderID: "o-2", CreateAttempted: true},
		},
		Unbatched: seeded[4:],
	}
	if !reflect.DeepEqual(w, want) {
		t.Errorf("pending work of the old job:\n got %+v\nwant %+v", w, want)
	}

	old := ledger.Fence{JobID: JobID, Owner: "replica-old", Generation: ledger.FirstGeneration}
	must("RecordCreateAttempt with the old owner's fence", s.RecordCreateAttempt(ctx, old, 1, time.Hour))
	must("RecordBatch with the old owner's fence", s.RecordBatch(ctx, old, ledger.Batch{Seq: 3, CustomerOrderID: "c-3", Numbers: seeded[4:]}))
	w, err = s.PendingWork(ctx, JobID)
	must("PendingWork", err)
	if len(w.Batches) != 3 || w.Batches[0].CreateWait <= 59*time.Minute || w.Batches[1].CreateWait != 0 || w.Batches[2].CreateAttempted {
		t.Errorf("pending batches after an attempt on batch 1 and a new batch 3: %+v", w.Batches)
	}

	js, err := s.ClaimJobs(ctx, "replica-new", time.Minute, 10)
	must("ClaimJobs", err)
	if len(js) != 1 || js[0].ID != JobID || js[0].Generation != ledger.FirstGeneration+1 || js[0].PreviousOwner != "replica-old" {
		t.Fatalf("claimed %+v, want the old job at the next generation", js)
	}
	if err := s.RecordOrderID(ctx, old, 1, "o-1"); !errors.Is(err, ledger.ErrNotOwner) {
		t.Errorf("RecordOrderID with the old owner's fence after a claim: %v, want ErrNotOwner", err)
	}
	fresh := ledger.Fence{JobID: JobID, Owner: "replica-new", Generation: js[0].Generation}
	must("RecordSettlement with the claim's fence", s.RecordSettlement(ctx, fresh, 2, ledger.Settlement{OrderID: "o-2", Status: "COMPLETE", Succeeded: seeded[2:4]}))
	must("FinishJob with the claim's fence", s.FinishJob(ctx, fresh, ledger.Result{State: ledger.StatePartial}))
}
