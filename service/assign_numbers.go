package service

import (
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/service/ledger"
)

// AssignNumbers marks the streamed numbers as assigned at Bandwidth. See the proto for the
// contract and serve for how a stream runs a job.
func (s *Service) AssignNumbers(stream tnassignv1.AssignmentService_AssignNumbersServer) error {
	return serve(s, stream, ledger.ActionAssign, assignResponse)
}
