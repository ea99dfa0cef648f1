package server

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// ndjsonLine is one line of a streamed gateway answer.
type ndjsonLine struct {
	Result map[string]json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// postNDJSON streams lines to path while reading the answer concurrently,
// as a real client does, and returns the response and its lines.
func postNDJSON(t *testing.T, url string, lines func(w io.Writer) error) (*http.Response, []string) {
	t.Helper()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(lines(pw)) }()
	req, err := http.NewRequest(http.MethodPost, url, pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", NDJSONContentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out []string
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp, out
}

func parseLine(t *testing.T, s string) ndjsonLine {
	t.Helper()
	var l ndjsonLine
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		t.Fatalf("line %q: %v", s, err)
	}
	return l
}

// TestGatewayLargeUploadIsFullDuplex streams 20,000 numbers while the
// service answers every line at once: without full duplex the HTTP/1.1
// server would stop reading the body after the first answer.
func TestGatewayLargeUploadIsFullDuplex(t *testing.T) {
	r := startServer(t, newFakeService())
	const lines, perLine = 2000, 10
	resp, out := postNDJSON(t, "http://"+r.httpAddr+"/v1/numbers:assign", func(w io.Writer) error {
		bw := bufio.NewWriter(w)
		for i := range lines {
			nums := make([]string, perLine)
			for j := range nums {
				nums[j] = fmt.Sprintf(`"919555%04d"`, (i*perLine+j)%10000)
			}
			// Both spellings are accepted in: camelCase and proto names.
			field := "telephoneNumbers"
			if i%2 == 1 {
				field = "telephone_numbers"
			}
			if _, err := fmt.Fprintf(bw, `{"accountId":"9900000",%q:[%s]}`+"\n", field, strings.Join(nums, ",")); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != NDJSONContentType {
		t.Errorf("Content-Type %q, want %q", ct, NDJSONContentType)
	}
	var numbers int
	var sawFinished bool
	for _, s := range out {
		l := parseLine(t, s)
		if l.Error != nil {
			t.Fatalf("error line: %s", s)
		}
		if order, ok := l.Result["order"]; ok {
			var o struct {
				SucceededNumbers []string `json:"succeededNumbers"`
			}
			if err := json.Unmarshal(order, &o); err != nil {
				t.Fatal(err)
			}
			numbers += len(o.SucceededNumbers)
		}
		if _, ok := l.Result["finished"]; ok {
			sawFinished = true
			if !strings.Contains(s, `"receivedCount":"20000"`) {
				t.Errorf("finished line %s: want receivedCount 20000 (camelCase, int64 as a string)", s)
			}
		}
	}
	if numbers != lines*perLine || !sawFinished {
		t.Errorf("got %d numbers back (finished=%v), want %d and a finished line", numbers, sawFinished, lines*perLine)
	}
}

// TestGatewayReportsMalformedLine: the job keeps what came before the bad
// line, finishes, and an INVALID_ARGUMENT line says where the upload broke.
func TestGatewayReportsMalformedLine(t *testing.T) {
	tests := []struct {
		name, bad, want string
	}{
		{"not JSON", `{"telephoneNumbers": [`, "request message 3"},
		{"unknown field", `{"telephoneNumber":["9195550003"]}`, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := startServer(t, newFakeService())
			_, out := postNDJSON(t, "http://"+r.httpAddr+"/v1/numbers:assign", func(w io.Writer) error {
				_, err := io.WriteString(w, `{"accountId":"9900000","telephoneNumbers":["9195550001"]}`+"\n"+
					`{"telephoneNumbers":["9195550002"]}`+"\n"+tc.bad+"\n"+`{"telephoneNumbers":["9195550004"]}`+"\n")
				return err
			})
			if len(out) < 2 {
				t.Fatalf("got %d lines, want events and an error: %q", len(out), out)
			}
			fin := parseLine(t, out[len(out)-2])
			if _, ok := fin.Result["finished"]; !ok || !strings.Contains(out[len(out)-2], `"receivedCount":"2"`) {
				t.Errorf("second-to-last line %s: want finished with receivedCount 2", out[len(out)-2])
			}
			last := parseLine(t, out[len(out)-1])
			if last.Error == nil || last.Error.Code != 3 || !strings.Contains(last.Error.Message, tc.want) {
				t.Errorf("last line %s: want an INVALID_ARGUMENT error mentioning %q", out[len(out)-1], tc.want)
			}
		})
	}
}

// TestGatewayErrorBeforeResults: a call refused outright answers its HTTP
// status and one error line.
func TestGatewayErrorBeforeResults(t *testing.T) {
	r := startServer(t, newFakeService())
	resp, out := postNDJSON(t, "http://"+r.httpAddr+"/v1/numbers:unassign", func(w io.Writer) error {
		_, err := io.WriteString(w, `{"accountId":"9900000","telephoneNumbers":["9195550001"]}`+"\n")
		return err
	})
	if resp.StatusCode != http.StatusNotImplemented {
		t.Errorf("status %d, want 501 for UNIMPLEMENTED", resp.StatusCode)
	}
	if len(out) != 1 || parseLine(t, out[0]).Error == nil {
		t.Errorf("got %q, want one error line", out)
	}
	// The call log names the HTTP caller, not only the gateway's connection.
	waitFor(t, "call log", func() bool { return strings.Contains(r.logs.String(), `"forwarded_for":"127.0.0.1"`) })
}
