package bandwidth

import (
	"fmt"
	"io"
	"net/http"
	"sync"
)

// A response that echoes a 5,000-number order is about 230 KB of XML, read on every create and poll
// and dropped as soon as it is decoded (decoding copies what it keeps). A Client recycles these
// buffers through its bufferPool rather than leaving one per response to the garbage collector.
//
// Request bodies are not recycled: net/http may read a request's body after Client.Do returned
// (RoundTripper's contract), and a body that tells us when it is closed is not one of the in-memory
// types net/http writes together with the headers, so every create would cost an extra packet.

// maxPooledBuffer is the largest buffer kept for reuse: a rare large response (a list of 1,000
// orders, an oversized error page) is left to the garbage collector rather than pinned.
const maxPooledBuffer = 1 << 20

// bufferPool recycles byte slices. The zero value is ready to use.
type bufferPool struct{ p sync.Pool }

// get returns an empty buffer, possibly with capacity from an earlier use.
func (p *bufferPool) get() *[]byte {
	if b, ok := p.p.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	return new([]byte)
}

// put returns b for reuse; nothing may use *b afterwards.
func (p *bufferPool) put(b *[]byte) {
	if b == nil || cap(*b) > maxPooledBuffer {
		return
	}
	p.p.Put(b)
}

// readBody reads a response body of at most limit bytes into a buffer of p, which the caller puts
// back once done with the bytes (also on error). A longer body is an error matching
// ErrResponseTooLarge; it is never cut and parsed.
func (p *bufferPool) readBody(resp *http.Response, limit int64) (*[]byte, error) {
	bp := p.get()
	b := *bp
	if n := resp.ContentLength; n > 0 && n <= limit && int64(cap(b)) <= n {
		// One byte more than announced, so that reading up to EOF needs no second allocation.
		b = make([]byte, 0, n+1)
	}
	r := io.LimitReader(resp.Body, limit+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			return bp, fmt.Errorf("reading the response body: %w", err)
		}
	}
	*bp = b
	if int64(len(b)) > limit {
		return bp, fmt.Errorf("%w: %w: more than %d bytes", ErrBadResponse, ErrResponseTooLarge, limit)
	}
	return bp, nil
}
