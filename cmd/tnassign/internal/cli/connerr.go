package cli

import (
	"fmt"
	"strings"

	"google.golang.org/grpc/status"
)

// connectionHint turns the error of a call that never reached tnassignd
// (gRPC's UNAVAILABLE from the client side) into one plain sentence: what
// went wrong with the connection and what to do, without gRPC's wording.
func connectionHint(st *status.Status, c connection) string {
	msg := st.Message()
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(msg, p) {
				return true
			}
		}
		return false
	}
	at := "tnassignd at " + c.server
	switch {
	case has("connection refused"):
		return fmt.Sprintf("cannot reach tnassignd: nothing is listening at %s; check --server, and that tnassignd is running", c.server)
	case has("no such host", "produced zero addresses"):
		return fmt.Sprintf("cannot reach tnassignd: the host of %s is unknown; check --server", c.server)
	case has("i/o timeout", "network is unreachable", "no route to host"):
		return fmt.Sprintf("cannot reach tnassignd at %s: the network does not get there; check --server, and any firewall in between", c.server)
	case has("first record does not look like a TLS handshake"):
		return fmt.Sprintf("%s does not speak TLS; if it really serves without TLS, add --plaintext", at)
	case has("unknown authority", "unknown certificate authority"):
		if strings.Contains(msg, "remote error") {
			return fmt.Sprintf("%s does not trust the client certificate in --tls-cert; ask its operator for one issued by its --tls-client-ca", at)
		}
		return fmt.Sprintf("%s shows a certificate no trusted CA issued; give the CA certificate that issued it with --tls-ca FILE", at)
	case has("certificate is valid for", "not valid for any names", "doesn't contain any IP SANs", "cannot validate certificate for"):
		return fmt.Sprintf("%s shows a certificate for another name; connect by a name the certificate holds (--server), or ask its operator for a certificate for this one", at)
	case has("certificate has expired", "is not yet valid"):
		return fmt.Sprintf("%s shows a certificate that has expired or is not yet valid; tell its operator (and check this machine's clock)", at)
	case has("certificate required", "bad certificate", "certificate unknown", "expired certificate", "unsupported certificate", "handshake failure"):
		if c.cert {
			return fmt.Sprintf("%s refused the client certificate in --tls-cert; ask its operator for one issued by its --tls-client-ca", at)
		}
		return fmt.Sprintf("%s requires a client certificate (mutual TLS); give yours with --tls-cert FILE --tls-key FILE", at)
	case has("tls: ", "x509: "):
		return fmt.Sprintf("the TLS handshake with %s failed (%s); check --tls-ca, --tls-cert and --tls-key", at, innermost(msg))
	case has("server preface", "EOF", "connection reset", "closed", "broken pipe"):
		// Under TLS 1.3 the server checks the client's certificate after
		// the client has finished its handshake: a refusal shows as a
		// connection closed, or as a TLS alert when it arrives in time.
		switch {
		case !c.tls && c.plaintextFlag:
			return fmt.Sprintf("%s closed the connection without answering: it probably requires TLS; connect without --plaintext (and give --tls-ca FILE if its certificate is not from a public CA)", at)
		case !c.tls:
			return fmt.Sprintf("%s closed the connection without answering: it probably requires TLS, which tnassign does not use by default for a loopback --server; give --tls-ca FILE (or --plaintext=false)", at)
		case !c.cert:
			return fmt.Sprintf("%s closed the connection after the TLS handshake: it probably requires a client certificate (mutual TLS); give yours with --tls-cert FILE --tls-key FILE", at)
		default:
			return fmt.Sprintf("%s closed the connection after the TLS handshake: it probably refused the client certificate in --tls-cert; ask its operator for one issued by its --tls-client-ca", at)
		}
	}
	return fmt.Sprintf("cannot reach tnassignd at %s (%s); check --server, and that tnassignd is running", c.server, innermost(msg))
}

// innermost returns the last, most specific part of a gRPC transport error:
// `connection error: desc = "transport: Error while dialing: dial tcp
// 10.0.0.1:9090: connect: host is down"` becomes "host is down".
func innermost(msg string) string {
	msg = strings.TrimRight(strings.TrimSpace(msg), `"`)
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}
