package codec

import "testing"

func TestIndexFind(t *testing.T) {
	t.Parallel()
	lists := map[string][]string{
		"packed": {"9195550000", "9195550001", "9195550002", "9195550003"},
		"text":   {"9195550000", "9195550001", "not-a-number", "9195550003"},
	}
	for name, list := range lists {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			x, err := NewIndex(PackNumbers(nil, list))
			if err != nil {
				t.Fatal(err)
			}
			// In order, out of order, missing, and in order again after a jump.
			lookups := []string{list[0], list[1], list[3], list[2], "9195559999", list[0], list[1], list[2], list[3]}
			for _, n := range lookups {
				want, wantOK := -1, false
				for i, m := range list {
					if m == n {
						want, wantOK = i, true
					}
				}
				got, ok := x.Find(n)
				if ok != wantOK || (ok && got != want) {
					t.Errorf("Find(%q) = %d, %v; want %d, %v", n, got, ok, want, wantOK)
				}
			}
		})
	}
}
