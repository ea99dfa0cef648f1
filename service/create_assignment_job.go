package service

import (
	"context"
	"fmt"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
)

// MaxCreateJobNumbers is the most numbers one CreateAssignmentJob request may carry.
const MaxCreateJobNumbers = 100_000

// CreateAssignmentJob records a job with every number of the request and returns it at once,
// RUNNING; the job goes on in the background through the same engine as the streaming calls
// (see jobs.Engine.StartBackground). A request repeating the request_id of an existing job of
// the account returns that job and submits nothing.
func (s *Service) CreateAssignmentJob(ctx context.Context, req *tnassignv1.CreateAssignmentJobRequest) (*tnassignv1.CreateAssignmentJobResponse, error) {
	if s.engine.Stopping() {
		return nil, statusOf(jobs.ErrShuttingDown, "")
	}
	params, err := s.checkCreate(req)
	if err != nil {
		return nil, statusOf(err, "")
	}
	id, err := s.engine.StartBackground(ctx, params, req.GetTelephoneNumbers())
	if err != nil {
		return nil, statusOf(err, "")
	}
	lj, err := s.lookupJob(ctx, params.AccountID, id)
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
func (s *Service) checkCreate(req *tnassignv1.CreateAssignmentJobRequest) (jobs.Params, error) {
	var c violations
	action, ok := ledgerAction(req.GetAction())
	if !ok {
		c.add("action", "must be ACTION_ASSIGN or ACTION_UNASSIGN")
	}
	if n := len(req.GetTelephoneNumbers()); n > MaxCreateJobNumbers {
		c.add("telephone_numbers", fmt.Sprintf("has %d numbers; at most %d per request (use AssignNumbers or UnassignNumbers to stream more)", n, MaxCreateJobNumbers))
	}
	if err := c.err("the request is invalid"); err != nil {
		return jobs.Params{}, err
	}
	return s.checkFirst(req, action)
}
