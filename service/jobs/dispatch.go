package jobs

import (
	"context"
)

// dispatch sends b to Bandwidth once the job, the process and the account have room: a slot of
// the job's MaxInflightPerJob, one of the process's MaxInflightOrders, and a token of the
// account's rate limit. It blocks until then, which stops the request reader (see batcher). When
// the job stops first, b is not sent and its numbers are counted as not submitted.
func (j *Job) dispatch(b *batch) {
	if err := j.acquire(); err != nil {
		j.stop(err)
		j.addNotSubmitted(b.numbers)
		return
	}
	if !j.e.work.tryStart() {
		// Shutdown has begun and may already have seen no work in flight: start nothing.
		j.release()
		j.stop(ErrShuttingDown)
		j.addNotSubmitted(b.numbers)
		return
	}
	j.settling.Add(1)
	j.recording.Add(1)
	j.e.obs.ordersInFlight(1)
	go j.settle(b)
}

// acquire takes an order slot of the job and of the process, and a rate-limit token, in that
// order. It gives up with the reason the job stopped taking numbers.
func (j *Job) acquire() error {
	done := j.intake.Done()
	if j.intake.Err() != nil {
		return context.Cause(j.intake)
	}
	select {
	case j.slots <- struct{}{}:
	case <-done:
		return context.Cause(j.intake)
	}
	select {
	case j.e.slots <- struct{}{}:
	case <-done:
		<-j.slots
		return context.Cause(j.intake)
	}
	return nil
}

// release returns the slots acquire took.
func (j *Job) release() {
	<-j.e.slots
	<-j.slots
}
