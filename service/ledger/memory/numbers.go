package memory

import (
	"strings"

	"github.com/tnassign/tnassign/tn"
)

// numberList stores canonical 10-digit numbers as tn.Numbers and falls back to text for anything
// else.
type numberList struct {
	packed []tn.Number
	text   []string
}

// packNumbers returns a list of ns.
func packNumbers(ns []string) numberList {
	var l numberList
	l.append(ns)
	return l
}

// append adds ns to the list, switching it to text when one of them is not canonical.
func (l *numberList) append(ns []string) {
	if l.text == nil {
		start := len(l.packed)
		for _, n := range ns {
			v, ok := tn.ParseCanonical(n)
			if !ok {
				l.packed = l.packed[:start]
				l.text = l.strings()
				l.packed = nil
				break
			}
			l.packed = append(l.packed, v)
		}
		if l.text == nil {
			return
		}
	}
	for _, n := range ns {
		l.text = append(l.text, strings.Clone(n))
	}
}

// finder returns a function that finds a number's position in l.
func (l numberList) finder() func(string) (int, bool) {
	if l.text != nil {
		index := make(map[string]int, len(l.text))
		for i, n := range l.text {
			index[n] = i
		}
		return func(n string) (int, bool) { i, ok := index[n]; return i, ok }
	}
	index := make(map[tn.Number]int, len(l.packed))
	for i, v := range l.packed {
		index[v] = i
	}
	return func(n string) (int, bool) {
		v, ok := tn.ParseCanonical(n)
		if !ok {
			return 0, false
		}
		i, ok := index[v]
		return i, ok
	}
}

// len returns how many numbers l holds.
func (l numberList) len() int {
	if l.text != nil {
		return len(l.text)
	}
	return len(l.packed)
}

// at returns the number at position i.
func (l numberList) at(i int) string {
	if l.text != nil {
		return l.text[i]
	}
	return l.packed[i].String()
}

// strings returns every number of l, in order.
func (l numberList) strings() []string {
	if l.text == nil {
		if s := tn.Strings(l.packed); s != nil {
			return s
		}
		return []string{}
	}
	out := make([]string, len(l.text))
	copy(out, l.text)
	return out
}
