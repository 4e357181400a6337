package partnerlookup

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"foyer/authz/netguard"
)

// guardedTransport is netguard's transport (no proxy, every dialled
// address checked after resolution), optionally letting loopback through
// for tests, with TLS 1.2 at least.
func guardedTransport(allowLoopback bool, rootCAs *x509.CertPool) *http.Transport {
	t := netguard.Transport(MaxTimeout)
	dialer := netguard.Dialer(MaxTimeout)
	if allowLoopback {
		dialer.Control = loopbackOrPublic
	}
	t.DialContext = dialer.DialContext
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: rootCAs}
	t.ResponseHeaderTimeout = MaxTimeout
	t.IdleConnTimeout = 30 * time.Second
	return t
}

// loopbackOrPublic is netguard.Control that also admits loopback
// addresses (AllowLoopback).
func loopbackOrPublic(network, address string, c syscall.RawConn) error {
	if ap, err := netip.ParseAddrPort(address); err == nil && ap.Addr().Unmap().IsLoopback() {
		return nil
	}
	return netguard.Control(network, address, c)
}
