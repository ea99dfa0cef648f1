package tnassignv1_test

import (
	"encoding/json"
	"os"
	"testing"
)

// TestOpenAPIDescribesStreamingRoutes checks the generated spec users and
// client generators read: both routes, and the schemas of their messages.
func TestOpenAPIDescribesStreamingRoutes(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../../../gen/openapiv2/tnassign.swagger.json")
	if err != nil {
		t.Fatalf("read spec: %v", err)
	}
	var spec struct {
		Paths       map[string]map[string]json.RawMessage `json:"paths"`
		Definitions map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"definitions"`
	}
	if err := json.Unmarshal(raw, &spec); err != nil {
		t.Fatalf("spec is not JSON: %v", err)
	}
	for _, route := range []string{"/v1/numbers:assign", "/v1/numbers:unassign"} {
		if _, ok := spec.Paths[route]["post"]; !ok {
			t.Errorf("spec lacks POST %s", route)
		}
	}
	wantProps := map[string][]string{
		"v1AssignNumbersRequest":    {"accountId", "telephoneNumbers", "customerOrderId", "requestId", "validateOnly"},
		"v1UnassignNumbersRequest":  {"accountId", "telephoneNumbers", "customerOrderId", "requestId", "validateOnly"},
		"v1AssignNumbersResponse":   {"started", "rejected", "order", "finished"},
		"v1UnassignNumbersResponse": {"started", "rejected", "order", "finished"},
		"v1OrderSettled":            {"orderId", "customerOrderId", "processingStatus", "succeededNumbers", "errors"},
		"v1JobFinished":             {"state", "receivedCount", "notSubmittedCount", "notSubmittedNumbers"},
	}
	for def, props := range wantProps {
		d, ok := spec.Definitions[def]
		if !ok {
			t.Errorf("spec lacks definition %s", def)
			continue
		}
		for _, p := range props {
			if _, ok := d.Properties[p]; !ok {
				t.Errorf("definition %s lacks property %s", def, p)
			}
		}
	}
}
