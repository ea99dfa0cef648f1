package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// NDJSONContentType is the content type of the gateway's streamed answers:
// one JSON object per line, {"result":{...}} per event and {"error":{...}}
// for a failure.
const NDJSONContentType = "application/x-ndjson"

// newMarshaler is the gateway's one JSON marshaler, chosen on purpose:
// camelCase field names out (the JSON mapping clients in other languages
// expect), both camelCase and proto_names accepted in, unpopulated fields
// emitted (a count of 0 or an empty list appears instead of vanishing), enums
// as names, and unknown fields refused so that a misspelt field is an error
// rather than silently ignored.
func newMarshaler() *ndjsonMarshaler {
	return &ndjsonMarshaler{JSONPb: &runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{UseProtoNames: false, EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
}

// ndjsonMarshaler is runtime.JSONPb that labels streams as NDJSON and
// remembers the first request line it could not decode.
type ndjsonMarshaler struct{ *runtime.JSONPb }

// StreamContentType implements runtime.StreamContentType.
func (*ndjsonMarshaler) StreamContentType(any) string { return NDJSONContentType }

// NewDecoder wraps the JSON decoder so that a malformed request line is
// reported to the caller (see uploadTracker) instead of looking like the
// end of the upload.
func (m *ndjsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	t, _ := r.(*uploadTracker)
	return &trackingDecoder{Decoder: m.JSONPb.NewDecoder(r), tracker: t}
}

// trackingDecoder counts decoded lines and records the first failure.
type trackingDecoder struct {
	runtime.Decoder
	tracker *uploadTracker
	lines   int
}

// Decode decodes one request message.
func (d *trackingDecoder) Decode(v any) error {
	err := d.Decoder.Decode(v)
	switch {
	case err == nil:
		d.lines++
	case !errors.Is(err, io.EOF) && d.tracker != nil:
		d.tracker.fail(fmt.Errorf("request message %d: %v", d.lines+1, err))
	}
	return err
}

// uploadTracker wraps a streaming request's body. The generated gateway
// ends the upload (half-closes the gRPC stream) at the first line it cannot
// decode; the job then finishes normally with the numbers before it. The
// tracker lets the gateway say so: an {"error":…} line with
// INVALID_ARGUMENT is written after the job's own events.
type uploadTracker struct {
	io.ReadCloser
	mu  sync.Mutex
	err error
}

func (t *uploadTracker) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.err == nil {
		t.err = err
	}
}

func (t *uploadTracker) failure() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.err
}

// gateway is the JSON/HTTP door: a grpc-gateway mux that calls the gRPC
// server over a real client connection, so streaming and the interceptors
// behave the same for both doors.
type gateway struct {
	mux       *runtime.ServeMux
	marshaler *ndjsonMarshaler
	log       *slog.Logger
}

// newGateway registers the AssignmentService routes on a new mux that
// calls through conn, with the defences of gatewaySecurityOptions.
func newGateway(ctx context.Context, conn *grpc.ClientConn, log *slog.Logger, gatewayKey string) (*gateway, error) {
	g := &gateway{marshaler: newMarshaler(), log: log}
	g.mux = runtime.NewServeMux(append(gatewaySecurityOptions(gatewayKey),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, g.marshaler),
		runtime.WithErrorHandler(g.handleError),
		runtime.WithStreamErrorHandler(g.streamError),
	)...)
	if err := tnassignv1.RegisterAssignmentServiceHandler(ctx, g.mux, conn); err != nil {
		return nil, fmt.Errorf("registering the gateway routes: %w", err)
	}
	return g, nil
}

// ServeHTTP enables full duplex on the streaming routes, serves the
// request, and reports a malformed upload line after the job's events.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !isStreamingRoute(r.URL.Path) {
		g.mux.ServeHTTP(w, r)
		return
	}
	// HTTP/2 is always full duplex and answers ErrNotSupported; that is fine.
	if err := http.NewResponseController(w).EnableFullDuplex(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		g.log.Warn("could not enable full duplex", "path", r.URL.Path, "error", err)
	}
	tracker := &uploadTracker{ReadCloser: r.Body}
	r.Body = tracker
	g.mux.ServeHTTP(w, r)
	if bl, tooLarge := bodyLimitFrom(r.Context()); tooLarge {
		g.writeStreamError(w, bl.status())
	} else if err := tracker.failure(); err != nil {
		g.writeStreamError(w, status.New(codes.InvalidArgument, err.Error()+"; the rest of the upload was not read"))
	}
}

// isStreamingRoute reports the client-streaming routes. An HTTP/1.1
// handler that answers while still reading the body needs full duplex, or a
// large NDJSON upload deadlocks against its own answers.
func isStreamingRoute(path string) bool {
	switch path {
	case "/v1/numbers:assign", "/v1/numbers:unassign":
		return true
	default:
		return false
	}
}

// writeStreamError appends one {"error":…} line to a streamed answer.
func (g *gateway) writeStreamError(w http.ResponseWriter, st *status.Status) {
	buf, err := g.marshaler.Marshal(map[string]proto.Message{"error": st.Proto()})
	if err != nil {
		g.log.Error("marshalling a stream error", "error", err)
		return
	}
	if _, err := w.Write(append(buf, '\n')); err != nil {
		g.log.Debug("writing a stream error", "error", err)
	}
}

// handleError answers a call that failed before any result was written;
// the status is the gRPC one, mapped to HTTP by the gateway's standard table
// (INVALID_ARGUMENT → 400, PERMISSION_DENIED → 403, UNAVAILABLE → 503, …).
func (g *gateway) handleError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if bl, tooLarge := bodyLimitFrom(ctx); tooLarge {
		err = &runtime.HTTPStatusError{HTTPStatus: http.StatusRequestEntityTooLarge, Err: bl.status().Err()}
	}
	g.logGatewayError(ctx, r, err)
	runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, err)
}

// streamError converts the error that ended a stream into the status of
// its last {"error":…} line.
func (g *gateway) streamError(ctx context.Context, err error) *status.Status {
	if bl, tooLarge := bodyLimitFrom(ctx); tooLarge {
		return bl.status()
	}
	st := status.Convert(err)
	if st.Code() == codes.Unknown {
		// Not from the gRPC server: a gateway-side failure. Do not show
		// its internals.
		g.log.Warn("gateway stream failed", "error", err)
		return status.New(codes.Internal, "gateway error")
	}
	return st
}

// logGatewayError logs errors the gRPC server did not produce itself
// (those are logged by its interceptors), such as an unreachable server.
func (g *gateway) logGatewayError(ctx context.Context, r *http.Request, err error) {
	if st, ok := status.FromError(err); ok && st.Code() != codes.Unavailable && st.Code() != codes.Unknown {
		return
	}
	g.log.LogAttrs(ctx, slog.LevelWarn, "gateway call failed",
		slog.String("path", r.URL.Path), slog.String("error", err.Error()))
}
