// Package testcert makes throwaway certificates for tnassignd's tests: a CA,
// a server certificate for 127.0.0.1 and localhost, and client
// certificates, written as PEM files into a test's temporary directory. No
// private key is ever committed; each test run generates its own.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
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

// Pair is a certificate and its key, in memory and as files.
type Pair struct {
	Cert              *x509.Certificate
	Key               *ecdsa.PrivateKey
	CertFile, KeyFile string
}

// TLSCertificate returns the pair for a tls.Config.
func (p Pair) TLSCertificate(t testing.TB) tls.Certificate {
	t.Helper()
	c, err := tls.LoadX509KeyPair(p.CertFile, p.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Set is a CA with the certificates it issued.
type Set struct {
	// CA is the issuing CA; CAFile is its certificate's PEM file.
	CA Pair
	// Server is for 127.0.0.1, ::1 and localhost, with the serverAuth
	// usage, and also clientAuth when made with serverClientAuth.
	Server Pair
	// Client has the clientAuth usage only.
	Client Pair
	// Pool trusts the CA.
	Pool *x509.CertPool
}

// New makes a CA, a server and a client certificate in t.TempDir(). With
// serverClientAuth the server certificate may also authenticate as a
// client (the gateway then reuses it under mutual TLS).
func New(t testing.TB, serverClientAuth bool) *Set {
	t.Helper()
	dir := t.TempDir()
	s := &Set{}
	s.CA = issue(t, dir, "ca", &x509.Certificate{
		Subject: pkix.Name{CommonName: "tnassign test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil)
	serverEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	if serverClientAuth {
		serverEKU = append(serverEKU, x509.ExtKeyUsageClientAuth)
	}
	s.Server = issue(t, dir, "server", &x509.Certificate{
		Subject:     pkix.Name{CommonName: "tnassignd"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:    x509.KeyUsageDigitalSignature, ExtKeyUsage: serverEKU,
	}, &s.CA)
	s.Client = issue(t, dir, "client", &x509.Certificate{
		Subject:  pkix.Name{CommonName: "billing"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, &s.CA)
	s.Pool = x509.NewCertPool()
	s.Pool.AddCert(s.CA.Cert)
	return s
}

// issue signs tmpl with parent (self-signed when nil) and writes the files.
func issue(t testing.TB, dir, name string, tmpl *x509.Certificate, parent *Pair) Pair {
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
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.Key, parent.Cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, &key.PublicKey, signer)
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
	p := Pair{Cert: cert, Key: key, CertFile: filepath.Join(dir, name+".crt"), KeyFile: filepath.Join(dir, name+".key")}
	write(t, p.CertFile, "CERTIFICATE", der)
	write(t, p.KeyFile, "EC PRIVATE KEY", keyDER)
	return p
}

func write(t testing.TB, path, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
