package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// certFiles are the PEM files of a throwaway CA and the certificates it
// issued. tnassignd's own testcert package is internal to cmd/tnassignd, so
// the CLI's tests make theirs here; no key is ever committed.
type certFiles struct {
	CA                        string // the CA's certificate
	ServerCert, ServerKey     string // 127.0.0.1, ::1 and localhost; serverAuth and clientAuth
	ClientCert, ClientKey     string // clientAuth, issued by CA
	OtherCA                   string // a CA that issued nothing tnassignd shows
	StrangerCert, StrangerKey string // clientAuth, issued by OtherCA
}

// newCerts writes a CA, a server and a client certificate, and a second CA
// with a client certificate of its own, into a temporary directory. The
// server certificate may also authenticate as a client: under mutual TLS
// tnassignd's gateway presents it to its own gRPC listener.
func newCerts(t *testing.T) certFiles {
	t.Helper()
	dir := t.TempDir()
	ca, caKey := issue(t, dir, "ca", &x509.Certificate{
		Subject: pkix.Name{CommonName: "tnassign CLI test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, nil)
	issue(t, dir, "server", &x509.Certificate{
		Subject: pkix.Name{CommonName: "tnassignd"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}, ca, caKey)
	issue(t, dir, "client", &x509.Certificate{
		Subject: pkix.Name{CommonName: "billing"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, ca, caKey)
	other, otherKey := issue(t, dir, "other-ca", &x509.Certificate{
		Subject: pkix.Name{CommonName: "another CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil, nil)
	issue(t, dir, "stranger", &x509.Certificate{
		Subject: pkix.Name{CommonName: "stranger"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, other, otherKey)
	f := func(name string) string { return filepath.Join(dir, name) }
	return certFiles{
		CA: f("ca.crt"), ServerCert: f("server.crt"), ServerKey: f("server.key"),
		ClientCert: f("client.crt"), ClientKey: f("client.key"),
		OtherCA: f("other-ca.crt"), StrangerCert: f("stranger.crt"), StrangerKey: f("stranger.key"),
	}
}

// issue signs tmpl with parent's key (self-signed when parent is nil),
// writes name.crt and name.key into dir, and returns the certificate and
// its key.
func issue(t *testing.T, dir, name string, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(24 * time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, name+".crt"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, name+".key"), "EC PRIVATE KEY", keyDER)
	return cert, key
}

func writePEM(t *testing.T, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
