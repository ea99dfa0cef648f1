package jobs

// A job is handed over when this process stops working on it before it finished, leaving it
// running in the ledger for the next owner: another replica, or this engine after a restart,
// which claims it once its lease ends and polls its orders to their end (see recoverJob). That
// happens when
//
//   - Shutdown's deadline passes with orders of the job unsettled (ErrForcedDown): recording
//     them as of unknown outcome would end the job while Bandwidth is still working on them;
//   - this replica is no longer sure it owns the job (ErrLeaseLost): its lease renewals failed
//     for most of a lease, or another replica claimed the job or finished it. Working on would
//     race with the new owner, which may be sending the same batches;
//   - the ledger did not record an order's outcome or the job's end (ErrLedgerFailed): the job
//     cannot end here while the ledger shows it unfinished, and what it reports must be what
//     the ledger holds.
//
// A handed-over job sends no more orders and records nothing more, except the order ids of
// orders Bandwidth already created (which only help the next owner); its orders in flight are
// abandoned. Its caller's events end without Finished, and its run returns a HandedOverError
// saying how many numbers of the input it read: the caller follows the job (Engine.Follow) and
// sends the numbers after those again, in a new job. Every number read is in the ledger, so
// the next owner gives each an outcome.

// handOver stops the job in this process for cause, without finishing it; later calls do
// nothing. It stops the intake and cancels the job's orders in flight.
func (j *Job) handOver(cause error) {
	j.mu.Lock()
	if j.handedOverBy != nil {
		j.mu.Unlock()
		return
	}
	j.handedOverBy = cause
	if j.stopErr == nil {
		j.stopErr = cause
	}
	j.mu.Unlock()
	j.log.Warn("handing the job over: it stays running in the ledger for the next owner", "cause", cause)
	j.stopIntake(cause)
	j.cancelOrders()
}

// handedOver reports whether the job was handed over.
func (j *Job) handedOver() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.handedOverBy != nil
}

// cutShort reports whether the job's orders were cut short: the engine was forced down, or the
// job was handed over. A forced shutdown hands the job over.
func (j *Job) cutShort() bool {
	if j.ctx.Err() == nil {
		return false
	}
	j.handOver(ErrForcedDown) // no-op when already handed over
	return true
}

// mayRecord reports whether the job may still record progress: it was not handed over and is
// surely still this replica's (checking hands it over otherwise).
func (j *Job) mayRecord() bool {
	return !j.handedOver() && j.hold.ok()
}

// leave ends the job's run in this process after it was handed over: its caller's events end
// without Finished. It returns the HandedOverError the caller is told.
func (j *Job) leave() error {
	j.mu.Lock()
	cause, counts, read := j.handedOverBy, j.counts, j.read
	j.mu.Unlock()
	if j.events != nil {
		j.events.close()
	}
	j.unhook()
	j.stopIntake(nil)
	j.cancelOrders()
	j.e.hub.unregister(j.id)
	j.e.holds.remove(j.id)
	j.e.obs.jobFinished(j.actionName, handedOverState)
	j.log.Warn("job handed over unfinished; another replica or the next start finishes it", "cause", cause, "numbers_read", read,
		"received", counts.Received, "rejected", counts.Rejected, "succeeded", counts.Succeeded, "failed", counts.Failed)
	return &HandedOverError{Cause: cause, Read: read}
}

// handedOverState is the state Observer.JobFinished reports for a job handed over.
const handedOverState = "handed_over"
