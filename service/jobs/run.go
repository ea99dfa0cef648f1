package jobs

import (
	"context"
	"errors"
	"io"

	"github.com/tnassign/tnassign/service/ledger"
)

// Input returns a job's numbers one message at a time: the next message's numbers (the
// caller's text, validated by the job), then io.EOF once the input ended normally. Any other
// error ends the job early; the numbers returned with it are recorded as not submitted. Wrap
// such errors in an InputError to choose the job's failure reason and whether it aborted.
type Input func() ([]string, error)

// Start records a new job fed by a caller that waits for its events, and returns it for Run.
// ctx is the caller's: the job stops taking numbers when it ends, though its orders settle
// regardless. When the account already has a job with p.RequestID, nothing is started: Start
// returns that job instead, for the caller to Follow (or a RequestIDReusedError when that job
// differs in action or ValidateOnly).
//
// A started job counts as work Shutdown waits for, except while its input waits for the
// caller; Run must follow.
func (e *Engine) Start(ctx context.Context, p Params) (*Job, *ledger.Job, error) {
	if e.Stopping() || !e.work.tryStart() {
		return nil, nil, ErrShuttingDown
	}
	j, existing, err := e.start(ctx, ctx, p)
	if err != nil || existing != nil {
		e.work.add(-1)
		return nil, existing, err
	}
	return j, nil, nil
}

// Run feeds the job its numbers, first and then each message next returns until io.EOF,
// delivering its events through send, and finishes it. It returns nil when the job ran to its
// end, why it stopped early otherwise (an InputError, a Bandwidth error, ErrShuttingDown, a
// StoreError...), or a HandedOverError when this process left it to another.
func (j *Job) Run(send Send, first []string, next Input) error {
	defer j.e.work.add(-1)
	j.events = startSender(j.e.ctx, send, j.log)
	j.emit(Started{JobID: j.id, AccountID: j.params.AccountID, Action: j.params.Action})
	return j.run(first, next, true)
}

// StartBackground records a new job with every number of nums and runs it in the background,
// through the same pipeline (the numbers are taken in chunks, as if streamed). It returns the
// job's id once the job is recorded; when the account already has a job with p.RequestID, it
// returns that job's id and starts nothing.
//
// A background job has no caller to go away: it runs to its end, or until the engine shuts
// down (it then ends ABORTED, the numbers not yet sent listed as not submitted). A job whose
// process dies is completed by the replica that takes it over, like any other.
func (e *Engine) StartBackground(ctx context.Context, p Params, nums []string) (string, error) {
	if e.Stopping() || !e.work.tryStart() {
		return "", ErrShuttingDown
	}
	j, existing, err := e.start(ctx, e.ctx, p)
	switch {
	case err != nil:
		e.work.add(-1)
		return "", err
	case existing != nil:
		e.work.add(-1)
		return existing.ID, nil
	}
	go func() {
		defer e.work.add(-1)
		if err := j.run(nil, chunks(nums, backgroundChunk), false); err != nil {
			j.log.Warn("background job ended early", "err", err)
		}
	}()
	return j.id, nil
}

// backgroundChunk is how many numbers of a background job the pipeline takes at a time, as if
// each chunk were one message of a stream.
const backgroundChunk = 1000

// chunks returns an input that yields nums n at a time, then io.EOF.
func chunks(nums []string, n int) Input {
	return func() ([]string, error) {
		if len(nums) == 0 {
			return nil, io.EOF
		}
		k := min(n, len(nums))
		next := nums[:k]
		nums = nums[k:]
		return next, nil
	}
}

// run feeds the job its numbers, first and then each batch next returns until io.EOF, and
// finishes it. Any other error from next stops the job (its numbers are recorded as not
// submitted). With parked, next waits for a caller: while it does, the job holds up no shutdown.
func (j *Job) run(first []string, next Input, parked bool) error {
	j.startBatching()
	j.take(first)
	if !j.stopped() {
		j.readAll(next, parked)
	}
	if j.stopped() {
		// Stopped by the caller going away, a shutdown or a lost lease; no-op otherwise.
		j.stop(context.Cause(j.intake))
	}
	return j.finish()
}

// message is what one call of a job's input returned.
type message struct {
	nums []string
	err  error
}

// readAll takes what next returns until io.EOF, an error, or the job stops. next runs in a
// goroutine of its own, so that a job that stops (a shutdown, a lost lease, a fatal upstream
// error) stops reading at once, even while next waits for the caller: a message that arrives
// after the stop is left unread, and the job's count of numbers read tells the caller where its
// input was cut. The goroutine ends when next returns after readAll did (for a stream: when the
// call ends, which makes Recv fail).
func (j *Job) readAll(next Input, parked bool) {
	msgs := make(chan message)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			nums, err := next()
			select {
			case msgs <- message{nums, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		if parked {
			j.e.work.add(-1)
		}
		var m message
		got := false
		select {
		case m = <-msgs:
			got = true
		case <-j.intake.Done():
		}
		if parked {
			j.e.work.add(1)
		}
		switch {
		case !got || j.stopped():
			return
		case errors.Is(m.err, io.EOF):
			j.inputEnded = true
			return
		case m.err != nil:
			j.stop(m.err)
			j.take(m.nums)
			return
		}
		j.take(m.nums)
	}
}
