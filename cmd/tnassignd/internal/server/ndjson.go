package server

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
)

// MessageTooLargeError is the error of a request message (one NDJSON line,
// or a unary route's body) longer than the gateway may hold for it: the
// gRPC message limit. It is reported while the message is read, before the
// rest of it is.
type MessageTooLargeError struct {
	// Limit is the most bytes one request message may take.
	Limit int64
}

func (e *MessageTooLargeError) Error() string {
	return fmt.Sprintf("longer than %d bytes, the most one request message may take; the rest was not read", e.Limit)
}

// newBoundedDecoder returns the gateway's JSON decoder of request messages
// read from r: grpc-gateway's own (runtime.DecoderWrapper, protojson with
// opts), fed by a reader that never lets it hold more than limit bytes of
// the message it is decoding. Decoding a message that takes more fails
// with *MessageTooLargeError once limit bytes of it are read, so a request
// costs at most about twice limit in buffers however large its body.
func newBoundedDecoder(r io.Reader, limit int64, opts protojson.UnmarshalOptions) runtime.Decoder {
	br := newBoundedReader(r, limit)
	return runtime.DecoderWrapper{Decoder: br.dec, UnmarshalOptions: opts}
}

// newBoundedReader returns a boundedReader of r and the JSON decoder it
// feeds.
func newBoundedReader(r io.Reader, limit int64) *boundedReader {
	br := &boundedReader{r: r, limit: limit}
	br.dec = json.NewDecoder(br)
	return br
}

// boundedReader is the reader behind a bounded decoder. The decoder
// consumed the input up to its InputOffset (the end of the last value it
// returned); what was read beyond is buffered for the value being decoded,
// and is kept to at most limit+1 bytes.
type boundedReader struct {
	r     io.Reader
	dec   *json.Decoder
	limit int64
	read  int64 // bytes handed to dec so far
}

// Read reads no more than the current message may still take, and fails
// once the message is over the limit.
func (b *boundedReader) Read(p []byte) (int, error) {
	pending := b.read - b.dec.InputOffset()
	if pending > b.limit {
		return 0, &MessageTooLargeError{Limit: b.limit}
	}
	if room := b.limit - pending + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}
