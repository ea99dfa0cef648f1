package service

import (
	"context"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// GetAssignmentJob returns one job of an allowed account with its counts and orders. An unknown
// job, or another account's, is NOT_FOUND.
func (s *Service) GetAssignmentJob(ctx context.Context, req *tnassignv1.GetAssignmentJobRequest) (*tnassignv1.GetAssignmentJobResponse, error) {
	lj, err := s.lookupJob(ctx, req.GetAccountId(), req.GetJobId())
	if err != nil {
		return nil, statusOf(err, "")
	}
	j, err := s.jobResource(ctx, lj)
	if err != nil {
		return nil, statusOf(err, "")
	}
	return &tnassignv1.GetAssignmentJobResponse{AssignmentJob: j}, nil
}
