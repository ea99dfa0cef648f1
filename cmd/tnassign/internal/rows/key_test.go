package rows

import "testing"

func TestKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"9195551234", 9195551234, true},
		{"+19195551234", 9195551234, true},
		{"19195551234", 9195551234, true},
		{"(919) 555-1234", 9195551234, true},
		{"919.555.1234", 9195551234, true},
		{"+1 (919) 555-1234", 9195551234, true},
		{"29195551234", 0, false}, // 11 digits not starting with 1
		{"1195551234", 0, false},  // area code starts with 1
		{"9191551234", 0, false},  // exchange starts with 1
		{"919555123", 0, false},
		{"919555123456", 0, false},
		{"919-555-ABCD", 0, false},
		{"919x5551234", 0, false},
		{"919\t5551234", 0, false},
		{"+9195551234", 0, false},  // + without the country code
		{"1+9195551234", 0, false}, // + after a digit
		{"++19195551234", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := Key(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Key(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFormatKey(t *testing.T) {
	t.Parallel()
	if got := formatKey(2125550001); got != "2125550001" {
		t.Errorf("formatKey = %q", got)
	}
}

// FuzzKey checks that Key never panics, that what it accepts the loose key
// agrees with, and that the canonical form is a fixed point.
func FuzzKey(f *testing.F) {
	for _, s := range []string{"9195551234", "+1 (919) 555-1234", "1195551234", "abc", "1", "+"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, ok := Key(s)
		if !ok {
			return
		}
		if lk, lok := looseKey(s); !lok || lk != k {
			t.Fatalf("looseKey(%q) = %d, %v; Key gave %d", s, lk, lok, k)
		}
		if k2, ok2 := Key(formatKey(k)); !ok2 || k2 != k {
			t.Fatalf("Key(formatKey(%d)) = %d, %v", k, k2, ok2)
		}
	})
}
