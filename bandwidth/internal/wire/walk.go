package wire

import (
	"bytes"
	"errors"
	"strings"
)

// fastDecoder walks a document's tokens, collecting the text of fields into one arena.
type fastDecoder struct {
	sc xmlScanner
	// arena accumulates the character data of every field; fields are substrings of it. A
	// strings.Builder only ever appends, so substrings taken earlier stay valid as it grows.
	arena strings.Builder
	// scratch holds decoded text on its way to the arena or to the epilogue's check.
	scratch []byte
}

func newFastDecoder(data []byte) (*fastDecoder, error) {
	sc, err := newXMLScanner(data)
	if err != nil {
		return nil, err
	}
	d := &fastDecoder{sc: sc}
	// Field text is usually a small part of a document: numbers are 10 of about 45 bytes a line.
	d.arena.Grow(len(data)/4 + 64)
	return d, nil
}

// errWrongRoot reports a document whose root element is not the expected one.
var errWrongRoot = errors.New("xml scanner: unexpected root element")

// root skips what precedes the root element and checks that it is named want.
func (d *fastDecoder) root(want string) error {
	for {
		kind, err := d.sc.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokenStart:
			if string(d.sc.name) != want {
				return errWrongRoot
			}
			return nil
		case tokenEOF:
			return d.sc.fail("no root element")
		}
	}
}

// child returns the name of the next child element of the current element, or nil once the
// current element ends. Text between children is ignored, as no wire struct keeps it.
func (d *fastDecoder) child() ([]byte, error) {
	for {
		kind, err := d.sc.next()
		if err != nil {
			return nil, err
		}
		switch kind {
		case tokenStart:
			return d.sc.name, nil
		case tokenEnd:
			return nil, nil
		case tokenEOF:
			return nil, d.sc.fail("unexpected EOF")
		}
	}
}

// fields calls field for each child element of the current element until it ends. field must
// consume the child through its end tag.
func (d *fastDecoder) fields(field func(name []byte) error) error {
	for {
		name, err := d.child()
		if name == nil || err != nil {
			return err
		}
		if err := field(name); err != nil {
			return err
		}
	}
}

// each calls item for each child element of the current element named elem, skipping the others,
// until the current element ends. item must consume the child through its end tag.
func (d *fastDecoder) each(elem string, item func() error) error {
	return d.fields(func(name []byte) error {
		if string(name) != elem {
			return d.skip()
		}
		return item()
	})
}

// skip consumes the current element through its end tag.
func (d *fastDecoder) skip() error {
	for depth := 0; ; {
		kind, err := d.sc.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokenStart:
			depth++
		case tokenEnd:
			if depth == 0 {
				return nil
			}
			depth--
		case tokenEOF:
			return d.sc.fail("unexpected EOF")
		}
	}
}

// text consumes the current element through its end tag and returns the character data directly
// inside it, as encoding/xml does for a string field: text split by comments, processing
// instructions or CDATA sections is joined, and nested elements are skipped.
func (d *fastDecoder) text() (string, error) {
	start := d.arena.Len()
	if raw, ok := d.sc.simpleContent(); ok {
		d.arena.Write(raw)
		return d.arena.String()[start:], nil
	}
	for {
		kind, err := d.sc.next()
		if err != nil {
			return "", err
		}
		switch kind {
		case tokenText:
			d.appendText()
		case tokenStart:
			if err := d.skip(); err != nil {
				return "", err
			}
		case tokenEnd:
			return d.arena.String()[start:], nil
		case tokenEOF:
			return "", d.sc.fail("unexpected EOF")
		}
	}
}

// appendText appends the character data of the current text token to the arena.
func (d *fastDecoder) appendText() {
	if d.sc.plain {
		d.arena.Write(d.sc.raw)
		return
	}
	d.scratch = decodeText(d.scratch[:0], d.sc.raw, d.sc.cdata)
	d.arena.Write(d.scratch)
}

// epilogue checks what follows the root element: as for Unmarshal, only white space, comments and
// processing instructions.
func (d *fastDecoder) epilogue() error {
	for {
		kind, err := d.sc.next()
		if err != nil {
			return err
		}
		switch kind {
		case tokenEOF:
			return nil
		case tokenText:
			if d.scratch = decodeText(d.scratch[:0], d.sc.raw, d.sc.cdata); len(bytes.TrimSpace(d.scratch)) != 0 {
				return d.sc.fail("text after the root element")
			}
		default:
			return d.sc.fail("content after the root element")
		}
	}
}
