package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/tnassign/tnassign/service/ledger"
)

// fenced is the condition of the statements that write a running job: it matches the job's row
// only while the job runs and f (its three arguments, fenceArgs) is its current fence. The
// statement that tests it is the one that locks the row for the rest of the transaction
// (PostgreSQL; SQLite runs one writer at a time), so a ClaimJobs of the job either commits before
// it (the write is refused) or waits until the write committed.
const fenced = `id = ? AND state = 'running' AND owner = ? AND lease_gen = ?`

// fenceArgs are the arguments of fenced.
func fenceArgs(f ledger.Fence) []any { return []any{f.JobID, f.Owner, f.Generation} }

// touchRunning locks the running job f fences, when f is current, for the rest of the
// transaction and sets its updated_at; otherwise it returns refusal's error.
func (t tx) touchRunning(ctx context.Context, f ledger.Fence) error {
	n, err := t.exec(ctx, `UPDATE jobs SET updated_at = {now} WHERE `+fenced, fenceArgs(f)...)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	return t.refusal(ctx, f)
}

// refusal explains why a fenced statement matched no row: ErrNotFound when the job does not
// exist, ErrJobFinished when it finished, ErrNotOwner when f is not its current fence.
func (t tx) refusal(ctx context.Context, f ledger.Fence) error {
	var state, owner string
	var gen int64
	err := t.row(ctx, `SELECT state, owner, lease_gen FROM jobs WHERE id = ?`, f.JobID).Scan(&state, &owner, &gen)
	switch {
	case errors.Is(err, ErrNoRows):
		return fmt.Errorf("job %s: %w", f.JobID, ledger.ErrNotFound)
	case err != nil:
		return err
	case ledger.State(state).Final():
		return fmt.Errorf("job %s: %w", f.JobID, ledger.ErrJobFinished)
	case owner != f.Owner || gen != f.Generation:
		return fmt.Errorf("job %s: owned by %q at generation %d, not by %q at generation %d: %w",
			f.JobID, owner, gen, f.Owner, f.Generation, ledger.ErrNotOwner)
	}
	return fmt.Errorf("job %s: running and owned by %q at generation %d, yet not updated", f.JobID, owner, gen)
}
