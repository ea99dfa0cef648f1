package tn

import "testing"

func BenchmarkNormalize(b *testing.B) {
	inputs := []string{"9195551234", "+1 (919) 555-1234", "919.555.1234", "1-415-871-0000"}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for _, in := range inputs {
			if _, err := Parse(in); err != nil {
				b.Fatal(err)
			}
			n++
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "numbers/s")
}

// orderNumbers returns the canonical text of 5,000 consecutive numbers: an order's worth.
func orderNumbers() []string {
	ns := make([]Number, 5000)
	for i := range ns {
		ns[i] = 9190000000 + Number(i)
	}
	return Strings(ns)
}

// BenchmarkParseCanonical reads an order's canonical numbers, as the Bandwidth client's order
// validation and the ledger do for every number they handle.
func BenchmarkParseCanonical(b *testing.B) {
	text := orderNumbers()
	b.ReportAllocs()
	var sum Number
	for b.Loop() {
		for _, s := range text {
			n, ok := ParseCanonical(s)
			if !ok {
				b.Fatal(s)
			}
			sum += n
		}
	}
	b.ReportMetric(float64(b.N*len(text))/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkStrings formats an order's numbers, as the service does once per request message for
// the ledger, the batch and the order.
func BenchmarkStrings(b *testing.B) {
	ns := make([]Number, 5000)
	for i := range ns {
		ns[i] = 9190000000 + Number(i)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Strings(ns)
	}
	b.ReportMetric(float64(b.N*len(ns))/b.Elapsed().Seconds(), "numbers/s")
}
