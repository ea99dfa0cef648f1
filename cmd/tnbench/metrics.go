package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// upstreamCounts are tnassignd's counts of its requests to Bandwidth, from its /metrics.
type upstreamCounts struct {
	requests, throttled float64
}

// scrapeUpstream reads tnassign_upstream_requests_total (all operations and codes) and the 429s
// among them from tnassignd's Prometheus endpoint.
func scrapeUpstream(ctx context.Context, httpAddr string) (upstreamCounts, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+httpAddr+"/metrics", nil)
	if err != nil {
		return upstreamCounts{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return upstreamCounts{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return upstreamCounts{}, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	var c upstreamCounts
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "tnassign_upstream_requests_total{") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		c.requests += v
		if strings.Contains(line, `code="429"`) {
			c.throttled += v
		}
	}
	return c, sc.Err()
}

// String describes the counts for the table's notes.
func (c upstreamCounts) String() string {
	s := fmt.Sprintf("%.0f upstream requests", c.requests)
	if c.throttled > 0 {
		s += fmt.Sprintf(", %.0f× 429", c.throttled)
	}
	return s
}
