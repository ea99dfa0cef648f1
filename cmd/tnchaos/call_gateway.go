package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// lenient decodes the gateway's JSON; a field this build does not know is no failure of the
// service.
var lenient = protojson.UnmarshalOptions{DiscardUnknown: true}

// errCleanEnd is a gateway answer that ended cleanly with neither `finished` nor an error line.
var errCleanEnd = errors.New("the NDJSON answer ended without `finished` or an error line")

// newHTTPClient returns the callers' client for the gateway: connections for every caller,
// no overall timeout (a call streams as long as its job runs; each call has a deadline).
func newHTTPClient(callers int) *http.Client {
	return &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * callers, ResponseHeaderTimeout: 0}}
}

// callGateway makes u's call through the JSON gateway at base (http://host:port): the entries
// as NDJSON request lines (one per planned message), the answer read line by line as it streams. A
// status in an {"error":…} line, or in a refused call's body, becomes the call's gRPC status.
func callGateway(ctx context.Context, client *http.Client, base string, u *unit, msgs []message) (res callResult) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	res = callResult{view: newCallView()}
	path := "/v1/numbers:assign"
	if u.action == tnassignv1.Action_ACTION_UNASSIGN {
		path = "/v1/numbers:unassign"
	}
	pr, pw := io.Pipe()
	sent := make(chan int, 1)
	go func() {
		n, err := writeRequestLines(ctx, pw, u, msgs)
		sent <- n
		pw.CloseWithError(err)
	}()
	defer func() {
		pr.Close() // ends the writer if the answer came before the upload ended
		res.sent = <-sent
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, pr)
	if err != nil {
		res.err = err
		return res
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := client.Do(req)
	if err != nil {
		res.err = status.Error(codes.Unavailable, err.Error())
		return res
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		res.err = refusal(resp.StatusCode, body)
		return res
	}
	res.err = readAnswer(resp.Body, res.view)
	return res
}

// writeRequestLines writes u's entries as NDJSON request lines, the account, request id and
// customer order id in the first, and returns how many entries it wrote.
func writeRequestLines(ctx context.Context, w io.Writer, u *unit, msgs []message) (int, error) {
	type line struct {
		AccountID        string   `json:"accountId,omitempty"`
		RequestID        string   `json:"requestId,omitempty"`
		CustomerOrderID  string   `json:"customerOrderId,omitempty"`
		TelephoneNumbers []string `json:"telephoneNumbers"`
	}
	bw := bufio.NewWriterSize(w, 32<<10)
	texts := u.texts()
	off := 0
	for i, m := range msgs {
		if err := sleep(ctx, m.pause); err != nil {
			return off, err
		}
		l := line{TelephoneNumbers: texts[off : off+m.n]}
		if i == 0 {
			l.AccountID, l.RequestID, l.CustomerOrderID = accountID, u.requestID, u.customerOrderID
		}
		b, err := json.Marshal(l)
		if err != nil {
			return off, err
		}
		if _, err := bw.Write(append(b, '\n')); err != nil {
			return off, err
		}
		if err := bw.Flush(); err != nil { // one message per line, as it is produced
			return off, err
		}
		off += m.n
	}
	return off, nil
}

// readAnswer applies each {"result":…} line to view and returns the status of the last
// {"error":…} line; nil when the answer ended after `finished` without one.
func readAnswer(body io.Reader, view *callView) error {
	r := bufio.NewReaderSize(body, 64<<10)
	var callErr error
	for {
		raw, readErr := r.ReadBytes('\n')
		if line := bytes.TrimSpace(raw); len(line) > 0 {
			if err := applyLine(line, view, &callErr); err != nil {
				return status.Error(codes.Internal, err.Error())
			}
		}
		switch {
		case errors.Is(readErr, io.EOF):
			if callErr != nil {
				return callErr
			}
			if view.finished == nil {
				return status.Error(codes.Unavailable, errCleanEnd.Error())
			}
			return nil
		case readErr != nil:
			// The connection broke (a replica killed): like a broken gRPC stream.
			return status.Error(codes.Unavailable, "reading the answer: "+readErr.Error())
		}
	}
}

// applyLine decodes one answer line.
func applyLine(line []byte, view *callView, callErr *error) error {
	var msg struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(line, &msg); err != nil {
		return fmt.Errorf("answer line %.200q: %w", line, err)
	}
	switch {
	case msg.Result != nil:
		var ev tnassignv1.AssignNumbersResponse // the same JSON as UnassignNumbersResponse
		if err := lenient.Unmarshal(msg.Result, &ev); err != nil {
			return fmt.Errorf("result line %.200q: %w", line, err)
		}
		view.apply(&ev)
	case msg.Error != nil:
		var st spb.Status
		if err := lenient.Unmarshal(msg.Error, &st); err != nil {
			return fmt.Errorf("error line %.200q: %w", line, err)
		}
		*callErr = status.FromProto(&st).Err()
	}
	return nil
}

// refusal turns a refused call's answer (its HTTP status and a JSON google.rpc.Status body)
// into a gRPC status.
func refusal(httpStatus int, body []byte) error {
	var st spb.Status
	if err := lenient.Unmarshal(bytes.TrimSpace(body), &st); err == nil && st.GetCode() != 0 {
		return status.FromProto(&st).Err()
	}
	var msg struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &msg) == nil && msg.Error != nil && lenient.Unmarshal(msg.Error, &st) == nil && st.GetCode() != 0 {
		return status.FromProto(&st).Err()
	}
	return status.Errorf(codes.Unavailable, "HTTP %d: %.300s", httpStatus, body)
}
