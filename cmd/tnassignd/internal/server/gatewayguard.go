package server

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/textproto"
	"sync/atomic"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// requestIDHeader is the one caller header besides Authorization that the
// gateway forwards (as the metadata x-request-id), for tracing.
const requestIDHeader = "X-Request-Id"

// gatewaySecurityOptions are the gateway mux's defences: it forwards no
// header but Authorization (which grpc-gateway always passes on) and
// X-Request-Id, so no Grpc-Metadata-* header can forge metadata (grpc-gateway
// adds x-forwarded-for and x-forwarded-host itself, from headers that
// trustForwarding lets through only from a trusted proxy); it passes
// no gRPC header or trailer back to the HTTP caller; it ignores
// X-HTTP-Method-Override and never re-routes a POST to a GET route; and it
// tells the gRPC server, under the process's gateway key, the HTTP caller's
// address (for the per-caller limits without authentication; see clientIP).
func gatewaySecurityOptions(gatewayKey string) []runtime.ServeMuxOption {
	drop := func(string) (string, bool) { return "", false }
	return []runtime.ServeMuxOption{
		runtime.WithIncomingHeaderMatcher(forwardedHeader),
		runtime.WithOutgoingHeaderMatcher(drop),
		runtime.WithOutgoingTrailerMatcher(drop),
		runtime.WithDisableHTTPMethodOverride(),
		runtime.WithDisablePathLengthFallback(),
		runtime.WithMetadata(func(_ context.Context, r *http.Request) metadata.MD {
			return metadata.Pairs(guard.GatewayKeyMetadata, gatewayKey, guard.GatewayPeerMetadata, clientIP(r))
		}),
	}
}

// forwardedHeader is the gateway's incoming header matcher.
func forwardedHeader(key string) (string, bool) {
	if textproto.CanonicalMIMEHeaderKey(key) == requestIDHeader {
		return "x-request-id", true
	}
	return "", false
}

// bodyLimit is the request body cap of one HTTP request, recorded in its
// context so that the gateway's error handlers can tell "too large" apart
// from a malformed body.
type bodyLimit struct {
	limit    int64
	exceeded atomic.Bool
}

type bodyLimitKey struct{}

// bodyLimitFrom returns the request's body cap when the body went over it.
func bodyLimitFrom(ctx context.Context) (*bodyLimit, bool) {
	bl, ok := ctx.Value(bodyLimitKey{}).(*bodyLimit)
	return bl, ok && bl.exceeded.Load()
}

// tooLargeStatus is the status of a request whose body went over its cap.
func (bl *bodyLimit) status() *status.Status {
	return guard.Refusal(codes.ResourceExhausted, tnassignv1.ErrorReason_REQUEST_TOO_LARGE,
		fmt.Sprintf("the request body exceeds %d bytes (--max-body-bytes); the rest was not read", bl.limit),
		map[string]string{"limit": fmt.Sprint(bl.limit)})
}

// limitedBody reads a request body up to its cap and notes when the body went over it. Unlike
// http.MaxBytesReader it does not tell the server to close the connection: after the handler
// has answered, the server discards what is left of a moderately oversized body (up to its own
// bound, 256 KiB) before it reads the next request, so the client reads its 413 instead of a
// reset that loses it; a larger rest still closes the connection.
type limitedBody struct {
	io.ReadCloser
	bl   *bodyLimit
	left int64
	err  error
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read one byte past the cap, to tell a body of exactly the cap from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	if int64(n) <= b.left {
		b.left -= int64(n)
		b.err = err
		return n, err
	}
	n, b.left = int(b.left), 0
	b.bl.exceeded.Store(true)
	b.err = &http.MaxBytesError{Limit: b.bl.limit}
	return n, b.err
}

// limitBodies caps request bodies: streaming routes at maxStream bytes,
// every other route at maxUnary. A declared Content-Length over the cap is
// answered 413 at once; a body that goes over while being read fails the
// call with RESOURCE_EXHAUSTED, answered 413 when no result was written yet
// and as the last NDJSON line otherwise.
func limitBodies(next http.Handler, maxStream, maxUnary int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := maxUnary
		if isStreamingRoute(r.URL.Path) {
			limit = maxStream
		}
		bl := &bodyLimit{limit: limit}
		if r.ContentLength > limit {
			bl.exceeded.Store(true)
			writeStatus(w, http.StatusRequestEntityTooLarge, bl.status())
			return
		}
		r.Body = &limitedBody{ReadCloser: r.Body, bl: bl, left: limit}
		r = r.WithContext(context.WithValue(r.Context(), bodyLimitKey{}, bl))
		next.ServeHTTP(&tooLargeWriter{ResponseWriter: w, bl: bl}, r)
	})
}

// writeStatus answers a status as the gateway's JSON error body.
func writeStatus(w http.ResponseWriter, code int, st *status.Status) {
	buf, err := newMarshaler().Marshal(st.Proto())
	if err != nil {
		http.Error(w, st.Message(), code)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(buf)
}

// tooLargeWriter turns the error status the gateway answers into 413 when
// the request body went over its cap; a success status is left alone.
type tooLargeWriter struct {
	http.ResponseWriter
	bl *bodyLimit
}

func (w *tooLargeWriter) WriteHeader(code int) {
	if code >= 400 && w.bl.exceeded.Load() {
		code = http.StatusRequestEntityTooLarge
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection (flush, full
// duplex).
func (w *tooLargeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
