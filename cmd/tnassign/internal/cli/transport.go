package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/credentials/local"
)

// EnvToken names the environment variable holding the bearer token sent to
// tnassignd when --token-file is not given. A token is never a flag's value:
// command lines are visible to every user of the machine.
const EnvToken = "TNASSIGN_TOKEN"

// transportOptions are the connection-security flags every command shares.
//
// Without flags, tnassign connects without TLS to a loopback --server
// (localhost, 127.0.0.0/8, ::1, a unix socket: the "make run" daemon), using
// gRPC's local credentials, which refuse a connection that does not
// actually stay on the machine; to any other server it connects with TLS,
// verified against the system's roots. --tls-ca, --tls-cert and --tls-key
// imply TLS; --plaintext (explicit) connects without TLS anywhere, and
// --plaintext=false forces TLS on loopback too. A bearer token is sent
// only over TLS, or without TLS to a loopback server.
type transportOptions struct {
	caFile, certFile, keyFile string
	tokenFile                 string
	plaintext                 *bool // nil: decided by the server's address
}

func (t *transportOptions) register(fs *flag.FlagSet) {
	fs.StringVar(&t.caFile, "tls-ca", "", "PEM `file` of the CA that issued tnassignd's certificate; implies TLS (default with TLS: the system's trusted roots)")
	fs.StringVar(&t.certFile, "tls-cert", "", "PEM client certificate `file` for a tnassignd that requires mutual TLS; needs --tls-key")
	fs.StringVar(&t.keyFile, "tls-key", "", "PEM private key `file` of --tls-cert")
	fs.BoolFunc("plaintext", "connect without TLS; by default tnassign connects without TLS only to a loopback --server (localhost, 127.0.0.1, ::1) and with TLS to any other; --plaintext=false forces TLS", func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return err
		}
		t.plaintext = &b
		return nil
	})
	fs.StringVar(&t.tokenFile, "token-file", "", "`file` holding the bearer token tnassignd requires (default: the "+EnvToken+" environment variable); sent only over TLS or to a loopback server")
}

// maxRecvBytes bounds one response message. A finished event lists every
// number not submitted, about 13 bytes each, so a stopped job of a million
// numbers needs about 13 MiB.
const maxRecvBytes = 64 << 20

// connection is how a command reaches tnassignd, as decided from its flags.
type connection struct {
	server        string
	plaintextFlag bool // --plaintext was given
	tls           bool // the connection uses TLS
	cert          bool // a client certificate is presented
	token         bool // a bearer token is sent
}

// dial returns a client connection to server secured as t says. It does not
// wait for the connection: the first call reports a server that cannot be
// reached (see connectionHint).
func dial(server string, t transportOptions, env Env) (*grpc.ClientConn, connection, error) {
	c := connection{server: server}
	creds, err := t.credentials(&c)
	if err != nil {
		return nil, c, err
	}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxRecvBytes)),
		grpc.WithUserAgent("tnassign-cli"),
	}
	token, err := t.token(env)
	if err != nil {
		return nil, c, err
	}
	if token != "" {
		if !c.tls && !loopback(server) {
			return nil, c, fmt.Errorf("refusing to send the bearer token to %s without TLS: it would cross the network in clear text;"+
				" drop --plaintext (and give --tls-ca FILE if tnassignd's certificate is not from a public CA)", server)
		}
		c.token = true
		opts = append(opts, grpc.WithPerRPCCredentials(bearer{token: token, secure: c.tls}))
	}
	conn, err := grpc.NewClient(server, append(opts, env.DialOptions...)...)
	if err != nil {
		return nil, c, fmt.Errorf("--server %q is not an address: use host:port, for example --server 127.0.0.1:9090", server)
	}
	return conn, c, nil
}

// credentials returns the transport credentials the flags and the server's
// address call for, and notes in c what they are.
func (t transportOptions) credentials(c *connection) (credentials.TransportCredentials, error) {
	tlsFlags := t.caFile != "" || t.certFile != "" || t.keyFile != ""
	switch {
	case t.plaintext != nil && *t.plaintext && tlsFlags:
		return nil, errors.New("--plaintext cannot be combined with --tls-ca, --tls-cert or --tls-key; choose one")
	case (t.certFile == "") != (t.keyFile == ""):
		return nil, errors.New("--tls-cert and --tls-key go together: give both files, or neither")
	case t.plaintext != nil && *t.plaintext:
		c.plaintextFlag = true
		return insecure.NewCredentials(), nil
	case t.plaintext == nil && !tlsFlags && loopback(c.server):
		// Plaintext by default, but only while the connection really stays
		// on this machine: local credentials check the peer's address.
		return local.NewCredentials(), nil
	}
	c.tls = true
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if t.caFile != "" {
		pem, err := os.ReadFile(t.caFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-ca: %w", err)
		}
		cfg.RootCAs = x509.NewCertPool()
		if !cfg.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-ca %s holds no PEM certificate; give the CA certificate file tnassignd's operator handed out", t.caFile)
		}
	}
	if t.certFile != "" {
		cert, err := tls.LoadX509KeyPair(t.certFile, t.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert %s and --tls-key %s do not make a certificate and its key: %w", t.certFile, t.keyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
		c.cert = true
	}
	return credentials.NewTLS(cfg), nil
}

// token returns the bearer token from --token-file or the environment, ""
// for none. Errors name where the token came from, never the token.
func (t transportOptions) token(env Env) (string, error) {
	source, token := "", ""
	switch {
	case t.tokenFile != "":
		b, err := os.ReadFile(t.tokenFile)
		if err != nil {
			return "", fmt.Errorf("--token-file: %w", err)
		}
		source, token = "--token-file "+t.tokenFile, string(b)
	case env.LookupEnv != nil:
		v, ok := env.LookupEnv(EnvToken)
		if !ok {
			return "", nil
		}
		source, token = EnvToken, v
	default:
		return "", nil
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", fmt.Errorf("%s is empty; put the token tnassignd's operator gave you in it, or unset it", source)
	}
	for _, r := range token {
		if r < '!' || r > '~' {
			return "", fmt.Errorf("%s holds more than one token, or characters a token cannot have (spaces, control characters or non-ASCII); it must hold the token alone", source)
		}
	}
	return token, nil
}

// bearer sends a token as "authorization: Bearer TOKEN" metadata with every
// call. Its only string form is its type: the token is never printed.
type bearer struct {
	token  string
	secure bool // require a connection with privacy and integrity (TLS)
}

// GetRequestMetadata implements credentials.PerRPCCredentials.
func (b bearer) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	if b.secure {
		ri, _ := credentials.RequestInfoFromContext(ctx)
		if err := credentials.CheckSecurityLevel(ri.AuthInfo, credentials.PrivacyAndIntegrity); err != nil {
			return nil, errors.New("the connection is not secure enough to send the bearer token")
		}
	}
	return map[string]string{"authorization": "Bearer " + b.token}, nil
}

// RequireTransportSecurity implements credentials.PerRPCCredentials.
func (b bearer) RequireTransportSecurity() bool { return b.secure }

// String keeps the token out of any %v.
func (b bearer) String() string { return "bearer token" }

var _ credentials.PerRPCCredentials = bearer{}

// loopback reports whether a gRPC target names this machine: a unix socket,
// localhost, or a loopback IP address.
func loopback(target string) bool {
	if strings.HasPrefix(target, "unix:") || strings.HasPrefix(target, "unix-abstract:") {
		return true
	}
	if rest, ok := strings.CutPrefix(target, "dns:"); ok {
		target = rest
		if strings.HasPrefix(target, "//") { // dns://authority/host:port
			if i := strings.Index(target[2:], "/"); i >= 0 {
				target = target[2+i+1:]
			}
		}
	}
	host := target
	if h, _, err := net.SplitHostPort(target); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	return err == nil && ip.IsLoopback()
}
