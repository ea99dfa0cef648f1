package wire

import (
	"bytes"
	"unicode/utf8"
)

// Character data for xmlScanner: text between tags, CDATA sections and attribute values are
// checked as encoding/xml checks them (every character an XML character, every reference valid,
// no "]]>" in text) and decoded on demand, since most text is never kept.

// text scans character data up to the next '<' or the end of the input.
func (s *xmlScanner) text() (tokenKind, error) {
	start := s.pos
	end, plain, err := s.scanChars(start, 0)
	if err != nil {
		return 0, err
	}
	s.pos = end
	s.raw, s.cdata, s.plain = s.data[start:end], false, plain
	return tokenText, nil
}

// scanChars checks the characters from i up to a '<' (quote == 0) or up to the closing quote
// (an attribute value), and returns where they end. plain reports that they hold no reference and
// no carriage return. Outside attribute values "]]>" is an error; inside them '<' is.
func (s *xmlScanner) scanChars(i int, quote byte) (end int, plain bool, err error) {
	data := s.data
	start := i
	plain = true
	for i < len(data) {
		c := data[i]
		if s.is(c, classText) {
			i++
			continue
		}
		switch {
		case quote != 0 && c == quote:
			return i, plain, nil
		case c == '<':
			if quote != 0 {
				s.pos = i
				return 0, false, s.fail("unescaped < inside quoted string")
			}
			return i, plain, nil
		case c == '&':
			_, n, ok := charRef(data[i:])
			if !ok {
				s.pos = i
				return 0, false, s.fail("invalid character reference")
			}
			plain = false
			i += n
			continue
		case c == '>':
			if quote == 0 && i-2 >= start && data[i-1] == ']' && data[i-2] == ']' {
				s.pos = i
				return 0, false, s.fail("unescaped ]]> not in CDATA section")
			}
		case c == '\r':
			plain = false
		case c == '\'' || c == '"':
		case c >= utf8.RuneSelf:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 || !xmlChar(r) {
				s.pos = i
				return 0, false, s.fail("invalid character")
			}
			i += n
			continue
		default:
			s.pos = i
			return 0, false, s.fail("invalid character")
		}
		i++
	}
	if quote != 0 {
		s.pos = i
		return 0, false, s.fail("unexpected EOF")
	}
	return i, plain, nil
}

// charRef decodes the reference at the start of b (which begins with '&'): one of the five
// predefined entities or a decimal or hexadecimal character reference to an XML character. It
// returns the character and the reference's length, or ok == false for anything else. As in
// encoding/xml, a reference to a surrogate stands for U+FFFD.
func charRef(b []byte) (r rune, n int, ok bool) {
	if len(b) < 2 {
		return 0, 0, false
	}
	if b[1] != '#' {
		for _, e := range [...]struct {
			ref string
			r   rune
		}{{"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}, {"&apos;", '\''}, {"&quot;", '"'}} {
			if len(b) >= len(e.ref) && string(b[:len(e.ref)]) == e.ref {
				return e.r, len(e.ref), true
			}
		}
		return 0, 0, false
	}
	i, base := 2, rune(10)
	if i < len(b) && b[i] == 'x' {
		i, base = 3, 16
	}
	digits := i
	var v rune
	for ; i < len(b); i++ {
		d := digitValue(b[i], base)
		if d < 0 {
			break
		}
		if v = v*base + d; v > utf8.MaxRune {
			return 0, 0, false
		}
	}
	if i == digits || i >= len(b) || b[i] != ';' {
		return 0, 0, false
	}
	if v >= 0xD800 && v <= 0xDFFF {
		v = utf8.RuneError
	}
	if !xmlChar(v) {
		return 0, 0, false
	}
	return v, i + 1, true
}

// digitValue returns the value of c as a digit in base 10 or 16, or -1.
func digitValue(c byte, base rune) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case base == 16 && c >= 'a' && c <= 'f':
		return rune(c-'a') + 10
	case base == 16 && c >= 'A' && c <= 'F':
		return rune(c-'A') + 10
	}
	return -1
}

// cdataSection scans a CDATA section; s.pos is at "<![".
func (s *xmlScanner) cdataSection() (tokenKind, error) {
	i := s.pos + 3
	if !bytes.HasPrefix(s.data[i:], []byte("CDATA[")) {
		return 0, s.fail("invalid <![ sequence")
	}
	i += len("CDATA[")
	k := bytes.Index(s.data[i:], []byte("]]>"))
	if k < 0 {
		return 0, s.fail("unexpected EOF in CDATA section")
	}
	content := s.data[i : i+k]
	plain := true
	for j := 0; j < len(content); {
		c := content[j]
		if c >= 0x20 && c < utf8.RuneSelf || c == '\t' || c == '\n' {
			j++
			continue
		}
		if c == '\r' {
			plain = false
			j++
			continue
		}
		r, n := utf8.DecodeRune(content[j:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			s.pos = i + j
			return 0, s.fail("invalid character")
		}
		j += n
	}
	s.pos = i + k + 3
	s.raw, s.cdata, s.plain = content, true, plain
	return tokenText, nil
}

// simpleContent consumes the rest of the current element when it is the common shape: plain
// characters (no reference, markup, quote or carriage return) directly followed by the element's
// end tag without spaces. It returns the characters, or ok == false having consumed nothing.
func (s *xmlScanner) simpleContent() (text []byte, ok bool) {
	if s.closeOwed || len(s.open) == 0 {
		return nil, false
	}
	data, start := s.data, s.pos
	i := start
	for i < len(data) && s.is(data[i], classText) {
		i++
	}
	open := s.open[len(s.open)-1]
	name := data[open.off:open.end]
	end := i + 2 + len(name)
	if end >= len(data) || data[i] != '<' || data[i+1] != '/' || data[end] != '>' || !bytes.Equal(data[i+2:end], name) {
		return nil, false
	}
	s.open = s.open[:len(s.open)-1]
	s.pos = end + 1
	return data[start:i], true
}

// decodeText appends the character data of a text token already checked by the scanner to b: references
// are replaced and line ends normalized, "\r\n" and a lone "\r" becoming "\n".
func decodeText(b, raw []byte, cdata bool) []byte {
	for i := 0; i < len(raw); {
		switch c := raw[i]; {
		case c == '\r':
			b = append(b, '\n')
			if i++; i < len(raw) && raw[i] == '\n' {
				i++
			}
		case c == '&' && !cdata:
			if r, n, ok := charRef(raw[i:]); ok {
				b = utf8.AppendRune(b, r)
				i += n
				continue
			}
			// Unreachable for a checked token; kept literal rather than looping.
			b = append(b, c)
			i++
		default:
			b = append(b, c)
			i++
		}
	}
	return b
}
