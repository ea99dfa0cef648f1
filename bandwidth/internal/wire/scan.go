package wire

import (
	"bytes"
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// xmlScanner tokenizes Bandwidth's flat, namespace-free XML documents without allocating per token.
// It accepts exactly what encoding/xml's strict Decoder accepts for the constructs it handles:
// start and end tags (attributes are checked and discarded), character data with the five
// predefined entities and numeric character references, CDATA sections, comments and processing
// instructions, including the XML declaration's version and encoding checks. What it does not
// handle — a DOCTYPE or other directive, a namespace prefix or declaration, a name with non-ASCII
// characters — stops it with errScanUnsupported, so that the caller can hand the document to
// encoding/xml instead. Comments and processing instructions are checked and skipped.
//
// The scanner never panics and never backtracks: every call to next consumes input or reports the
// end, and it holds only 8 bytes per open element beyond the input.
type xmlScanner struct {
	data []byte
	pos  int
	// open holds the name of each open element, innermost last.
	open []nameSpan
	// closeOwed is set after a self-closing start tag; the next token is its end.
	closeOwed bool
	// lastStart is the name of the latest start tag: siblings usually share it.
	lastStart nameSpan
	// class classifies ASCII bytes for the scanning loops.
	class [utf8.RuneSelf]charClass

	// The current token, as described by the kind next returned.
	//
	// name is the element name of a start or end token.
	name []byte
	// raw is a text token's input: character data with its references, or a CDATA section's content.
	raw []byte
	// cdata marks raw as a CDATA section's content, in which & is not a reference.
	cdata bool
	// plain reports that raw holds no reference and no carriage return: it is the text itself.
	plain bool
}

// nameSpan locates an element name in the scanned document: data[off:end].
type nameSpan struct{ off, end int32 }

// errScanUnsupported reports a construct the scanner leaves to encoding/xml.
var errScanUnsupported = errors.New("xml scanner: construct left to encoding/xml")

// scanError is a syntax error found by the scanner; the strict decoder rejects the same input.
type scanError struct {
	offset int
	msg    string
}

func (e *scanError) Error() string {
	return "xml scanner: " + e.msg + " at offset " + strconv.Itoa(e.offset)
}

// tokenKind is the kind of token next found.
type tokenKind uint8

const (
	tokenEOF   tokenKind = iota // the input ended after the root element closed
	tokenStart                  // a start tag, or the first half of a self-closing one
	tokenEnd                    // an end tag, or the second half of a self-closing one
	tokenText                   // character data or a CDATA section
)

// newXMLScanner returns a scanner of data, or errScanUnsupported when data is too long for the
// scanner's 32-bit offsets.
func newXMLScanner(data []byte) (xmlScanner, error) {
	if len(data) >= math.MaxInt32 {
		return xmlScanner{}, errScanUnsupported
	}
	return xmlScanner{data: data, class: asciiClasses()}, nil
}

func (s *xmlScanner) fail(msg string) error { return &scanError{offset: s.pos, msg: msg} }

// next advances to the next start, end or text token and returns its kind, or tokenEOF once the
// input is exhausted with no element open. Comments and processing instructions are checked and
// skipped. The token's name or text is in the scanner's fields until the next call.
func (s *xmlScanner) next() (tokenKind, error) {
	if s.closeOwed {
		s.closeOwed = false
		n := s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
		s.name = s.data[n.off:n.end]
		return tokenEnd, nil
	}
	for {
		if s.pos >= len(s.data) {
			if len(s.open) > 0 {
				return 0, s.fail("unexpected EOF")
			}
			return tokenEOF, nil
		}
		if s.data[s.pos] != '<' {
			return s.text()
		}
		if s.pos+2 >= len(s.data) {
			// No markup is shorter than three bytes.
			return 0, s.fail("unexpected EOF")
		}
		switch s.data[s.pos+1] {
		case '/':
			return s.endTag()
		case '?':
			if err := s.procInst(); err != nil {
				return 0, err
			}
		case '!':
			switch s.data[s.pos+2] {
			case '-':
				if err := s.comment(); err != nil {
					return 0, err
				}
			case '[':
				return s.cdataSection()
			default:
				return 0, errScanUnsupported
			}
		default:
			return s.startTag()
		}
	}
}

// byteAt returns data[i], or 0 past the end (a NUL is never valid where byteAt is consulted).
func (s *xmlScanner) byteAt(i int) byte {
	if i < len(s.data) {
		return s.data[i]
	}
	return 0
}

// procInst checks a processing instruction; s.pos is at "<?". Like encoding/xml, it refuses an
// XML declaration that names a version other than 1.0 or an encoding other than UTF-8.
func (s *xmlScanner) procInst() error {
	target := s.pos + 2
	end, err := s.scanName(target)
	if err != nil {
		return err
	}
	i := skipSpace(s.data, end)
	k := bytes.Index(s.data[i:], []byte("?>"))
	if k < 0 {
		return s.fail("unexpected EOF in processing instruction")
	}
	if string(s.data[target:end]) == "xml" {
		content := s.data[i : i+k]
		if v := declParam(content, "version="); len(v) != 0 && string(v) != "1.0" {
			return s.fail("unsupported XML version")
		}
		if e := declParam(content, "encoding="); len(e) != 0 && !bytes.EqualFold(e, []byte("utf-8")) {
			return s.fail("unsupported encoding")
		}
	}
	s.pos = i + k + 2
	return nil
}

// declParam returns the value encoding/xml reads for key (such as `version=`) in an XML
// declaration: the text between the quotes after the first occurrence of key that is directly
// followed by a quote, or nil when there is none or it is not closed.
func declParam(content []byte, key string) []byte {
	for {
		k := bytes.Index(content, []byte(key))
		if k < 0 || k+len(key) >= len(content) {
			return nil
		}
		q := content[k+len(key)]
		content = content[k+len(key)+1:]
		if q == '"' || q == '\'' {
			if j := bytes.IndexByte(content, q); j >= 0 {
				return content[:j]
			}
			return nil
		}
	}
}

// comment checks a comment; s.pos is at "<!-". As in encoding/xml, the first "--" must end it.
func (s *xmlScanner) comment() error {
	if s.byteAt(s.pos+3) != '-' {
		return s.fail("invalid sequence <!- not part of <!--")
	}
	body := s.pos + 4
	k := bytes.Index(s.data[body:], []byte("--"))
	if k < 0 {
		return s.fail("unexpected EOF in comment")
	}
	if s.byteAt(body+k+2) != '>' {
		s.pos = body + k
		return s.fail(`invalid sequence "--" not allowed in comments`)
	}
	s.pos = body + k + 3
	return nil
}

// startTag scans "<name attr='v' …>" or its self-closing form; s.pos is at '<'.
func (s *xmlScanner) startTag() (tokenKind, error) {
	nameStart := s.pos + 1
	end, err := s.startTagName(nameStart)
	if err != nil {
		return 0, err
	}
	s.lastStart = nameSpan{int32(nameStart), int32(end)}
	i := end
	for {
		i = skipSpace(s.data, i)
		switch s.byteAt(i) {
		case '>':
			s.pos = i + 1
			s.open = append(s.open, nameSpan{int32(nameStart), int32(end)})
			s.name = s.data[nameStart:end]
			return tokenStart, nil
		case '/':
			if s.byteAt(i+1) != '>' {
				s.pos = i
				return 0, s.fail("expected /> in element")
			}
			s.pos = i + 2
			s.open = append(s.open, nameSpan{int32(nameStart), int32(end)})
			s.closeOwed = true
			s.name = s.data[nameStart:end]
			return tokenStart, nil
		}
		if i, err = s.attribute(i); err != nil {
			return 0, err
		}
	}
}

// attribute checks one name="value" pair starting at i and returns the offset after it.
// Namespace declarations (xmlns, xmlns:p) and prefixed names are left to encoding/xml.
func (s *xmlScanner) attribute(i int) (int, error) {
	end, err := s.scanName(i)
	if err != nil {
		return 0, err
	}
	if string(s.data[i:end]) == "xmlns" {
		return 0, errScanUnsupported
	}
	i = skipSpace(s.data, end)
	if s.byteAt(i) != '=' {
		s.pos = i
		return 0, s.fail("attribute name without = in element")
	}
	i = skipSpace(s.data, i+1)
	quote := s.byteAt(i)
	if quote != '"' && quote != '\'' {
		s.pos = i
		return 0, s.fail("unquoted or missing attribute value in element")
	}
	if i, _, err = s.scanChars(i+1, quote); err != nil {
		return 0, err
	}
	return i + 1, nil
}

// endTag scans "</name>", which must close the innermost open element; s.pos is at '<'. Any other
// name is an error under encoding/xml too, whatever its prefix or characters, so it is compared
// byte for byte with the open element's name.
func (s *xmlScanner) endTag() (tokenKind, error) {
	if len(s.open) == 0 {
		return 0, s.fail("unexpected end element")
	}
	open := s.open[len(s.open)-1]
	name := s.data[open.off:open.end]
	i := s.pos + 2
	end := i + len(name)
	if end > len(s.data) || !bytes.Equal(s.data[i:end], name) || end < len(s.data) && s.continuesName(s.data[end]) {
		return 0, s.fail("element closed by another's end tag")
	}
	if i = skipSpace(s.data, end); s.byteAt(i) != '>' {
		s.pos = i
		return 0, s.fail("invalid characters in end tag")
	}
	s.open = s.open[:len(s.open)-1]
	s.pos = i + 1
	s.name = name
	return tokenEnd, nil
}

// startTagName scans the name of a start tag at i and returns its end, first trying the previous
// start tag's name, which a run of siblings repeats.
func (s *xmlScanner) startTagName(i int) (int, error) {
	last := s.data[s.lastStart.off:s.lastStart.end]
	end := i + len(last)
	if len(last) > 0 && end < len(s.data) && bytes.Equal(s.data[i:end], last) && !s.continuesName(s.data[end]) {
		return end, nil
	}
	return s.scanName(i)
}

// scanName scans a name at i and returns its end. Names with a colon (a namespace prefix) or a
// non-ASCII character are left to encoding/xml.
func (s *xmlScanner) scanName(i int) (int, error) {
	end := i
	for end < len(s.data) && s.is(s.data[end], className) {
		end++
	}
	if end < len(s.data) && (s.data[end] == ':' || s.data[end] >= utf8.RuneSelf) {
		return 0, errScanUnsupported
	}
	if end == i || !s.is(s.data[i], classNameStart) {
		s.pos = i
		return 0, s.fail("expected a name")
	}
	return end, nil
}

// continuesName reports whether c, following a name, would make it a longer (or a prefixed) name.
func (s *xmlScanner) continuesName(c byte) bool {
	return c == ':' || c >= utf8.RuneSelf || s.is(c, className)
}

// charClass is a set of classes of an ASCII byte.
type charClass uint8

const (
	className      charClass = 1 << iota // may be part of a name: [A-Za-z0-9_.-] (':' is left out)
	classNameStart                       // may start a name: [A-Za-z_]
	classText                            // stands for itself in text and attribute values
)

// is reports whether c is an ASCII byte of class k.
func (s *xmlScanner) is(c byte, k charClass) bool {
	return c < utf8.RuneSelf && s.class[c]&k != 0
}

// asciiClasses returns the classes of each ASCII byte.
func asciiClasses() (t [utf8.RuneSelf]charClass) {
	for c := range t {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if letter || c == '_' {
			t[c] |= classNameStart
		}
		if letter || c == '_' || c >= '0' && c <= '9' || c == '.' || c == '-' {
			t[c] |= className
		}
		// Controls other than tab and line feed are errors and a carriage return is rewritten;
		// & < > and the quotes are markup or may be; DEL is an ordinary character.
		if c >= ' ' || c == '\t' || c == '\n' {
			switch c {
			case '&', '<', '>', '"', '\'':
			default:
				t[c] |= classText
			}
		}
	}
	return t
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r') {
		i++
	}
	return i
}
