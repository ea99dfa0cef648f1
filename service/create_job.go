package service

import (
	"context"
	"fmt"
	"io"

	"github.com/tnassign/tnassign/bandwidth"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// MaxCreateJobNumbers is the most numbers one CreateAssignmentJob request may carry.
const MaxCreateJobNumbers = 100_000

// createChunk is how many numbers of a CreateAssignmentJob request the pipeline takes at a
// time, as if each chunk were one message of a stream.
const createChunk = 1000

// CreateAssignmentJob records a job with every number of the request and returns it at once,
// RUNNING; the job goes on in the background through the same pipeline as the streaming calls
// (the numbers are taken in chunks, as if streamed). A request repeating the request_id of an
// existing job of the account returns that job and submits nothing.
//
// A background job has no caller to go away: it runs to its end, or until the service shuts
// down (it then ends ABORTED, the numbers not yet sent listed as not submitted). A job whose
// process dies is completed by the replica that takes it over, like any other.
func (s *Service) CreateAssignmentJob(ctx context.Context, req *tnassignv1.CreateAssignmentJobRequest) (*tnassignv1.CreateAssignmentJobResponse, error) {
	if s.stopping.Err() != nil {
		return nil, statusOf(errShuttingDown, "")
	}
	action, params, err := s.checkCreate(req)
	if err != nil {
		return nil, statusOf(err, "")
	}
	if !s.work.tryStart() {
		return nil, statusOf(errShuttingDown, "")
	}
	started := false
	defer func() {
		if !started {
			s.work.add(-1)
		}
	}()
	j, existing, err := s.startJob(ctx, s.ctx, action, params)
	if err != nil {
		return nil, statusOf(err, "")
	}
	var id string
	if existing != nil {
		id = existing.ID
	} else {
		id = j.id
		nums := req.GetTelephoneNumbers()
		started = true
		go func() {
			defer s.work.add(-1)
			if err := j.run(nil, chunks(nums, createChunk), false); err != nil {
				j.log.Warn("background job ended early", "err", err)
			}
		}()
	}
	lj, err := s.lookupJob(ctx, params.accountID, id)
	if err != nil {
		return nil, statusOf(err, id)
	}
	view, err := s.jobResource(ctx, lj)
	if err != nil {
		return nil, statusOf(err, id)
	}
	return &tnassignv1.CreateAssignmentJobResponse{AssignmentJob: view}, nil
}

// checkCreate validates a CreateAssignmentJob request like the first message of a stream, plus
// its action and the number of numbers.
func (s *Service) checkCreate(req *tnassignv1.CreateAssignmentJobRequest) (bandwidth.Action, jobParams, error) {
	var action bandwidth.Action
	var c violations
	switch req.GetAction() {
	case tnassignv1.Action_ACTION_ASSIGN:
		action = bandwidth.ActionAssign
	case tnassignv1.Action_ACTION_UNASSIGN:
		action = bandwidth.ActionUnassign
	default:
		c.add("action", "must be ACTION_ASSIGN or ACTION_UNASSIGN")
	}
	if n := len(req.GetTelephoneNumbers()); n > MaxCreateJobNumbers {
		c.add("telephone_numbers", fmt.Sprintf("has %d numbers; at most %d per request (use AssignNumbers or UnassignNumbers to stream more)", n, MaxCreateJobNumbers))
	}
	if err := c.err("the request is invalid"); err != nil {
		return "", jobParams{}, err
	}
	params, err := s.checkFirst(req)
	return action, params, err
}

// chunks returns an input that yields nums n at a time, then io.EOF.
func chunks(nums []string, n int) func() ([]string, error) {
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
