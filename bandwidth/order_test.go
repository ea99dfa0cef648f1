package bandwidth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func numbers(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("919%07d", i)
	}
	return out
}

func TestOrderValidate(t *testing.T) {
	t.Parallel()
	ok := Order{CustomerOrderID: "job 1-batch-0001", Action: ActionAssign, TelephoneNumbers: []string{"9195551234"}}
	with := func(edit func(*Order)) Order {
		o := ok
		o.TelephoneNumbers = append([]string(nil), ok.TelephoneNumbers...)
		edit(&o)
		return o
	}
	tests := []struct {
		name  string
		order Order
		field string // empty: valid
	}{
		{"valid", ok, ""},
		{"unassign", with(func(o *Order) { o.Action = ActionUnassign }), ""},
		{"5000 numbers", with(func(o *Order) { o.TelephoneNumbers = numbers(5000) }), ""},
		{"40-char id", with(func(o *Order) { o.CustomerOrderID = strings.Repeat("a", 40) }), ""},
		{"5001 numbers", with(func(o *Order) { o.TelephoneNumbers = numbers(5001) }), "TelephoneNumbers"},
		{"no numbers", with(func(o *Order) { o.TelephoneNumbers = nil }), "TelephoneNumbers"},
		{"9 digits", with(func(o *Order) { o.TelephoneNumbers = []string{"919555123"} }), "TelephoneNumbers[0]"},
		{"11 digits", with(func(o *Order) { o.TelephoneNumbers = []string{"19195551234"} }), "TelephoneNumbers[0]"},
		{"E.164", with(func(o *Order) { o.TelephoneNumbers = []string{"9195551234", "+919555123"} }), "TelephoneNumbers[1]"},
		{"non-ASCII digits", with(func(o *Order) { o.TelephoneNumbers = []string{"９１９５５５１２３"} }), "TelephoneNumbers[0]"},
		{"duplicate", with(func(o *Order) { o.TelephoneNumbers = []string{"9195551234", "9195551234"} }), "TelephoneNumbers[1]"},
		{"duplicate of zero", with(func(o *Order) { o.TelephoneNumbers = []string{"0000000000", "0000000001", "0000000000"} }), "TelephoneNumbers[2]"},
		{"duplicate far apart", with(func(o *Order) {
			o.TelephoneNumbers = append(numbers(4999), "9190000007")
		}), "TelephoneNumbers[4999]"},
		{"first problem wins", with(func(o *Order) { o.TelephoneNumbers = []string{"9195551234", "9195551234", "x"} }), "TelephoneNumbers[1]"},
		{"digit-like bytes", with(func(o *Order) { o.TelephoneNumbers = []string{"919555123:"} }), "TelephoneNumbers[0]"},
		{"byte below zero", with(func(o *Order) { o.TelephoneNumbers = []string{"919555123/"} }), "TelephoneNumbers[0]"},
		{"no id", with(func(o *Order) { o.CustomerOrderID = "" }), "CustomerOrderID"},
		{"41-char id", with(func(o *Order) { o.CustomerOrderID = strings.Repeat("a", 41) }), "CustomerOrderID"},
		{"id with underscore", with(func(o *Order) { o.CustomerOrderID = "a_b" }), "CustomerOrderID"},
		{"id with markup", with(func(o *Order) { o.CustomerOrderID = "<a>" }), "CustomerOrderID"},
		{"bad action", with(func(o *Order) { o.Action = "assign" }), "Action"},
		{"no action", with(func(o *Order) { o.Action = "" }), "Action"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.order.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field || !errors.Is(err, ErrInvalidOrder) {
				t.Fatalf("Validate error = %v, want a ValidationError of %s", err, tt.field)
			}
		})
	}
}

// TestValidateFindsDuplicates holds Validate's duplicate check to a map's answer on orders drawn
// from a narrow range of numbers, so that most hold duplicates and many collide in its table.
func TestValidateFindsDuplicates(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := 1 + rng.IntN(MaxNumbersPerOrder)
		span := n + rng.IntN(4*n)
		o := Order{CustomerOrderID: "dups", Action: ActionAssign, TelephoneNumbers: make([]string, n)}
		for i := range o.TelephoneNumbers {
			o.TelephoneNumbers[i] = fmt.Sprintf("%010d", uint64(rng.IntN(span))*7919)
		}
		want := -1
		seen := map[string]bool{}
		for i, tn := range o.TelephoneNumbers {
			if seen[tn] {
				want = i
				break
			}
			seen[tn] = true
		}
		err := o.Validate()
		var ve *ValidationError
		switch {
		case want < 0 && err != nil:
			t.Fatalf("%d numbers without duplicates: Validate = %v", n, err)
		case want >= 0 && (!errors.As(err, &ve) || ve.Field != fmt.Sprintf("TelephoneNumbers[%d]", want)):
			t.Fatalf("first duplicate at %d: Validate = %v", want, err)
		}
	}
}

func TestValidateDoesNotAllocate(t *testing.T) {
	o := bigOrder()
	if n := testing.AllocsPerRun(10, func() { _ = o.Validate() }); n != 0 {
		t.Errorf("Validate of a valid order allocates %v times", n)
	}
}

func TestParseStatus(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in    string
		want  Status
		final bool
		bad   bool
	}{
		{"RECEIVED", StatusReceived, false, false},
		{"PROCESSING", StatusProcessing, false, false},
		{"COMPLETE", StatusComplete, true, false},
		{"partial", StatusPartial, true, false},
		{" FAILED\n", StatusFailed, true, false},
		{"", "", false, true},
		{"CANCELLED", "", false, true},
		{"COMPLETED", "", false, true},
	} {
		got, err := ParseStatus(tt.in)
		if (err != nil) != tt.bad || got != tt.want || got.Final() != tt.final {
			t.Errorf("ParseStatus(%q) = %q, %v (final %v)", tt.in, got, err, got.Final())
		}
	}
}
