package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// simulator is the running bwsim.
type simulator struct {
	proc      *proc
	url       string // API base, for --bandwidth-url
	tokenURL  string // OAuth token endpoint, for --bandwidth-token-url
	createLog string // "" when this bwsim build cannot record creates
	dropped   []string
}

// bwsimFlags are bwsim's settings for the run: latency, slow asynchronous orders, random 503s,
// a rate limit, a wide inventory, every order kept (retries look old ones up), and a record of
// every order created.
func bwsimFlags(o options, createLog string) []string {
	return []string{
		"--addr", "127.0.0.1:0",
		"--log-requests=false",
		"--account", accountID,
		"--owned-prefixes", strings.Join(o.prefixes, ","),
		"--latency", "20ms",
		"--processing-delay", "1s",
		"--processing-polls", "1",
		"--error-rate", fmt.Sprint(o.errorRate),
		"--rate-limit", "200",
		"--max-stored-orders", "0",
		"--create-delay", o.createDelay.String(),
		"--create-delay-max", o.createDelayMax.String(),
		"--slow-create-rate", fmt.Sprint(o.slowCreateRate),
		"--create-log", createLog,
	}
}

// newerBwsimFlags are the flags of bwsim that older builds lack.
var newerBwsimFlags = []string{"create-delay", "create-delay-max", "slow-create-rate", "create-log"}

// startSimulator starts bwsim with its log in runDir and waits until it listens; missing are
// the newer flags this build lacks (see preflight), left out.
func startSimulator(ctx context.Context, o options, kids *children, runDir string, missing []string, logf logFunc) (*simulator, error) {
	createLog := filepath.Join(runDir, "bwsim-creates.jsonl")
	args := bwsimFlags(o, createLog)
	sim := &simulator{createLog: createLog}
	if len(missing) > 0 {
		args = dropFlags(args, missing)
		sim.dropped = missing
		if slices.Contains(missing, "create-log") {
			sim.createLog = ""
		}
	}
	p, err := kids.start("bwsim", o.bwsimBin, args, nil, filepath.Join(runDir, "bwsim.log"))
	if err != nil {
		return nil, err
	}
	sim.proc = p
	line, err := p.awaitLogLine(ctx, "bwsim listening", 30*time.Second)
	if err != nil {
		p.stop(time.Second)
		return nil, err
	}
	sim.url, _ = line["url"].(string)
	sim.tokenURL, _ = line["token_url"].(string)
	if sim.url == "" || sim.tokenURL == "" {
		p.stop(time.Second)
		return nil, errors.New("bwsim did not log its url and token_url")
	}
	logf("bwsim at %s (log %s)", sim.url, p.logPath)
	return sim, nil
}

// readCreateLog reads bwsim's create log: one JSON object per order created. A last line cut
// short (bwsim killed while writing it) is ignored; any other bad line is an error.
func readCreateLog(path string) ([]createdOrder, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var orders []createdOrder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	var pending error
	for sc.Scan() {
		if pending != nil {
			return nil, pending
		}
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var o createdOrder
		if err := json.Unmarshal(line, &o); err != nil {
			pending = fmt.Errorf("%s: line %d: %w", path, len(orders)+1, err)
			continue
		}
		orders = append(orders, o)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if orders == nil {
		orders = []createdOrder{} // none created: still checked
	}
	return orders, nil
}
