package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// perMessage is how many numbers each request message carries.
const perMessage = 1000

// streamTimeout bounds one job, from opening the stream to its finished event.
const streamTimeout = 30 * time.Minute

// loadResult is what a tnassign scenario measured.
type loadResult struct {
	wall   time.Duration   // from the first stream opening to the last one ending
	firsts []time.Duration // per stream: from opening it to its first order event
}

// runGRPC opens streams parallel AssignNumbers calls on one connection to addr, each sending
// perStream numbers (from first + i*perStream) in messages of perMessage, and checks that every
// number succeeded.
func runGRPC(ctx context.Context, addr string, streams, first, perStream int) (loadResult, error) {
	conn, err := grpc.NewClient("passthrough:///"+addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return loadResult{}, err
	}
	defer conn.Close()
	client := tnassignv1.NewAssignmentServiceClient(conn)
	return runParallel(ctx, streams, func(ctx context.Context, i int) (time.Duration, error) {
		return assignStream(ctx, client, first+i*perStream, perStream)
	})
}

// runParallel runs job streams times at once and gathers their times to first outcome.
func runParallel(ctx context.Context, streams int, job func(context.Context, int) (time.Duration, error)) (loadResult, error) {
	ctx, cancel := context.WithTimeout(ctx, streamTimeout)
	defer cancel()
	res := loadResult{firsts: make([]time.Duration, streams)}
	errs := make([]error, streams)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range streams {
		wg.Go(func() {
			res.firsts[i], errs[i] = job(ctx, i)
			if errs[i] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	res.wall = time.Since(start)
	return res, rootError(errs)
}

// rootError returns the first error of errs that is not a cancellation caused by another one,
// with a count of the rest.
func rootError(errs []error) error {
	var first error
	failed := 0
	for _, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if first == nil || status.Code(first) == codes.Canceled && status.Code(err) != codes.Canceled {
			first = err
		}
	}
	if failed > 1 {
		return fmt.Errorf("%w (and %d more streams failed)", first, failed-1)
	}
	return first
}

// assignStream runs one AssignNumbers call with count numbers from first and returns the time from
// opening the stream to its first order event.
func assignStream(ctx context.Context, client tnassignv1.AssignmentServiceClient, first, count int) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	stream, err := client.AssignNumbers(ctx)
	if err != nil {
		return 0, err
	}
	sendErr := make(chan error, 1)
	go func() { sendErr <- sendNumbers(stream, first, count) }()
	var firstOrder time.Duration
	var finished *tnassignv1.JobFinished
	for {
		m, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("stream: %w", err)
		}
		switch {
		case m.GetOrder() != nil && firstOrder == 0:
			firstOrder = time.Since(start)
		case m.GetFinished() != nil:
			finished = m.GetFinished()
		case m.GetRejected() != nil:
			return 0, fmt.Errorf("numbers rejected: %v", m.GetRejected().GetNumbers()[0])
		}
	}
	if err := <-sendErr; err != nil {
		return 0, fmt.Errorf("send: %w", err)
	}
	if finished.GetSucceededCount() != int64(count) {
		return 0, fmt.Errorf("job finished with %d of %d numbers succeeded: %v", finished.GetSucceededCount(), count, finished)
	}
	return firstOrder, nil
}

// sendNumbers streams count numbers from first, perMessage per message, building each message as
// it goes so that the client holds little memory however many numbers it sends.
func sendNumbers(stream grpc.BidiStreamingClient[tnassignv1.AssignNumbersRequest, tnassignv1.AssignNumbersResponse], first, count int) error {
	for sent := 0; sent < count; {
		n := min(perMessage, count-sent)
		m := &tnassignv1.AssignNumbersRequest{TelephoneNumbers: make([]string, n)}
		if sent == 0 {
			m.AccountId = accountID
		}
		for i := range m.TelephoneNumbers {
			m.TelephoneNumbers[i] = numberString(first + sent + i)
		}
		if err := stream.Send(m); err != nil {
			if errors.Is(err, io.EOF) {
				return nil // the server ended the call; Recv reports why
			}
			return err
		}
		sent += n
	}
	return stream.CloseSend()
}
