package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	"github.com/tnassign/tnassign/cmd/tnassignd/internal/guard"
	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// DefaultMaxGatewayStreams is how many streaming calls (job uploads and
// watches) the JSON gateway carries at once by default.
const DefaultMaxGatewayStreams = 1024

// GatewayStreamsHealthService is the grpc.health.v1 service name that says
// whether the JSON gateway takes more streaming calls: SERVING while it
// has room, NOT_SERVING while it carries --max-gateway-streams of them.
// The server as a whole ("") stays SERVING meanwhile: unary calls still
// work, and one caller filling the gateway must not take every replica out
// of a load balancer.
const GatewayStreamsHealthService = "tnassign.gateway.Streams"

// streamsPerConn is the most streams one of the gateway's stream
// connections carries: below MaxConcurrentStreams, so that a stream just
// ended (whose reset the server may not have seen yet) never makes a new
// one wait for the server's quota.
const streamsPerConn = MaxConcurrentStreams - 16

// gatewayConns is the gateway's client connection to the gRPC server: unary
// calls go over a connection of their own, which streams never occupy;
// streams are spread over as many connections as max of them need, and
// beyond max at once a new one is refused at once (RESOURCE_EXHAUSTED, HTTP
// 429) instead of queueing behind the server's per-connection limit.
type gatewayConns struct {
	unary   *grpc.ClientConn
	streams []*grpc.ClientConn
	max     int
	health  *health.Server
	metrics *Metrics
	log     *slog.Logger

	mu    sync.Mutex
	inUse []int // per stream connection
	total int
}

// Compile-time check: the generated client runs over it.
var _ grpc.ClientConnInterface = (*gatewayConns)(nil)

// dialGatewayConns opens the gateway's connections to the gRPC listener at
// addr: one for unary calls, and enough for limit streams (0:
// DefaultMaxGatewayStreams). hs receives GatewayStreamsHealthService,
// metrics the streams in use and the refusals.
func dialGatewayConns(addr net.Addr, creds grpc.DialOption, limit int, hs *health.Server, metrics *Metrics, log *slog.Logger) (*gatewayConns, error) {
	if limit <= 0 {
		limit = DefaultMaxGatewayStreams
	}
	c := &gatewayConns{max: limit, health: hs, metrics: metrics, log: log}
	conn, err := dialGateway(addr, creds)
	if err != nil {
		return nil, err
	}
	c.unary = conn
	for range (limit + streamsPerConn - 1) / streamsPerConn {
		conn, err := dialGateway(addr, creds)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.streams = append(c.streams, conn)
	}
	c.inUse = make([]int, len(c.streams))
	hs.SetServingStatus(GatewayStreamsHealthService, healthpb.HealthCheckResponse_SERVING)
	return c, nil
}

// Close closes every connection.
func (c *gatewayConns) Close() error {
	errs := []error{c.unary.Close()}
	for _, conn := range c.streams {
		errs = append(errs, conn.Close())
	}
	return errors.Join(errs...)
}

// Invoke performs a unary call on the unary connection.
func (c *gatewayConns) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	return c.unary.Invoke(ctx, method, args, reply, opts...)
}

// NewStream starts a stream on the least busy stream connection, or
// refuses it when the gateway already carries max streams. The stream's
// place is given back when it ends: when a receive fails (the end of the
// stream) or ctx ends, whichever comes first; the gateway always cancels
// ctx when its HTTP request is done.
func (c *gatewayConns) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	i, ok := c.acquire()
	if !ok {
		return nil, gatewayFull(c.max).Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { c.release(i) }) }
	stop := context.AfterFunc(ctx, release)
	cs, err := c.streams[i].NewStream(ctx, desc, method, opts...)
	if err != nil {
		stop()
		release()
		return nil, err
	}
	return &releasingStream{ClientStream: cs, release: release}, nil
}

// usage returns the streams carried now and the most allowed.
func (c *gatewayConns) usage() (inUse, limit int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total, c.max
}

// acquire takes a place on the least busy stream connection.
func (c *gatewayConns) acquire() (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total >= c.max {
		c.metrics.observeGatewayRefused()
		return 0, false
	}
	best := 0
	for i, n := range c.inUse {
		if n < c.inUse[best] {
			best = i
		}
	}
	c.inUse[best]++
	c.total++
	c.metrics.observeGatewayStreams(1)
	if c.total == c.max {
		c.health.SetServingStatus(GatewayStreamsHealthService, healthpb.HealthCheckResponse_NOT_SERVING)
		c.log.Warn("the JSON gateway carries its most streams (--max-gateway-streams); new streaming calls through it are refused until one ends", "max_gateway_streams", c.max)
	}
	return best, true
}

// release gives back a place taken by acquire.
func (c *gatewayConns) release(i int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.total == c.max {
		c.health.SetServingStatus(GatewayStreamsHealthService, healthpb.HealthCheckResponse_SERVING)
		c.log.Info("the JSON gateway takes streaming calls again")
	}
	c.inUse[i]--
	c.total--
	c.metrics.observeGatewayStreams(-1)
}

// gatewayFull is the refusal of a streaming call when the gateway carries
// max streams. The API has no reason of its own for it (the proto is not
// this package's to change): it reuses TOO_MANY_JOBS, with the metadata
// "kind": "gateway_streams".
func gatewayFull(limit int) *status.Status {
	return guard.Refusal(codes.ResourceExhausted, tnassignv1.ErrorReason_TOO_MANY_JOBS,
		fmt.Sprintf("the JSON gateway already carries %d streaming calls (--max-gateway-streams); retry shortly, or call the gRPC port", limit),
		map[string]string{"limit": fmt.Sprint(limit), "kind": gatewayStreamsKind})
}

// gatewayStreamsKind is the "kind" metadata of gatewayFull's ErrorInfo.
const gatewayStreamsKind = "gateway_streams"

// releasingStream gives its place back when a receive fails: the stream
// is over.
type releasingStream struct {
	grpc.ClientStream
	release func()
}

func (s *releasingStream) RecvMsg(m any) error {
	err := s.ClientStream.RecvMsg(m)
	if err != nil {
		s.release()
	}
	return err
}
