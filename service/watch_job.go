package service

import (
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// WatchAssignmentJob streams one job's events: those recorded so far, then live ones until
// `finished`. Jobs running in this process wake their watchers as they record; jobs running on
// another replica are read from the ledger every half second. Watching a finished job replays
// it and ends.
func (s *Service) WatchAssignmentJob(req *tnassignv1.WatchAssignmentJobRequest, stream tnassignv1.AssignmentService_WatchAssignmentJobServer) error {
	ctx := stream.Context()
	j, err := s.lookupJob(ctx, req.GetAccountId(), req.GetJobId())
	if err != nil {
		return statusOf(err, "")
	}
	err = s.follow(ctx, j, func(ev *event) error { return stream.Send(watchResponse(ev)) })
	if err != nil {
		return statusOf(err, j.ID)
	}
	return nil
}

// watchResponse carries an event's message over to a WatchAssignmentJobResponse.
func watchResponse(ev *event) *tnassignv1.WatchAssignmentJobResponse {
	r := &tnassignv1.WatchAssignmentJobResponse{}
	switch e := ev.GetEvent().(type) {
	case *tnassignv1.AssignNumbersResponse_Started:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Started{Started: e.Started}
	case *tnassignv1.AssignNumbersResponse_Rejected:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Rejected{Rejected: e.Rejected}
	case *tnassignv1.AssignNumbersResponse_Order:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Order{Order: e.Order}
	case *tnassignv1.AssignNumbersResponse_Finished:
		r.Event = &tnassignv1.WatchAssignmentJobResponse_Finished{Finished: e.Finished}
	}
	return r
}
