package service

import (
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// UnassignNumbers marks the streamed numbers as unassigned at Bandwidth. It behaves exactly like
// AssignNumbers with the action UNASSIGN.
func (s *Service) UnassignNumbers(stream tnassignv1.AssignmentService_UnassignNumbersServer) error {
	return serve(s, stream, ledger.ActionUnassign, unassignResponse)
}
