package cli

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// jobReader answers GetAssignmentJob with job, or err.
type jobReader struct {
	tnassignv1.AssignmentServiceClient
	job *tnassignv1.AssignmentJob
	err error
}

func (r jobReader) GetAssignmentJob(context.Context, *tnassignv1.GetAssignmentJobRequest, ...grpc.CallOption) (*tnassignv1.GetAssignmentJobResponse, error) {
	return &tnassignv1.GetAssignmentJobResponse{AssignmentJob: r.job}, r.err
}

func TestReplayedJob(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 4, 18, 0, 0, 0, time.UTC)
	job := func(created time.Time, requestID string) *tnassignv1.AssignmentJob {
		return &tnassignv1.AssignmentJob{JobId: "j1", RequestId: requestID, CreateTime: timestamppb.New(created)}
	}
	tests := []struct {
		name      string
		server    string
		requestID string
		reader    jobReader
		want      bool
	}{
		{"loopback, created before the call", "127.0.0.1:9090", "r1", jobReader{job: job(start.Add(-time.Second), "r1")}, true},
		{"loopback, created by this call", "127.0.0.1:9090", "r1", jobReader{job: job(start.Add(time.Millisecond), "r1")}, false},
		{"loopback, rounded down by the ledger", "127.0.0.1:9090", "r1", jobReader{job: job(start.Add(-time.Microsecond), "r1")}, false},
		{"remote, created long before", "tnassign.internal:9090", "r1", jobReader{job: job(start.Add(-time.Hour), "r1")}, true},
		{"remote, within the clocks' skew", "tnassign.internal:9090", "r1", jobReader{job: job(start.Add(-time.Second), "r1")}, false},
		{"another request id", "127.0.0.1:9090", "r1", jobReader{job: job(start.Add(-time.Hour), "r2")}, false},
		{"no request id", "127.0.0.1:9090", "", jobReader{job: job(start.Add(-time.Hour), "")}, false},
		{"no read permission", "127.0.0.1:9090", "r1", jobReader{err: status.Error(codes.PermissionDenied, "no")}, false},
	}
	for _, tt := range tests {
		got := replayedJob(context.Background(), tt.reader, options{account: "9900000"}, connection{server: tt.server}, tt.requestID, "j1", start)
		if (got != nil) != tt.want {
			t.Errorf("%s: replay = %v, want %v", tt.name, got != nil, tt.want)
		}
	}
}
