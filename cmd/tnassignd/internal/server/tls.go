package server

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"google.golang.org/grpc/credentials"
)

// TLSFiles names the PEM files of tnassignd's TLS setup.
type TLSFiles struct {
	// Cert and Key are the server's certificate chain and private key;
	// both or neither.
	Cert, Key string
	// ClientCA, when set, turns on mutual TLS on both listeners: clients
	// must present a certificate issued by one of these CAs.
	ClientCA string
	// GatewayCert and GatewayKey are the client certificate the JSON
	// gateway presents to the gRPC listener under mutual TLS. When unset,
	// the gateway presents the server certificate, which must then carry
	// the clientAuth usage (or none) and be issued by a ClientCA.
	GatewayCert, GatewayKey string
}

// TLS is tnassignd's transport security: the server configuration of both
// listeners and the gateway's client side. Reload re-reads the files; new
// connections use the new certificates, open ones keep theirs.
type TLS struct {
	files   TLSFiles
	current atomic.Pointer[tlsMaterial]
}

// tlsMaterial is one loaded set of files.
type tlsMaterial struct {
	server    tls.Certificate
	clientCAs *x509.CertPool // nil without mutual TLS
	gateway   *tls.Certificate
}

// LoadTLS reads and checks the files. It fails when a file cannot be read
// or parsed, the key does not match, or, under mutual TLS, the gateway's
// certificate would not be accepted by the client CAs.
func LoadTLS(files TLSFiles) (*TLS, error) {
	if files.Cert == "" || files.Key == "" {
		return nil, errors.New("TLS needs both a certificate and a key")
	}
	t := &TLS{files: files}
	if err := t.Reload(); err != nil {
		return nil, err
	}
	return t, nil
}

// Reload re-reads the files; on error the material in force stays.
func (t *TLS) Reload() error {
	m := &tlsMaterial{}
	var err error
	if m.server, err = loadKeyPair(t.files.Cert, t.files.Key); err != nil {
		return err
	}
	if t.files.ClientCA == "" {
		t.current.Store(m)
		return nil
	}
	pem, err := os.ReadFile(t.files.ClientCA)
	if err != nil {
		return fmt.Errorf("client CA: %w", err)
	}
	m.clientCAs = x509.NewCertPool()
	if !m.clientCAs.AppendCertsFromPEM(pem) {
		return fmt.Errorf("client CA %s: no PEM certificate in it", t.files.ClientCA)
	}
	gw := m.server
	if t.files.GatewayCert != "" || t.files.GatewayKey != "" {
		if gw, err = loadKeyPair(t.files.GatewayCert, t.files.GatewayKey); err != nil {
			return fmt.Errorf("gateway client certificate: %w", err)
		}
	}
	if _, err := gw.Leaf.Verify(x509.VerifyOptions{
		Roots:         m.clientCAs,
		Intermediates: intermediates(gw),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}); err != nil {
		return fmt.Errorf("the gateway's client certificate (%s) is not accepted by the client CA: %v; "+
			"give --tls-gateway-cert and --tls-gateway-key, or a --tls-cert with the clientAuth usage issued by that CA", gatewayCertName(t.files), err)
	}
	m.gateway = &gw
	t.current.Store(m)
	return nil
}

// MutualTLS reports whether clients must present certificates.
func (t *TLS) MutualTLS() bool { return t.files.ClientCA != "" }

// serverConfig is the TLS configuration of a listener: TLS 1.3 only, the
// current certificate, and under mutual TLS a verified client certificate
// required. nextProtos is the ALPN list ("h2" for gRPC).
func (t *TLS) serverConfig(nextProtos ...string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS13,
		NextProtos: nextProtos,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			m := t.current.Load()
			c := &tls.Config{
				MinVersion:   tls.VersionTLS13,
				NextProtos:   nextProtos,
				Certificates: []tls.Certificate{m.server},
			}
			if m.clientCAs != nil {
				c.ClientAuth, c.ClientCAs = tls.RequireAndVerifyClientCert, m.clientCAs
			}
			return c, nil
		},
	}
}

// grpcCredentials are the gRPC listener's transport credentials.
func (t *TLS) grpcCredentials() credentials.TransportCredentials {
	return credentials.NewTLS(t.serverConfig("h2"))
}

// listenHTTP wraps the HTTP listener in TLS (HTTP/2 and HTTP/1.1).
func (t *TLS) listenHTTP(lis net.Listener) net.Listener {
	return tls.NewListener(lis, t.serverConfig("h2", "http/1.1"))
}

// gatewayCredentials are the gateway's client credentials towards the gRPC
// listener of the same process. The gateway dials its own listener by
// address, so instead of a chain and host name it checks that the server
// presents exactly the certificate this process serves (certificate pinning;
// hence InsecureSkipVerify with VerifyConnection doing the verifying).
func (t *TLS) gatewayCredentials() credentials.TransportCredentials {
	return credentials.NewTLS(&tls.Config{
		MinVersion:         tls.VersionTLS13,
		InsecureSkipVerify: true, //nolint:gosec // verified by VerifyConnection: pinned to our own certificate
		VerifyConnection: func(cs tls.ConnectionState) error {
			want := t.current.Load().server.Certificate[0]
			if len(cs.PeerCertificates) == 0 || !bytes.Equal(cs.PeerCertificates[0].Raw, want) {
				return errors.New("the gRPC listener did not present this process's certificate")
			}
			return nil
		},
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if gw := t.current.Load().gateway; gw != nil {
				return gw, nil
			}
			return &tls.Certificate{}, nil
		},
	})
}

// loadKeyPair reads a certificate chain and its key.
func loadKeyPair(certFile, keyFile string) (tls.Certificate, error) {
	if certFile == "" || keyFile == "" {
		return tls.Certificate{}, errors.New("both a certificate and a key file are needed")
	}
	c, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		// The error names the files and the problem; it never holds key
		// material.
		return tls.Certificate{}, fmt.Errorf("TLS key pair %s, %s: %w", certFile, keyFile, err)
	}
	return c, nil
}

// intermediates pools the certificates of a chain after its leaf.
func intermediates(c tls.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, der := range c.Certificate[1:] {
		if ic, err := x509.ParseCertificate(der); err == nil {
			p.AddCert(ic)
		}
	}
	return p
}

func gatewayCertName(f TLSFiles) string {
	if f.GatewayCert != "" {
		return f.GatewayCert
	}
	return f.Cert + ", the server certificate"
}
