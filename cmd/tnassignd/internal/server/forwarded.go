package server

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// The forwarding headers a proxy in front of the HTTP listener sets. The
// gateway (grpc-gateway) would pass both on as the metadata x-forwarded-for
// and x-forwarded-host, whoever sent them.
const (
	forwardedForHeader  = "X-Forwarded-For"
	forwardedHostHeader = "X-Forwarded-Host"
)

// TrustedProxies are the networks of the proxies in front of the HTTP
// listener whose X-Forwarded-For and X-Forwarded-Host headers are believed.
type TrustedProxies []netip.Prefix

// contains reports whether ip is one of the proxies.
func (tp TrustedProxies) contains(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range tp {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIPKey is the request context key of the HTTP caller's address as
// established by trustForwarding.
type clientIPKey struct{}

// clientIP returns the HTTP caller's address: the one trustForwarding
// established, else the connection's remote address.
func clientIP(r *http.Request) string {
	if ip, ok := r.Context().Value(clientIPKey{}).(string); ok {
		return ip
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return "unknown"
}

// trustForwarding drops the forwarding headers of a request that does not
// come from a trusted proxy, so that grpc-gateway derives x-forwarded-for
// from the connection's address and x-forwarded-host from the Host header
// alone. From a trusted proxy they stay, and the caller's address (for the
// per-caller limits without tokens) is the right-most X-Forwarded-For entry
// that is not itself a trusted proxy.
func trustForwarding(next http.Handler, trusted TrustedProxies) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote, err := netip.ParseAddrPort(r.RemoteAddr)
		if err != nil || !trusted.contains(remote.Addr()) {
			r.Header.Del(forwardedForHeader)
			r.Header.Del(forwardedHostHeader)
			next.ServeHTTP(w, r)
			return
		}
		ip := remote.Addr().Unmap().String()
		if client, ok := forwardedClient(r.Header.Values(forwardedForHeader), trusted); ok {
			ip = client
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientIPKey{}, ip)))
	})
}

// forwardedClient walks X-Forwarded-For from the right (the entry the
// nearest proxy added) past the trusted proxies to the caller. ok is false
// when the header names no address; an entry that is no address ends the
// walk at the last good one.
func forwardedClient(values []string, trusted TrustedProxies) (string, bool) {
	var hops []string
	for _, v := range values {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client, ok := "", false
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client, ok = ip.Unmap().String(), true
		if !trusted.contains(ip) {
			break
		}
	}
	return client, ok
}
