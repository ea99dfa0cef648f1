// Package tnassignv1_test pins the JSON shape of the API: the names users type
// into curl and clients in other languages depend on them, so a rename in the
// proto must fail here before it reaches anyone.
package tnassignv1_test

import (
	"encoding/json"
	"slices"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

func TestJSONNamesRoundTrip(t *testing.T) {
	t.Parallel()
	settled := &tnassignv1.OrderSettled{
		OrderId:          "65e03a35-6b97-48a5-8126-f47bad02df2a",
		CustomerOrderId:  "batch-7-1",
		ProcessingStatus: tnassignv1.ProcessingStatus_PROCESSING_STATUS_PARTIAL,
		SucceededNumbers: []string{"4158714245"},
		Errors: []*tnassignv1.OrderError{{
			Code: 5076, Description: "Number does not belong to this account.",
			TelephoneNumbers: []string{"9199918388"},
		}},
	}
	finished := &tnassignv1.JobFinished{
		State: tnassignv1.JobState_JOB_STATE_ABORTED, ReceivedCount: 9, RejectedCount: 2,
		SucceededCount: 3, FailedCount: 1, NotSubmittedCount: 3,
		NotSubmittedNumbers: []string{"9195550001", "9195550002", "9195550003"},
	}
	tests := []struct {
		name string
		msg  proto.Message
		// keys lists the JSON object paths ("a.b") that must appear.
		keys []string
	}{
		{
			name: "AssignNumbersRequest",
			msg: &tnassignv1.AssignNumbersRequest{
				AccountId: "9900000", TelephoneNumbers: []string{"9195551234"},
				CustomerOrderId: "abc", RequestId: "r1", ValidateOnly: true,
			},
			keys: []string{"accountId", "telephoneNumbers", "customerOrderId", "requestId", "validateOnly"},
		},
		{
			name: "UnassignNumbersRequest",
			msg: &tnassignv1.UnassignNumbersRequest{
				AccountId: "9900000", TelephoneNumbers: []string{"9195551234"},
				CustomerOrderId: "abc", RequestId: "r1", ValidateOnly: true,
			},
			keys: []string{"accountId", "telephoneNumbers", "customerOrderId", "requestId", "validateOnly"},
		},
		{
			name: "started",
			msg: &tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Started{
				Started: &tnassignv1.JobStarted{JobId: "j1", AccountId: "9900000", Action: tnassignv1.Action_ACTION_ASSIGN},
			}},
			keys: []string{"started", "started.jobId", "started.accountId", "started.action"},
		},
		{
			name: "rejected",
			msg: &tnassignv1.UnassignNumbersResponse{Event: &tnassignv1.UnassignNumbersResponse_Rejected{
				Rejected: &tnassignv1.NumbersRejected{Numbers: []*tnassignv1.RejectedNumber{{
					TelephoneNumber: "555", Reason: tnassignv1.RejectionReason_REJECTION_REASON_INVALID_FORMAT, Detail: "too short",
				}}},
			}},
			keys: []string{"rejected", "rejected.numbers"},
		},
		{
			name: "order",
			msg:  &tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Order{Order: settled}},
			keys: []string{"order.orderId", "order.customerOrderId", "order.processingStatus", "order.succeededNumbers", "order.errors"},
		},
		{
			name: "finished",
			msg:  &tnassignv1.AssignNumbersResponse{Event: &tnassignv1.AssignNumbersResponse_Finished{Finished: finished}},
			keys: []string{
				"finished.state", "finished.receivedCount", "finished.rejectedCount", "finished.succeededCount",
				"finished.failedCount", "finished.notSubmittedCount", "finished.notSubmittedNumbers",
			},
		},
		{
			name: "RejectedNumber",
			msg: &tnassignv1.RejectedNumber{
				TelephoneNumber: "919", Reason: tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE, Detail: "d",
			},
			keys: []string{"telephoneNumber", "reason", "detail"},
		},
		{
			name: "OrderError",
			msg:  settled.GetErrors()[0],
			keys: []string{"code", "description", "telephoneNumbers"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := protojson.Marshal(tc.msg)
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatalf("not a JSON object: %v", err)
			}
			got := jsonPaths(doc, "")
			for _, k := range tc.keys {
				if !slices.Contains(got, k) {
					t.Errorf("JSON %s lacks key %q (has %v)", b, k, got)
				}
			}
			back := tc.msg.ProtoReflect().New().Interface()
			if err := protojson.Unmarshal(b, back); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			if !proto.Equal(tc.msg, back) {
				t.Errorf("round trip changed the message:\n got %v\nwant %v", back, tc.msg)
			}
		})
	}
}

// TestJSONAcceptsProtoNames checks that callers may also type the proto
// (snake_case) names, which the gateway accepts too.
func TestJSONAcceptsProtoNames(t *testing.T) {
	t.Parallel()
	in := `{"account_id":"9900000","telephone_numbers":["9195551234"],"customer_order_id":"x","request_id":"r","validate_only":true}`
	var req tnassignv1.AssignNumbersRequest
	if err := protojson.Unmarshal([]byte(in), &req); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	want := &tnassignv1.AssignNumbersRequest{
		AccountId: "9900000", TelephoneNumbers: []string{"9195551234"},
		CustomerOrderId: "x", RequestId: "r", ValidateOnly: true,
	}
	if !proto.Equal(&req, want) {
		t.Errorf("got %v, want %v", &req, want)
	}
}

// TestEnumNames pins the enum value names users see in JSON.
func TestEnumNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		got, want string
	}{
		{tnassignv1.Action_ACTION_UNASSIGN.String(), "ACTION_UNASSIGN"},
		{tnassignv1.ProcessingStatus_PROCESSING_STATUS_COMPLETE.String(), "PROCESSING_STATUS_COMPLETE"},
		{tnassignv1.ProcessingStatus_PROCESSING_STATUS_FAILED.String(), "PROCESSING_STATUS_FAILED"},
		{tnassignv1.JobState_JOB_STATE_ABORTED.String(), "JOB_STATE_ABORTED"},
		{tnassignv1.JobState_JOB_STATE_SUCCEEDED.String(), "JOB_STATE_SUCCEEDED"},
		{tnassignv1.RejectionReason_REJECTION_REASON_DUPLICATE.String(), "REJECTION_REASON_DUPLICATE"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("enum name %q, want %q", tc.got, tc.want)
		}
	}
}

// jsonPaths lists the dotted paths of every key in doc.
func jsonPaths(doc map[string]any, prefix string) []string {
	var out []string
	for k, v := range doc {
		p := prefix + k
		out = append(out, p)
		if m, ok := v.(map[string]any); ok {
			out = append(out, jsonPaths(m, p+".")...)
		}
	}
	return out
}
