package cli

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tnassign/tnassign/cmd/tnassign/internal/progress"
	"github.com/tnassign/tnassign/cmd/tnassign/internal/rows"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// job streams one table of numbers to the server and records the outcomes
// it reports. The sending goroutine only reads the table's text; every
// outcome is recorded by the receiving goroutine.
type job struct {
	o         options
	conn      connection
	requestID string
	table     *rows.Table
	display   *progress.Display

	sent        atomic.Int64 // rows handed to the stream, in input order
	sentNumbers atomic.Int64 // numbers in those rows

	// The table's counts, published for the display after every event.
	succeeded, failed, rejected, notSubmitted atomic.Int64

	interrupted atomic.Bool

	// callStart is when the call began, to tell a replay (see replay.go).
	callStart time.Time
	// lookup reads a job, to tell a replay; set by stream.
	lookup func(jobID string) *tnassignv1.AssignmentJob

	// Written while receiving, read once stream has returned.
	jobID    string
	replayOf *tnassignv1.AssignmentJob // the recorded job this call replays, or nil
	finished *tnassignv1.JobFinished
	orders   map[tnassignv1.ProcessingStatus]int
}

// stats is the display's view of the job; safe from any goroutine.
func (j *job) stats() progress.Stats {
	return progress.Stats{
		Total:        int64(j.table.Numbers()),
		Sent:         j.sentNumbers.Load(),
		Succeeded:    j.succeeded.Load(),
		Failed:       j.failed.Load(),
		Rejected:     j.rejected.Load(),
		NotSubmitted: j.notSubmitted.Load(),
	}
}

// stream runs the call: numbers go out from one goroutine while events are
// applied as they come back. It returns the call's error, nil when the
// server ended the call with OK.
func (j *job) stream(ctx context.Context, client tnassignv1.AssignmentServiceClient, interrupts <-chan os.Signal) error {
	j.orders = map[tnassignv1.ProcessingStatus]int{}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	j.lookup = func(jobID string) *tnassignv1.AssignmentJob {
		return replayedJob(ctx, client, j.o, j.conn, j.requestID, jobID, j.callStart)
	}
	cs, err := openStream(ctx, client, j.o.action)
	if err != nil {
		return err
	}
	stop := make(chan struct{})
	var stopOnce sync.Once
	stopSending := func() { stopOnce.Do(func() { close(stop) }) }
	received := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { j.send(cs, stop) })
	wg.Go(func() { j.watch(interrupts, received, stopSending, cancel) })
	err = j.receive(cs)
	close(received)
	cancel() // unblocks a sender stuck in flow control once the call is over
	wg.Wait()
	return err
}

// send streams the rows in messages of --batch numbers, then half-closes.
func (j *job) send(cs callStream, stop <-chan struct{}) {
	n := j.table.Len()
	first := true
	for next := 0; next < n; {
		select {
		case <-stop:
			_ = cs.CloseSend()
			return
		default:
		}
		req := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: make([]string, 0, min(j.o.batch, n-next))}
		for ; next < n && len(req.TelephoneNumbers) < j.o.batch; next++ {
			if j.table.HasNumber(next) { // rows without a number are never sent
				req.TelephoneNumbers = append(req.TelephoneNumbers, j.table.Input(next))
			}
		}
		if first {
			req.AccountId = j.o.account
			req.CustomerOrderId = j.o.customerOrderID
			req.RequestId = j.requestID
			req.ValidateOnly = j.o.dryRun
			first = false
		}
		if len(req.TelephoneNumbers) == 0 && req.AccountId == "" {
			break // only rows without a number were left
		}
		if err := cs.Send(req); err != nil {
			return // the call is over; receive reports why
		}
		j.sent.Store(int64(next))
		j.sentNumbers.Add(int64(len(req.TelephoneNumbers)))
	}
	_ = cs.CloseSend()
}

// watch turns interrupts into a graceful stop, then an immediate one.
func (j *job) watch(interrupts <-chan os.Signal, done <-chan struct{}, stopSending, cancel func()) {
	select {
	case <-done:
		return
	case <-interrupts:
	}
	j.interrupted.Store(true)
	stopSending()
	j.display.Printf("interrupted: sending no more numbers; waiting for those already sent (interrupt again to stop now)")
	select {
	case <-done:
		return
	case <-interrupts:
	}
	j.display.Printf("interrupted again: ending the call; numbers without an outcome are marked not_submitted")
	cancel()
}

func (j *job) receive(cs callStream) error {
	for {
		ev, err := cs.Recv()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		j.apply(ev)
	}
}

// apply records one event in the table.
func (j *job) apply(ev event) {
	t := j.table
	switch {
	case ev.started != nil:
		j.jobID = ev.started.GetJobId()
		if j.lookup != nil {
			j.replayOf = j.lookup(j.jobID)
		}
		if r := j.replayOf; r != nil {
			j.display.Printf("this run replays job %s, started %s by an earlier run with the same request id: nothing is sent to Bandwidth again,"+
				" the outcomes are the recorded ones (to submit the numbers as a new job, give another --request-id)",
				j.jobID, formatTime(r.GetCreateTime().AsTime()))
		} else {
			j.display.Printf("job %s started: %s %s numbers for account %s", j.jobID, j.o.verb(),
				progress.Thousands(int64(t.Numbers())), ev.started.GetAccountId())
		}
	case ev.rejected != nil:
		for _, r := range ev.rejected.GetNumbers() {
			t.Reject(r.GetTelephoneNumber(), r.GetReason() == tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE,
				reasonCode(r.GetReason()), r.GetDetail())
		}
	case ev.order != nil:
		o := ev.order
		j.orders[o.GetProcessingStatus()]++
		for _, n := range o.GetSucceededNumbers() {
			t.Settle(n, true, "", "", o.GetOrderId())
		}
		for _, e := range o.GetErrors() {
			code := strconv.Itoa(int(e.GetCode()))
			for _, n := range e.GetTelephoneNumbers() {
				t.Settle(n, false, code, e.GetDescription(), o.GetOrderId())
			}
		}
	case ev.finished != nil:
		j.finished = ev.finished
		why := j.notSubmittedReason(ev.finished.GetState())
		for _, n := range ev.finished.GetNotSubmittedNumbers() {
			t.MarkNotSubmitted(n, why)
		}
	}
	j.publish()
}

// publish makes the table's counts visible to the display.
func (j *job) publish() {
	t := j.table
	j.succeeded.Store(int64(t.Count(rows.Succeeded)))
	j.failed.Store(int64(t.Count(rows.Failed)))
	j.rejected.Store(int64(t.Count(rows.Rejected)))
	j.notSubmitted.Store(int64(t.Count(rows.NotSubmitted)))
}

// notSubmittedReason describes the numbers a finished event lists.
func (j *job) notSubmittedReason(state tnassignv1.JobState) string {
	switch {
	case j.o.dryRun:
		return "dry run: valid, not sent to Bandwidth"
	case j.interrupted.Load():
		return "interrupted before this number was sent to Bandwidth"
	default:
		return "the job stopped (" + stateName(state) + ") before this number was sent to Bandwidth"
	}
}

func reasonCode(r tnassignv1.RejectionReason) string {
	return strings.TrimPrefix(r.String(), "REJECTION_REASON_")
}

func stateName(s tnassignv1.JobState) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "JOB_STATE_"))
}
