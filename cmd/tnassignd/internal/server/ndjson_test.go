package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/proto"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// probe is the input of a boundedReader that records the most bytes the
// decoder held at once for the message it was decoding.
type probe struct {
	r   io.Reader
	br  *boundedReader
	max int64
}

func (p *probe) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.max = max(p.max, p.br.read+int64(n)-p.br.dec.InputOffset())
	return n, err
}

// decoded is what decoding a whole input gave: the messages, the error that
// ended it (nil for a clean end) and, for a bounded decoder, the most bytes
// held at once.
type decoded struct {
	msgs    []*tnassignv1.AssignNumbersRequest
	err     error
	maxHeld int64
}

// boundedDecode decodes data through a bounded decoder of limit bytes.
func boundedDecode(data []byte, limit int64) decoded {
	p := &probe{r: bytes.NewReader(data)}
	p.br = newBoundedReader(p, limit)
	d := decodeAll(runtime.DecoderWrapper{Decoder: p.br.dec})
	d.maxHeld = p.max
	return d
}

// decodeAll decodes request messages until d fails.
func decodeAll(d runtime.Decoder) decoded {
	var out decoded
	for {
		var m tnassignv1.AssignNumbersRequest
		if err := d.Decode(&m); err != nil {
			if !errors.Is(err, io.EOF) {
				out.err = err
			}
			return out
		}
		out.msgs = append(out.msgs, &m)
	}
}

func TestBoundedDecoder(t *testing.T) {
	t.Parallel()
	const limit = 100
	line := func(n int) string { // a request line of n bytes, newline included
		pad := n - len(`{"accountId":""}`+"\n")
		return `{"accountId":"` + strings.Repeat("1", pad) + `"}` + "\n"
	}
	tests := []struct {
		name     string
		in       string
		want     int  // messages decoded
		tooLarge bool // ends with *MessageTooLargeError
	}{
		{"empty", "", 0, false},
		{"small lines", line(30) + line(40) + line(50), 3, false},
		{"a line at the limit", line(30) + line(limit), 2, false},
		{"a line over the limit", line(30) + line(limit+2) + line(30), 1, true},
		{"a huge line", line(30) + line(1<<20), 1, true},
		{"two messages on one line", strings.TrimSuffix(line(30), "\n") + line(30), 2, false},
		{"a message over several lines", "{\n\"accountId\":\n\"1\"\n}\n" + line(30), 2, false},
		{"malformed", line(30) + "{]\n", 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := boundedDecode([]byte(tc.in), limit)
			if len(got.msgs) != tc.want {
				t.Errorf("decoded %d messages, want %d (error %v)", len(got.msgs), tc.want, got.err)
			}
			var tooLarge *MessageTooLargeError
			if errors.As(got.err, &tooLarge) != tc.tooLarge {
				t.Errorf("error %v; want a MessageTooLargeError: %v", got.err, tc.tooLarge)
			}
			if got.maxHeld > limit+1 {
				t.Errorf("held %d bytes at once, want at most %d", got.maxHeld, limit+1)
			}
		})
	}
}

// FuzzBoundedDecoder: on any input, the gateway's bounded decoder decodes
// what grpc-gateway's own decoder decodes, message for message, except that
// it stops with *MessageTooLargeError at a message that takes more than its
// limit; and it never holds more than the limit (plus one byte) at once.
func FuzzBoundedDecoder(f *testing.F) {
	f.Add([]byte(assignLine+`{"telephoneNumbers":["9195550002"]}`+"\n"), uint8(64))
	f.Add([]byte(`{"accountId":"9900000","telephoneNumbers":[`), uint8(16))
	f.Add([]byte(`{"accountId":"9900000"}{"telephoneNumbers":["2"]}`), uint8(30))
	f.Add([]byte("\n\n   \n"+assignLine), uint8(8))
	f.Add([]byte("\xff\xfe\x00\n{}\n[]\nnull\n"), uint8(2))
	f.Add([]byte(`{"accountId":"`+strings.Repeat("9", 300)+`"}`+"\n{}"), uint8(200))
	f.Fuzz(func(t *testing.T, data []byte, limit8 uint8) {
		limit := int64(limit8) + 1
		bounded := boundedDecode(data, limit)
		dec := json.NewDecoder(bytes.NewReader(data))
		plain := decodeAll(runtime.DecoderWrapper{Decoder: dec})
		// The bytes (leading white space included) message i took: replay
		// the plain decoder up to it.
		span := func(i int) int64 {
			d := json.NewDecoder(bytes.NewReader(data))
			var m tnassignv1.AssignNumbersRequest
			for range i {
				_ = runtime.DecoderWrapper{Decoder: d}.Decode(&m)
			}
			start := d.InputOffset()
			_ = runtime.DecoderWrapper{Decoder: d}.Decode(&m)
			return d.InputOffset() - start
		}
		if bounded.maxHeld > limit+1 {
			t.Fatalf("held %d bytes at once, limit %d", bounded.maxHeld, limit)
		}
		if len(bounded.msgs) > len(plain.msgs) {
			t.Fatalf("bounded decoded %d messages, plain %d", len(bounded.msgs), len(plain.msgs))
		}
		for i, m := range bounded.msgs {
			if !proto.Equal(m, plain.msgs[i]) {
				t.Fatalf("message %d: bounded %v, plain %v", i, m, plain.msgs[i])
			}
		}
		var tooLarge *MessageTooLargeError
		if errors.As(bounded.err, &tooLarge) {
			if tooLarge.Limit != limit {
				t.Fatalf("limit %d reported as %d", limit, tooLarge.Limit)
			}
			if i := len(bounded.msgs); i < len(plain.msgs) && span(i) <= limit {
				t.Fatalf("message %d takes %d bytes, within the limit %d, and was refused", i, span(i), limit)
			}
			return // plain may decode the long message, or fail on it
		}
		if len(bounded.msgs) != len(plain.msgs) || (bounded.err == nil) != (plain.err == nil) {
			t.Fatalf("bounded: %d messages, error %v; plain: %d messages, error %v", len(bounded.msgs), bounded.err, len(plain.msgs), plain.err)
		}
	})
}
