package main

import (
	"strings"
	"testing"
	"time"
)

func TestInventory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prefixes []string
		take     int
		wantOK   bool
		wantLen  int
	}{
		{"wide prefixes", []string{"9195", "4158"}, 1000, true, 1000},
		{"a prefix of 10 numbers runs out", []string{"919555999"}, 11, false, 10},
		{"a prefix whose exchange starts with 1 holds only invalid numbers", []string{"9191"}, 1, false, 0},
		{"a whole number", []string{"9195550100"}, 1, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inv, err := newInventory(tt.prefixes)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := inv.take(tt.take)
			if ok != tt.wantOK || len(got) != tt.wantLen {
				t.Fatalf("take(%d) = %d numbers, %v; want %d, %v", tt.take, len(got), ok, tt.wantLen, tt.wantOK)
			}
			seen := map[string]bool{}
			for _, n := range got {
				if seen[n] || !validNANP(n) {
					t.Fatalf("%s repeated or not a valid number", n)
				}
				seen[n] = true
			}
			more, _ := inv.take(5)
			for _, n := range more {
				if seen[n] {
					t.Fatalf("%s handed out twice", n)
				}
			}
		})
	}
	for _, bad := range [][]string{nil, {"91a"}, {"12345678901"}, {""}} {
		if _, err := newInventory(bad); err == nil {
			t.Errorf("newInventory(%q) accepted", bad)
		}
	}
}

func TestGeneratorFresh(t *testing.T) {
	t.Parallel()
	inv, err := newInventory([]string{"9195", "4158", "4352"})
	if err != nil {
		t.Fatal(err)
	}
	g := &generator{inv: inv, tag: "t", minSize: 500, maxSize: 12000, unassign: 0.5}
	rng := seeded(7, 1)
	texts := map[string]bool{}
	requestIDs := map[string]bool{}
	var dups, invalid int
	for range 20 {
		u, ok := g.fresh(rng)
		if !ok {
			t.Fatal("inventory exhausted")
		}
		if requestIDs[u.requestID] {
			t.Fatalf("request id %s repeated", u.requestID)
		}
		requestIDs[u.requestID] = true
		if len(u.customerOrderID) > 32 {
			t.Fatalf("customer order id %q too long", u.customerOrderID)
		}
		seenNumber := map[string]bool{}
		valid := 0
		for _, e := range u.entries {
			if texts[e.text] {
				t.Fatalf("text %q sent twice in the run", e.text)
			}
			texts[e.text] = true
			switch {
			case e.number == "":
				invalid++
				if strings.Trim(e.text, "0123456789 ()-.+") == "" {
					t.Fatalf("invalid text %q could parse as a number", e.text)
				}
			case e.dup:
				dups++
				if !seenNumber[e.number] {
					t.Fatalf("second spelling %q before its number", e.text)
				}
			default:
				valid++
				seenNumber[e.number] = true
			}
		}
		if valid < 500 || valid > 12000 {
			t.Fatalf("unit of %d numbers", valid)
		}
	}
	if dups == 0 || invalid == 0 {
		t.Errorf("%d second spellings and %d invalid texts in 20 units: want some of each", dups, invalid)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	rng := seeded(1, 1)
	trickled := 0
	for _, n := range []int{0, 1, 249, 250, 1000, 1001, 12345, 12345, 12345, 12345} {
		msgs := plan(rng, n, 300*time.Millisecond)
		sum := 0
		for i, m := range msgs {
			sum += m.n
			if m.n > 1000 || (m.n < 250 && i != len(msgs)-1) {
				t.Errorf("n=%d: message %d of %d numbers", n, i, m.n)
			}
			if m.pause < 0 || m.pause > 300*time.Millisecond || (i == 0 && m.pause != 0) {
				t.Errorf("n=%d: message %d waits %s", n, i, m.pause)
			}
			if m.pause > 0 {
				trickled++
			}
		}
		if sum != n || len(msgs) == 0 {
			t.Errorf("n=%d: %d messages hold %d", n, len(msgs), sum)
		}
	}
	if trickled == 0 {
		t.Error("no call trickles")
	}
	for _, m := range plan(rng, 5000, 0) {
		if m.pause != 0 {
			t.Fatal("a pause without --pace")
		}
	}
}
