package bandwidth

import (
	"errors"
	"fmt"
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
