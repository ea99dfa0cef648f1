package cli

import (
	"flag"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// transportOptions are the connection-security flags. tnassignd serves
// plaintext gRPC on loopback today; when it gains TLS, flags such as
// --tls, --ca-file and --server-name are registered here and credentials
// builds the TLS credentials from them. Nothing else changes.
type transportOptions struct{}

func (t *transportOptions) register(*flag.FlagSet) {}

// credentials returns the transport credentials for the connection.
func (t *transportOptions) credentials() (credentials.TransportCredentials, error) {
	return insecure.NewCredentials(), nil
}

// maxRecvBytes bounds one response message. A finished event lists every
// number not submitted, about 13 bytes each, so a stopped job of a million
// numbers needs about 13 MiB.
const maxRecvBytes = 64 << 20

// dial returns a client connection to server. It does not wait for the
// connection: the first call reports a server that cannot be reached.
func dial(server string, t transportOptions, extra []grpc.DialOption) (*grpc.ClientConn, error) {
	creds, err := t.credentials()
	if err != nil {
		return nil, err
	}
	opts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvBytes)),
		grpc.WithUserAgent("tnassign-cli"),
	}, extra...)
	conn, err := grpc.NewClient(server, opts...)
	if err != nil {
		return nil, fmt.Errorf("--server %q: %w", server, err)
	}
	return conn, nil
}
