package main

import (
	"cmp"
	"fmt"
	"strconv"
	"time"
)

// orderSize is the number of numbers in every Bandwidth order: the maximum.
const orderSize = 5000

// profile is an upstream behaviour and the load each scenario sends under it.
type profile struct {
	name string
	// What bwsim does: latency per request, least time to a final status, requests/s allowed.
	latency, processingDelay time.Duration
	rate                     float64
	// poll is how long a client waits before each GET of an unsettled order (ceiling, naive and
	// tnassignd's --poll-interval).
	poll time.Duration
	// ceilingWorkers is how many orders the ceiling client keeps going at once.
	ceilingWorkers int
	// daemonFlags tune tnassignd for the profile; they are printed in the report.
	daemonFlags []string
	// Numbers sent per scenario.
	ceiling, grpc1, grpc8, gateway, naive int
}

// bwsimFlags are the simulator's flags for the profile.
func (p profile) bwsimFlags() []string {
	return []string{
		"--account", accountID, "--owned-prefixes", ownedPrefixes,
		"--latency", p.latency.String(), "--processing-delay", p.processingDelay.String(), "--processing-polls", "0",
		"--rate-limit", strconv.FormatFloat(p.rate, 'f', -1, 64),
		// Enough to keep every order until it is polled, few enough to bound bwsim's memory
		// (about 75 KB per order).
		"--max-stored-orders", "2000",
	}
}

// ceilingBound is the most numbers/s the upstream allows a client that needs one POST and one GET
// per order (no bound without a rate limit).
func (p profile) ceilingBound() float64 {
	if p.rate <= 0 {
		return 0
	}
	return p.rate / 2 * orderSize
}

// profiles returns the two upstream profiles, sized for a quick or a full run (--full), the
// realistic one limited to --rate requests per second.
func profiles(o options) []profile {
	rate := o.rate
	scale := func(quick, long int) int {
		if o.full {
			return long
		}
		return quick
	}
	zero := profile{
		name:           "zero latency",
		poll:           time.Second,
		ceilingWorkers: cmp.Or(o.ceilingWorkers, 4),
		daemonFlags: []string{"--rate-limit", "0", "--max-inflight-per-job", "8", "--max-inflight-orders", "64",
			"--batch-linger", "1s", "--poll-interval", "1s"},
		ceiling: scale(2_000_000, 5_000_000),
		grpc1:   scale(2_000_000, 5_000_000),
		grpc8:   scale(2_000_000, 5_000_000),
		gateway: scale(1_000_000, 2_500_000),
		naive:   scale(500_000, 1_000_000),
	}
	// Each order costs two requests at best (its POST, and one GET once it is final), so the
	// upstream allows rate/2 orders a second. tnassignd's --rate-limit paces every request to
	// Bandwidth per account (creations, polls and retries alike), so it gets the upstream's rate
	// itself. An order takes about 1.6–1.9 s from POST to final, so rate/2 × 1.9 ≈ 10 orders must
	// be in flight to keep up; 16 leaves room for jitter and retries.
	realistic := profile{
		name:            fmt.Sprintf("realistic (300 ms, final after 1 s, %g req/s)", rate),
		latency:         300 * time.Millisecond,
		processingDelay: time.Second,
		rate:            rate,
		poll:            time.Second,
		ceilingWorkers:  cmp.Or(o.ceilingWorkers, 16),
		daemonFlags: []string{"--rate-limit", strconv.FormatFloat(rate, 'f', -1, 64), "--max-inflight-per-job", "16",
			"--max-inflight-orders", "64", "--batch-linger", "1s", "--poll-interval", "1s"},
		ceiling: scale(150_000, 500_000),
		grpc1:   scale(150_000, 500_000),
		grpc8:   scale(160_000, 520_000),
		gateway: scale(150_000, 500_000),
		naive:   scale(20_000, 100_000),
	}
	zero.daemonFlags = append(zero.daemonFlags, o.daemonExtra...)
	realistic.daemonFlags = append(realistic.daemonFlags, o.daemonExtra...)
	return []profile{zero, realistic}
}

// memoryProfile is the slow upstream the memory scenario streams through: no rate limit, but
// every order takes about 1.6 s, so the stream is paced by backpressure.
func memoryProfile(o options) (profile, int) {
	p := profile{
		name:            "slow (300 ms, final after 1 s)",
		latency:         300 * time.Millisecond,
		processingDelay: time.Second,
		poll:            time.Second,
		daemonFlags: []string{"--rate-limit", "0", "--max-inflight-per-job", "16", "--max-inflight-orders", "64",
			"--batch-linger", "1s", "--poll-interval", "1s"},
	}
	p.daemonFlags = append(p.daemonFlags, o.daemonExtra...)
	if o.full {
		return p, 5_000_000
	}
	return p, 300_000
}
