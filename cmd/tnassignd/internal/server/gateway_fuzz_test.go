package server

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// FuzzGatewayNDJSON feeds arbitrary bytes as the body of the streaming and
// the unary routes, through the real gateway and gRPC server in process
// (against a fake service). Whatever the bytes, the gateway answers in
// time, with a 4xx or a stream, and every line it writes is a JSON object.
func FuzzGatewayNDJSON(f *testing.F) {
	f.Add([]byte(assignLine + `{"telephoneNumbers":["9195550002","+1 (919) 555-0003"]}` + "\n"))
	f.Add([]byte(`{"accountId":"9900000","telephoneNumbers":[`))
	f.Add([]byte(`{"accountId":"9900000","bogus":1}`))
	f.Add([]byte("\xff\xfe\x00\n{}\n[]\nnull\n"))
	f.Add([]byte(`{"accountId":"9900000","telephoneNumbers":["1"]}{"telephoneNumbers":["2"]}`))
	f.Add(bytes.Repeat([]byte(`{"telephone_numbers":["9195550001"]}`+"\n"), 3000))
	r := startWith(f, newRecordingService(), Options{Security: Security{MaxBodyBytes: 64 << 10}})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	f.Cleanup(client.CloseIdleConnections)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, path := range []string{"/v1/numbers:assign", "/v1/accounts/9900000/assignmentJobs"} {
			began := time.Now()
			defer func() {
				if d := time.Since(began); d > 5*time.Second {
					t.Errorf("%s took %v", path, d)
				}
			}()
			req, err := http.NewRequest(http.MethodPost, "http://"+r.httpAddr+path, bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			out, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("%s: reading the answer: %v", path, err)
			}
			if resp.StatusCode != http.StatusOK && (resp.StatusCode < 400 || resp.StatusCode > 499) {
				t.Fatalf("%s: status %d: %s", path, resp.StatusCode, out)
			}
			sc := bufio.NewScanner(bytes.NewReader(out))
			sc.Buffer(make([]byte, 1<<20), 1<<20)
			for sc.Scan() {
				var obj map[string]json.RawMessage
				if err := json.Unmarshal(sc.Bytes(), &obj); err != nil {
					t.Fatalf("%s: answer line %q is not a JSON object: %v", path, sc.Bytes(), err)
				}
			}
		}
	})
}
