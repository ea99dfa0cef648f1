package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds tnassignd's Prometheus collectors on a private registry
// (never the global default one). Its methods make it a bandwidth.Observer
// (upstream requests and retries) and a service.Observer (jobs, orders,
// numbers); every method is cheap and safe for concurrent use.
type Metrics struct {
	registry *prometheus.Registry

	numbers          *prometheus.CounterVec
	orders           *prometheus.CounterVec
	ordersInFlight   prometheus.Gauge
	jobsRunning      prometheus.Gauge
	jobsFinished     *prometheus.CounterVec
	upstreamRequests *prometheus.CounterVec
	upstreamLatency  *prometheus.HistogramVec
	upstreamRetries  *prometheus.CounterVec
	rpcs             *prometheus.CounterVec
	rpcLatency       *prometheus.HistogramVec
	panics           prometheus.Counter
	gatewayStreams   prometheus.Gauge
	gatewayRefused   prometheus.Counter
}

// NewMetrics creates the collectors and registers them, with the Go runtime
// and process collectors, on a new registry.
func NewMetrics() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		numbers: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_numbers_total",
			Help: "Telephone numbers by action and final outcome (succeeded, failed, rejected, not_submitted).",
		}, []string{"action", "outcome"}),
		orders: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_orders_total",
			Help: "Bandwidth orders settled, by action and final processing status (complete, partial, failed).",
		}, []string{"action", "status"}),
		ordersInFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tnassign_orders_in_flight",
			Help: "Bandwidth orders submitted and not yet settled.",
		}),
		jobsRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tnassign_jobs_running",
			Help: "Assignment jobs running now.",
		}),
		jobsFinished: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_jobs_finished_total",
			Help: "Assignment jobs finished, by action and final state (succeeded, partial, failed, aborted).",
		}, []string{"action", "state"}),
		upstreamRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_upstream_requests_total",
			Help: "HTTP requests to Bandwidth by operation and HTTP status code (0 = transport error).",
		}, []string{"op", "code"}),
		upstreamLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tnassign_upstream_request_duration_seconds",
			Help:    "Latency of HTTP requests to Bandwidth by operation.",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"op"}),
		upstreamRetries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_upstream_retries_total",
			Help: "Retried requests to Bandwidth by operation and reason (429, 5xx, transport, not_found).",
		}, []string{"op", "reason"}),
		rpcs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tnassign_grpc_requests_total",
			Help: "gRPC calls handled (also those arriving through the JSON gateway), by method and status code.",
		}, []string{"method", "code"}),
		rpcLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tnassign_grpc_request_duration_seconds",
			Help:    "Duration of gRPC calls by method; for streams, the whole stream.",
			Buckets: []float64{.005, .025, .1, .5, 1, 5, 30, 120, 600, 3600},
		}, []string{"method"}),
		panics: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tnassign_grpc_panics_total",
			Help: "Panics recovered in gRPC handlers (each answered INTERNAL).",
		}),
		gatewayStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tnassign_gateway_streams",
			Help: "Streaming calls (job uploads, watches) the JSON gateway carries now; at most --max-gateway-streams.",
		}),
		gatewayRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tnassign_gateway_streams_refused_total",
			Help: "Streaming calls the JSON gateway refused because it carried --max-gateway-streams already (HTTP 429).",
		}),
	}
	m.registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.numbers, m.orders, m.ordersInFlight, m.jobsRunning, m.jobsFinished,
		m.upstreamRequests, m.upstreamLatency, m.upstreamRetries,
		m.rpcs, m.rpcLatency, m.panics, m.gatewayStreams, m.gatewayRefused,
	)
	return m
}

// Registry returns the private registry, for tests and extra collectors.
func (m *Metrics) Registry() *prometheus.Registry { return m.registry }

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// ObserveRequest records one HTTP request to Bandwidth (bandwidth.Observer).
// httpStatus 0 means the request failed in transport.
func (m *Metrics) ObserveRequest(op string, httpStatus int, d time.Duration) {
	m.upstreamRequests.WithLabelValues(op, strconv.Itoa(httpStatus)).Inc()
	m.upstreamLatency.WithLabelValues(op).Observe(d.Seconds())
}

// ObserveRetry records one retried request to Bandwidth (bandwidth.Observer).
func (m *Metrics) ObserveRetry(op, reason string) {
	m.upstreamRetries.WithLabelValues(op, reason).Inc()
}

// JobStarted records a job that started (service.Observer).
func (m *Metrics) JobStarted(string) { m.jobsRunning.Inc() }

// JobFinished records a job that ended in state (service.Observer).
func (m *Metrics) JobFinished(action, state string) {
	m.jobsRunning.Dec()
	m.jobsFinished.WithLabelValues(action, state).Inc()
}

// NumbersSettled records n numbers that reached outcome (service.Observer).
func (m *Metrics) NumbersSettled(action, outcome string, n int) {
	m.numbers.WithLabelValues(action, outcome).Add(float64(n))
}

// OrderSettled records an order that reached its final status
// (service.Observer).
func (m *Metrics) OrderSettled(action, status string) {
	m.orders.WithLabelValues(action, status).Inc()
}

// OrdersInFlight moves the in-flight orders gauge by delta
// (service.Observer).
func (m *Metrics) OrdersInFlight(delta int) { m.ordersInFlight.Add(float64(delta)) }

// observeRPC records one finished gRPC call.
func (m *Metrics) observeRPC(method, code string, d time.Duration) {
	m.rpcs.WithLabelValues(method, code).Inc()
	m.rpcLatency.WithLabelValues(method).Observe(d.Seconds())
}

// observePanic records one recovered panic.
func (m *Metrics) observePanic() { m.panics.Inc() }

// observeGatewayStreams moves the gateway's streams gauge by delta.
func (m *Metrics) observeGatewayStreams(delta int) { m.gatewayStreams.Add(float64(delta)) }

// observeGatewayRefused records a streaming call the full gateway refused.
func (m *Metrics) observeGatewayRefused() { m.gatewayRefused.Inc() }
