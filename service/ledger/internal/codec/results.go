package codec

import (
	"encoding/binary"
	"fmt"
)

// Result values of one number of a settled batch; a failure in group k is ResultFailed+k.
const (
	ResultUnknown   uint16 = 0
	ResultSucceeded uint16 = 1
	ResultFailed    uint16 = 2
)

// EncodeResults packs one result per number: a width byte, then one byte per number when every
// value fits in a byte (fewer than 254 error groups), two otherwise.
func EncodeResults(rs []uint16) []byte {
	w := byte(1)
	for _, r := range rs {
		if r > 0xff {
			w = 2
			break
		}
	}
	out := make([]byte, 1, 1+int(w)*len(rs))
	out[0] = w
	for _, r := range rs {
		if w == 1 {
			out = append(out, byte(r))
		} else {
			out = binary.BigEndian.AppendUint16(out, r)
		}
	}
	return out
}

// DecodeResults unpacks what EncodeResults packed; n is the batch's number count.
func DecodeResults(b []byte, n int) ([]uint16, error) {
	if len(b) == 0 || (b[0] != 1 && b[0] != 2) || len(b)-1 != int(b[0])*n {
		return nil, fmt.Errorf("results of %d bytes for %d numbers: %w", len(b), n, ErrCorrupt)
	}
	out := make([]uint16, n)
	p := b[1:]
	for i := range out {
		if b[0] == 1 {
			out[i] = uint16(p[i])
		} else {
			out[i] = binary.BigEndian.Uint16(p[2*i:])
		}
	}
	return out, nil
}

// Group is one failure code of a settled batch.
type Group struct {
	Code        int
	Description string
}

// EncodeGroups packs a batch's failure groups.
func EncodeGroups(gs []Group) []byte {
	out := binary.AppendUvarint(nil, uint64(len(gs)))
	for _, g := range gs {
		out = binary.AppendVarint(out, int64(g.Code))
		out = appendString(out, g.Description)
	}
	return out
}

// DecodeGroups unpacks what EncodeGroups packed.
func DecodeGroups(b []byte) ([]Group, error) {
	r := reader{b: b}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(b)) {
		return nil, fmt.Errorf("error groups: %w", ErrCorrupt)
	}
	out := make([]Group, 0, n)
	for range n {
		code := r.varint()
		out = append(out, Group{Code: int(code), Description: r.string()})
	}
	if r.err != nil {
		return nil, fmt.Errorf("error groups: %w", r.err)
	}
	return out, nil
}

// Rejection is one refused number as a rejection chunk stores it.
type Rejection struct {
	Number, Reason, Detail string
}

// EncodeRejections packs rejections into one chunk.
func EncodeRejections(rs []Rejection) []byte {
	out := binary.AppendUvarint(nil, uint64(len(rs)))
	for _, r := range rs {
		out = appendString(out, r.Number)
		out = appendString(out, r.Reason)
		out = appendString(out, r.Detail)
	}
	return out
}

// DecodeRejections unpacks what EncodeRejections packed.
func DecodeRejections(b []byte) ([]Rejection, error) {
	r := reader{b: b}
	n := r.uvarint()
	if r.err != nil || n > uint64(len(b)) {
		return nil, fmt.Errorf("rejections: %w", ErrCorrupt)
	}
	out := make([]Rejection, 0, n)
	for range n {
		out = append(out, Rejection{Number: r.string(), Reason: r.string(), Detail: r.string()})
	}
	if r.err != nil {
		return nil, fmt.Errorf("rejections: %w", r.err)
	}
	return out, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes varints and strings, remembering the first error.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = ErrCorrupt
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *reader) varint() int64 {
	if r.err != nil {
		return 0
	}
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.err = ErrCorrupt
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *reader) string() string {
	l := r.uvarint()
	if r.err != nil {
		return ""
	}
	if l > uint64(len(r.b)) {
		r.err = ErrCorrupt
		return ""
	}
	s := string(r.b[:l])
	r.b = r.b[l:]
	return s
}
