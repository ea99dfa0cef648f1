package main

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	t.Parallel()
	o, err := parseOptions(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.duration != 2*time.Minute || o.callers != 6 || o.replicas != 3 || o.killEvery != 4*time.Second || o.lease != 3*time.Second {
		t.Errorf("defaults %+v", o)
	}
	o, err = parseOptions([]string{"--duration", "30s", "--owned-prefixes", "919, 415", "--replica-flag=--poll-interval=1s", "--replica-flag", "--log-level=debug"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if o.duration != 30*time.Second || !slices.Equal(o.prefixes, []string{"919", "415"}) ||
		!slices.Equal(o.replicaFlags, []string{"--poll-interval=1s", "--log-level=debug"}) {
		t.Errorf("parsed %+v", o)
	}
	for _, bad := range [][]string{
		{"--duration", "0s"},
		{"--replicas", "1"},
		{"--callers", "0"},
		{"--min-unit", "100", "--max-unit", "50"},
		{"--gateway-share", "1.5"},
		{"--owned-prefixes", "91x"},
		{"--create-delay", "9s", "--create-delay-max", "8s"},
		{"--pace", "-1s"},
		{"extra"},
	} {
		if _, err := parseOptions(bad, io.Discard); err == nil {
			t.Errorf("%q accepted", strings.Join(bad, " "))
		}
	}
}
