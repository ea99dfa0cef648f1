package service

import (
	"context"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// Page sizes of ListAssignmentJobs, as the API documents them.
const (
	defaultJobPageSize = 50
	maxJobPageSize     = 1000
)

// ListAssignmentJobs pages through an allowed account's jobs, newest first (AIP-158), each with
// its counts and orders. A page token is valid only with the same account and state filter.
func (s *Service) ListAssignmentJobs(ctx context.Context, req *tnassignv1.ListAssignmentJobsRequest) (*tnassignv1.ListAssignmentJobsResponse, error) {
	if err := s.checkAccount(req.GetAccountId()); err != nil {
		return nil, statusOf(err, "")
	}
	var c violations
	size, problem := pageSize(req.GetPageSize(), defaultJobPageSize, maxJobPageSize)
	if problem != "" {
		c.add("page_size", problem)
	}
	state, ok := ledgerState(req.GetState())
	if !ok {
		c.add("state", "is not a known job state")
	}
	if err := c.err("the request is invalid"); err != nil {
		return nil, statusOf(err, "")
	}
	page, err := s.reads.ListJobs(ctx, req.GetAccountId(), ledger.JobQuery{State: state, PageSize: size, PageToken: req.GetPageToken()})
	if err != nil {
		return nil, statusOf(readFailure("list jobs", err), "")
	}
	resp := &tnassignv1.ListAssignmentJobsResponse{NextPageToken: page.NextPageToken}
	for _, j := range page.Jobs {
		view, err := s.jobResource(ctx, j)
		if err != nil {
			return nil, statusOf(err, "")
		}
		resp.AssignmentJobs = append(resp.AssignmentJobs, view)
	}
	return resp, nil
}
