package cli

import (
	"context"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// A call that repeats the request id of an earlier job starts nothing: the
// server replays that job's recorded events, beginning with a `started`
// event that carries the original job's id, exactly like a new job's. The
// stream does not say which of the two it is, so the CLI asks: it reads the
// job (GetAssignmentJob) and calls it a replay when the job was created
// before this call began.
//
// The job's create time is the server's clock and the call's start this
// machine's. On a loopback server they are the same clock, and only the
// ledger's rounding (microseconds) is allowed for; for another server,
// replaySkew allows for the two clocks to differ, and a re-run within
// replaySkew of the original is then not recognized as one. Without the
// read permission the job cannot be read, and nothing is said.

// replaySkew is how far the clocks of tnassign and a remote tnassignd are
// assumed to differ at most.
const replaySkew = 2 * time.Second

// loopbackSkew allows for the ledger's rounding of times on a loopback
// server, whose clock is this machine's.
const loopbackSkew = time.Millisecond

// replayLookupTimeout bounds the lookup; the events wait behind it.
const replayLookupTimeout = 10 * time.Second

// replayedJob returns the job jobID when this call replays it (see above),
// nil otherwise.
func replayedJob(ctx context.Context, client tnassignv1.AssignmentServiceClient, o options, c connection,
	requestID, jobID string, callStart time.Time) *tnassignv1.AssignmentJob {
	if requestID == "" || client == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, replayLookupTimeout)
	defer cancel()
	resp, err := client.GetAssignmentJob(ctx, &tnassignv1.GetAssignmentJobRequest{AccountId: o.account, JobId: jobID})
	if err != nil {
		return nil
	}
	job := resp.GetAssignmentJob()
	if job.GetRequestId() != requestID || job.GetCreateTime() == nil {
		return nil
	}
	skew := replaySkew
	if loopback(c.server) {
		skew = loopbackSkew
	}
	if !job.GetCreateTime().AsTime().Before(callStart.Add(-skew)) {
		return nil
	}
	return job
}
