package main

import (
	"strconv"
	"sync"
)

// accountID is the simulated account every scenario uses.
const accountID = "9900000"

// areaCodes are the area codes of the numbers the benchmark sends. bwsim is started with
// --owned-prefixes naming them, so that the account owns all 8,000,000 valid numbers of each (its
// default prefixes, 919555, 415871 and 435215, own only 30,000 numbers in all: too few to stream
// millions of distinct ones).
var areaCodes = [...]string{"919", "415", "435"}

// ownedPrefixes is bwsim's --owned-prefixes for the benchmark.
const ownedPrefixes = "919,415,435,919555,415871,435215"

// numbersPerArea is how many valid numbers one area code holds (exchanges 200–999).
const numbersPerArea = 8_000_000

// maxNumbers is how many distinct numbers the allocator can hand out.
const maxNumbers = numbersPerArea * len(areaCodes)

// numberAllocator hands out ranges of distinct owned numbers, so that no two scenarios of a run
// send the same number (which matters only against servers that are not restarted).
type numberAllocator struct {
	mu   sync.Mutex
	next int
}

// take reserves n numbers and returns the index of the first; it panics past maxNumbers, which
// the scenario sizes never reach.
func (a *numberAllocator) take(n int) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	first := a.next
	if first+n > maxNumbers {
		panic("tnbench: out of distinct numbers")
	}
	a.next += n
	return first
}

// appendNumber appends the i-th number of the benchmark's sequence: dense runs of 10,000 numbers
// per exchange, like the blocks people assign in bulk.
func appendNumber(b []byte, i int) []byte {
	area := areaCodes[i/numbersPerArea]
	rest := 2_000_000 + i%numbersPerArea
	b = append(b, area...)
	return strconv.AppendInt(b, int64(rest), 10)
}

// numberString returns the i-th number as a string.
func numberString(i int) string {
	return string(appendNumber(make([]byte, 0, 10), i))
}

// orderXML encodes a numbersAssignment ASSIGN order of the count numbers starting at first, as a
// client script would send it.
func orderXML(customerOrderID string, first, count int) []byte {
	b := make([]byte, 0, 200+count*42)
	b = append(b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n<TelephoneNumbersAssignmentOrder>\n  <CustomerOrderId>"...)
	b = append(b, customerOrderID...)
	b = append(b, "</CustomerOrderId>\n  <Action>ASSIGN</Action>\n  <TelephoneNumbers>\n"...)
	for i := first; i < first+count; i++ {
		b = append(b, "    <TelephoneNumber>"...)
		b = appendNumber(b, i)
		b = append(b, "</TelephoneNumber>\n"...)
	}
	return append(b, "  </TelephoneNumbers>\n</TelephoneNumbersAssignmentOrder>\n"...)
}
