package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
	"github.com/tnassign/tnassign/internal/errorinfo"
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
	}, maxMessage: MaxRecvMsgSize}
}

// ndjsonMarshaler is runtime.JSONPb that labels streams as NDJSON, reads
// request messages of at most maxMessage bytes each, and reports the first
// request line it could not decode.
type ndjsonMarshaler struct {
	*runtime.JSONPb
	maxMessage int64
}

// StreamContentType implements runtime.StreamContentType.
func (*ndjsonMarshaler) StreamContentType(any) string { return NDJSONContentType }

// NewDecoder returns a JSON decoder that refuses a request message over
// maxMessage bytes while reading it (see newBoundedDecoder), wrapped so
// that an upload cut short — a malformed or too long request line, or a
// body over its size limit — is told to the service (see cutDecoder)
// instead of looking like the end of the upload.
func (m *ndjsonMarshaler) NewDecoder(r io.Reader) runtime.Decoder {
	return &cutDecoder{Decoder: newBoundedDecoder(r, m.maxMessage, m.UnmarshalOptions)}
}

// cutDecoder counts decoded lines. At the first line it cannot decode, it
// decodes instead a last request message carrying only input_error, which
// says what went wrong: the service then ends the job ABORTED with the
// reason INPUT_CUT_SHORT, recorded in the ledger, and the call with
// INVALID_ARGUMENT after `finished`. The generated gateway would otherwise
// half-close the gRPC stream, and the job would end as if its input were
// complete. Every later Decode reports io.EOF.
type cutDecoder struct {
	runtime.Decoder
	lines int
	cut   bool
}

// Decode decodes one request message.
func (d *cutDecoder) Decode(v any) error {
	if d.cut {
		return io.EOF
	}
	err := d.Decoder.Decode(v)
	switch {
	case err == nil:
		d.lines++
		return nil
	case errors.Is(err, io.EOF):
		return err
	}
	d.cut = true
	why := fmt.Sprintf("request message %d could not be decoded: %v", d.lines+1, err)
	var tooLarge *http.MaxBytesError
	var tooLong *MessageTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		why = fmt.Sprintf("the request body exceeds %d bytes (--max-body-bytes) at request message %d", tooLarge.Limit, d.lines+1)
	case errors.As(err, &tooLong):
		why = fmt.Sprintf("request message %d is %v", d.lines+1, tooLong)
	}
	if setInputError(v, why) {
		return nil
	}
	return err
}

// setInputError replaces v, a streaming request message, by one carrying
// only input_error; it reports false for any other message.
func setInputError(v any, why string) bool {
	switch m := v.(type) {
	case *tnassignv1.AssignNumbersRequest:
		*m = tnassignv1.AssignNumbersRequest{InputError: why}
	case *tnassignv1.UnassignNumbersRequest:
		*m = tnassignv1.UnassignNumbersRequest{InputError: why}
	default:
		return false
	}
	return true
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
func newGateway(ctx context.Context, conn grpc.ClientConnInterface, log *slog.Logger, gatewayKey string) (*gateway, error) {
	g := &gateway{marshaler: newMarshaler(), log: log}
	g.mux = runtime.NewServeMux(append(gatewaySecurityOptions(gatewayKey),
		runtime.WithMarshalerOption(runtime.MIMEWildcard, g.marshaler),
		runtime.WithErrorHandler(g.handleError),
		runtime.WithStreamErrorHandler(g.streamError),
	)...)
	if err := tnassignv1.RegisterAssignmentServiceHandlerClient(ctx, g.mux, tnassignv1.NewAssignmentServiceClient(conn)); err != nil {
		return nil, fmt.Errorf("registering the gateway routes: %w", err)
	}
	return g, nil
}

// ServeHTTP enables full duplex on the streaming routes and serves the
// request.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || !isStreamingRoute(r.URL.Path) {
		g.mux.ServeHTTP(w, r)
		return
	}
	// HTTP/2 is always full duplex and answers ErrNotSupported; that is fine.
	if err := http.NewResponseController(w).EnableFullDuplex(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		g.log.Warn("could not enable full duplex", "path", r.URL.Path, "error", err)
	}
	g.mux.ServeHTTP(w, r)
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

// handleError answers a call that failed before any result was written;
// the status is the gRPC one, mapped to HTTP by the gateway's standard table
// (INVALID_ARGUMENT → 400, PERMISSION_DENIED → 403, UNAVAILABLE → 503, …).
func (g *gateway) handleError(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
	if bl, tooLarge := bodyLimitFrom(ctx); tooLarge {
		err = &runtime.HTTPStatusError{HTTPStatus: http.StatusRequestEntityTooLarge, Err: bl.status().Err()}
	}
	if _, meta, _ := errorinfo.Of(err); meta["kind"] == gatewayStreamsKind {
		w.Header().Set("Retry-After", "1")
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
		return errorinfo.New(codes.Internal, tnassignv1.ErrorReason_INTERNAL, "gateway error", nil)
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
