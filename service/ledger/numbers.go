package ledger

import (
	"strconv"
	"strings"
)

// numberList stores canonical 10-digit numbers as integers and falls back to text for anything
// else.
type numberList struct {
	packed []uint64
	text   []string
}

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
			v, ok := canonicalValue(n)
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

func canonicalValue(n string) (uint64, bool) {
	if len(n) != 10 {
		return 0, false
	}
	v, err := strconv.ParseUint(n, 10, 64)
	return v, err == nil
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
	index := make(map[uint64]int, len(l.packed))
	for i, v := range l.packed {
		index[v] = i
	}
	return func(n string) (int, bool) {
		v, ok := canonicalValue(n)
		if !ok {
			return 0, false
		}
		i, ok := index[v]
		return i, ok
	}
}

func (l numberList) len() int {
	if l.text != nil {
		return len(l.text)
	}
	return len(l.packed)
}

func (l numberList) at(i int) string {
	if l.text != nil {
		return l.text[i]
	}
	var buf [10]byte
	v := l.packed[i]
	for k := 9; k >= 0; k-- {
		buf[k] = byte('0' + v%10)
		v /= 10
	}
	return string(buf[:])
}

func (l numberList) strings() []string {
	out := make([]string, l.len())
	for i := range out {
		out[i] = l.at(i)
	}
	return out
}
