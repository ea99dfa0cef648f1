package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tnassign/tnassign/gen/openapiv2"
)

// newHTTPHandler routes the HTTP listener: the operational endpoints, and
// everything else to the JSON gateway.
func newHTTPHandler(gw http.Handler, ready http.Handler, metrics http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", ready)
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /openapi.json", serveOpenAPI)
	mux.Handle("/", gw)
	return mux
}

// serveOpenAPI answers the embedded OpenAPI v2 document of the API.
func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openapiv2.Spec)
}

// newHTTPServer sets the HTTP server's limits. There is no read or write
// timeout: an NDJSON job streams for as long as its orders take to settle.
// Header reads and idle connections are bounded instead.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}
