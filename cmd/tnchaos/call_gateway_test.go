package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// Answer lines as the gateway writes them.
const (
	startedLine  = `{"result":{"started":{"jobId":"J1","accountId":"9900000","action":"ACTION_ASSIGN"}}}`
	rejectedLine = `{"result":{"rejected":{"numbers":[{"telephoneNumber":"x1","reason":"REJECTION_REASON_INVALID_FORMAT","detail":"no"}]}}}`
	orderLine    = `{"result":{"order":{"orderId":"O1","customerOrderId":"c-1","processingStatus":"PROCESSING_STATUS_PARTIAL","succeededNumbers":["9195000001"],"errors":[{"code":5131,"description":"not in service","telephoneNumbers":["9195000002"]}]}}}`
	finishedLine = `{"result":{"finished":{"state":"JOB_STATE_PARTIAL","receivedCount":"3","rejectedCount":"1","succeededCount":"1","failedCount":"1","notSubmittedCount":"0","notSubmittedNumbers":[],"failureReason":""}}}`
	handOverLine = `{"error":{"code":14,"message":"handed over","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"JOB_HANDED_OVER","domain":"tnassign","metadata":{"job_id":"J1","numbers_read":"2"}}]}}`
)

func TestCallGateway(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int
		answer       []string
		wantCode     codes.Code
		wantOutcomes int
		wantFinished bool
		wantHandOver *handOver
	}{
		{"a job that ran to its end", 200, []string{startedLine, rejectedLine, orderLine, finishedLine}, codes.OK, 3, true, nil},
		{"a job handed over", 200, []string{startedLine, orderLine, handOverLine}, codes.Unavailable, 2, false, &handOver{jobID: "J1", read: 2, hasRead: true}},
		{"an answer cut short", 200, []string{startedLine, orderLine}, codes.Unavailable, 2, false, nil},
		{"a call refused outright", 503, []string{`{"code":14,"message":"shutting down","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"SHUTTING_DOWN","domain":"tnassign"}]}`},
			codes.Unavailable, 0, false, nil},
		{"a refusal without a status", 502, []string{"bad gateway"}, codes.Unavailable, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var lines []map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/numbers:assign" || r.Header.Get("Content-Type") != "application/x-ndjson" {
					http.Error(w, "wrong route", http.StatusNotFound)
					return
				}
				sc := bufio.NewScanner(r.Body)
				sc.Buffer(nil, 1<<20)
				for sc.Scan() {
					var l map[string]any
					if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
						t.Errorf("request line %q: %v", sc.Text(), err)
					}
					mu.Lock()
					lines = append(lines, l)
					mu.Unlock()
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, strings.Join(tt.answer, "\n")+"\n")
			}))
			t.Cleanup(srv.Close)
			u := testUnit()
			u.requestID, u.customerOrderID = "req-1", "cust 1"
			res := callGateway(t.Context(), srv.Client(), srv.URL, u, []message{{n: 4}, {n: 2, pause: time.Millisecond}})
			if got := status.Code(res.err); got != tt.wantCode {
				t.Fatalf("status %v (%v), want %v", got, res.err, tt.wantCode)
			}
			if len(res.view.outcomes) != tt.wantOutcomes || (res.view.finished != nil) != tt.wantFinished {
				t.Errorf("outcomes %v, finished %v", res.view.outcomes, res.view.finished)
			}
			if tt.wantOutcomes > 0 && res.view.jobID != "J1" {
				t.Errorf("job id %q", res.view.jobID)
			}
			h, ok := handedOver(res.err)
			if (tt.wantHandOver != nil) != ok || (ok && h != *tt.wantHandOver) {
				t.Errorf("handedOver = %+v, %v; want %+v", h, ok, tt.wantHandOver)
			}
			if res.sent != len(u.entries) {
				t.Errorf("sent %d entries, want %d", res.sent, len(u.entries))
			}
			mu.Lock()
			defer mu.Unlock()
			if len(lines) != 2 || lines[0]["accountId"] != accountID || lines[0]["requestId"] != "req-1" ||
				lines[0]["customerOrderId"] != "cust 1" || lines[1]["requestId"] != nil {
				t.Errorf("request lines %v", lines)
			}
		})
	}
}

func TestCallViewApply(t *testing.T) {
	t.Parallel()
	v := newCallView()
	for _, l := range []string{startedLine, rejectedLine, orderLine, finishedLine} {
		var callErr error
		if err := applyLine([]byte(l), v, &callErr); err != nil || callErr != nil {
			t.Fatalf("%s: %v %v", l, err, callErr)
		}
	}
	want := map[string]outcome{
		"x1":         {Result: resRejected, Reason: reasonBad},
		"9195000001": {Result: resSucceeded, OrderID: "O1"},
		"9195000002": {Result: resFailed, Code: 5131, OrderID: "O1"},
	}
	for n, o := range want {
		if v.outcomes[n] != o {
			t.Errorf("%s: %+v, want %+v", n, v.outcomes[n], o)
		}
	}
	wantFin := finishedView{State: tnassignv1.JobState_JOB_STATE_PARTIAL, Counts: counts{Received: 3, Rejected: 1, Succeeded: 1, Failed: 1}}
	if v.finished == nil || *v.finished != wantFin {
		t.Errorf("finished %+v, want %+v", v.finished, wantFin)
	}
	var callErr error
	_ = applyLine([]byte(orderLine), v, &callErr)
	if !slices.Equal(v.repeated, []string{"9195000001", "9195000002"}) {
		t.Errorf("repeated %v", v.repeated)
	}
}

func TestHandedOver(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		line   string
		want   handOver
		wantOK bool
	}{
		{"with numbers_read", handOverLine, handOver{jobID: "J1", read: 2, hasRead: true}, true},
		{"without numbers_read", strings.Replace(handOverLine, `,"numbers_read":"2"`, "", 1), handOver{jobID: "J1"}, true},
		{"malformed numbers_read", strings.Replace(handOverLine, `"2"`, `"two"`, 1), handOver{jobID: "J1"}, true},
		{"another reason", strings.Replace(handOverLine, "JOB_HANDED_OVER", "SHUTTING_DOWN", 1), handOver{}, false},
		{"another domain", strings.Replace(handOverLine, `"domain":"tnassign"`, `"domain":"other"`, 1), handOver{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var callErr error
			if err := applyLine([]byte(tt.line), newCallView(), &callErr); err != nil {
				t.Fatal(err)
			}
			got, ok := handedOver(callErr)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("handedOver = %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if _, ok := handedOver(nil); ok {
		t.Error("nil error handed over")
	}
	if _, ok := handedOver(io.EOF); ok {
		t.Error("non-status error handed over")
	}
}

func TestFlagHelpers(t *testing.T) {
	t.Parallel()
	args := []string{"--a", "1", "--create-log", "f", "--b=2", "--slow-create-rate=0.1", "--c", "3"}
	got := dropFlags(args, []string{"create-log", "slow-create-rate"})
	if want := []string{"--a", "1", "--b=2", "--c", "3"}; !slices.Equal(got, want) {
		t.Errorf("dropFlags = %q, want %q", got, want)
	}
}
