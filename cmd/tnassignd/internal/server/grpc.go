package server

import (
	"fmt"
	"net"
	"time"

	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	tnassignv1 "github.com/tnassign/tnassign/gen/tnassign/v1"
)

// gRPC limits, chosen on purpose.
const (
	// MaxRecvMsgSize bounds one request message. Callers stream numbers in
	// messages of hundreds; 4 MiB is some 250,000 numbers in one message.
	MaxRecvMsgSize = 4 << 20
	// maxSendMsgSize bounds one answer; an order of 5,000 numbers is far
	// below it.
	maxSendMsgSize = 16 << 20
	// MaxConcurrentStreams bounds the calls on one connection; more wait
	// their turn. The gateway spreads its streams over several connections
	// and keeps one for unary calls (see gatewayConns).
	MaxConcurrentStreams = 256
)

// newGRPCServer builds the gRPC server with the AssignmentService, health
// and reflection registered; extra holds the transport credentials and the
// keepalive parameters (see security.serverOptions).
func newGRPCServer(svc tnassignv1.AssignmentServiceServer, ic interceptors, hs healthpb.HealthServer, extra ...grpc.ServerOption) *grpc.Server {
	gs := grpc.NewServer(append([]grpc.ServerOption{
		ic.unary(),
		ic.stream(),
		grpc.MaxRecvMsgSize(MaxRecvMsgSize),
		grpc.MaxSendMsgSize(maxSendMsgSize),
		grpc.MaxConcurrentStreams(MaxConcurrentStreams),
		// A job's stream can be quiet for minutes while its orders settle:
		// the server pings idle connections to find callers that are gone
		// (every 30s, in security.serverOptions), and refuses clients that
		// ping more often than every 10s.
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}),
	}, extra...)...)
	tnassignv1.RegisterAssignmentServiceServer(gs, svc)
	healthpb.RegisterHealthServer(gs, hs)
	reflection.Register(gs)
	return gs
}

// dialGateway opens the gateway's client connection to the gRPC listener.
// An unspecified listen address (0.0.0.0, ::) is dialled on loopback.
func dialGateway(addr net.Addr, creds grpc.DialOption) (*grpc.ClientConn, error) {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, fmt.Errorf("gRPC listener address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
		if ip != nil && ip.To4() == nil {
			host = "::1"
		}
	}
	conn, err := grpc.NewClient("passthrough:///"+net.JoinHostPort(host, port),
		creds,
		grpc.WithDefaultCallOptions(
			grpc.MaxCallSendMsgSize(MaxRecvMsgSize),
			grpc.MaxCallRecvMsgSize(maxSendMsgSize),
		),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 30 * time.Second, Timeout: 10 * time.Second}),
	)
	if err != nil {
		return nil, fmt.Errorf("gateway client for %s: %w", addr, err)
	}
	return conn, nil
}
