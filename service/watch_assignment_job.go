package service

import (
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/jobs"
)

// WatchAssignmentJob streams one job's events: those recorded so far, then live ones until
// `finished` (see jobs.Engine.Follow). Jobs running in this process wake their watchers as they
// record; jobs running on another replica are read from the ledger every half second. Watching a
// finished job replays it and ends.
func (s *Service) WatchAssignmentJob(req *tnassignv1.WatchAssignmentJobRequest, stream tnassignv1.AssignmentService_WatchAssignmentJobServer) error {
	ctx := stream.Context()
	j, err := s.lookupJob(ctx, req.GetAccountId(), req.GetJobId())
	if err != nil {
		return statusOf(err, "")
	}
	err = s.engine.Follow(ctx, j, func(ev jobs.Event) error { return stream.Send(watchResponse(ev)) })
	return statusOf(err, j.ID)
}
