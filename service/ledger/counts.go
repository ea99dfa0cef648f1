package ledger

// RecordedCounts are a job's counts as its records show them: rejected numbers, settled and
// unsent batches, pending batches (counted as received only) and numbers received but never
// put in a batch (unbatched). Recovery starts a claimed job from them, and the read RPCs show
// a running job's progress with them.
func RecordedCounts(batches []BatchInfo, rejected, unbatched int) Counts {
	c := Counts{Rejected: int64(rejected), Received: int64(rejected + unbatched)}
	for _, b := range batches {
		c.Received += int64(b.Total)
		switch {
		case b.Settled:
			c.Succeeded += int64(b.Total - b.Failed)
			c.Failed += int64(b.Failed)
		case b.Unsent:
			c.NotSubmitted += int64(b.Total)
		}
	}
	return c
}
