package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runGateway runs streams parallel POST /v1/numbers:assign calls to the JSON gateway at httpAddr,
// each uploading perStream numbers (from first + i*perStream) as NDJSON, perMessage numbers a
// line, while reading the streamed events, and checks that every number succeeded.
func runGateway(ctx context.Context, httpAddr string, streams, first, perStream int) (loadResult, error) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams}}
	defer client.CloseIdleConnections()
	return runParallel(ctx, streams, func(ctx context.Context, i int) (time.Duration, error) {
		return assignNDJSON(ctx, client, "http://"+httpAddr+"/v1/numbers:assign", first+i*perStream, perStream)
	})
}

// assignNDJSON runs one NDJSON call and returns the time from sending it to its first order event.
func assignNDJSON(ctx context.Context, client *http.Client, url string, first, count int) (time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(writeNDJSON(pw, first, count)) }()
	defer pr.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, pr)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return 0, fmt.Errorf("HTTP %d: %s", resp.StatusCode, b)
	}
	var firstOrder time.Duration
	var finished []byte
	r := bufio.NewReaderSize(resp.Body, 256<<10)
	for {
		line, err := r.ReadSlice('\n')
		switch {
		case bytes.HasPrefix(line, []byte(`{"result":{"order"`)):
			if firstOrder == 0 {
				firstOrder = time.Since(start)
			}
		case bytes.HasPrefix(line, []byte(`{"result":{"finished"`)):
			finished = bytes.Clone(line)
		case bytes.HasPrefix(line, []byte(`{"result":{"rejected"`)), bytes.HasPrefix(line, []byte(`{"error"`)):
			return 0, fmt.Errorf("gateway: %.300s", line)
		}
		// A line longer than the buffer (a large order event): only its start matters.
		for err == bufio.ErrBufferFull {
			_, err = r.ReadSlice('\n')
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	var ev struct {
		Result struct {
			Finished struct {
				SucceededCount int64 `json:"succeededCount,string"`
			} `json:"finished"`
		} `json:"result"`
	}
	if err := json.Unmarshal(finished, &ev); err != nil {
		return 0, fmt.Errorf("finished event %.300q: %w", finished, err)
	}
	if got := ev.Result.Finished.SucceededCount; got != int64(count) {
		return 0, fmt.Errorf("job finished with %d of %d numbers succeeded: %.300s", got, count, finished)
	}
	return firstOrder, nil
}

// writeNDJSON writes count numbers from first as request lines, the account in the first.
func writeNDJSON(w io.Writer, first, count int) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	line := make([]byte, 0, 64+perMessage*14)
	for sent := 0; sent < count; {
		n := min(perMessage, count-sent)
		line = append(line[:0], '{')
		if sent == 0 {
			line = append(line, `"accountId":"`+accountID+`",`...)
		}
		line = append(line, `"telephoneNumbers":[`...)
		for i := range n {
			if i > 0 {
				line = append(line, ',')
			}
			line = append(line, '"')
			line = appendNumber(line, first+sent+i)
			line = append(line, '"')
		}
		line = append(line, "]}\n"...)
		if _, err := bw.Write(line); err != nil {
			return err
		}
		sent += n
	}
	return bw.Flush()
}
