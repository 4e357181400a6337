package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefused is the cause of a refused dial.
var ErrRefused = errors.New("netguard: destination is not a public address")

// notGlobal are the special-purpose ranges (IANA IPv4 and IPv6
// Special-Purpose Address Registries) that netip.Addr's predicates do not
// already cover and that no public service lives in.
var notGlobal = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT, often the cloud's internal network
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the broadcast address
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, ...)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("fec0::/10"),       // deprecated site-local
}

// Prefixes whose addresses carry an IPv4 address that a translator on the
// path would reach: judged by the embedded address.
var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
	// Only 2000::/3 is allocated for global unicast; everything else in
	// IPv6 (bar NAT64 above) is local, special or unassigned.
	globalUnicast6 = netip.MustParsePrefix("2000::/3")
)

// Allowed reports whether ip is a public unicast address. IPv4-mapped IPv6
// addresses are judged as the IPv4 address they carry.
func Allowed(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range notGlobal {
		if p.Contains(ip) {
			return false
		}
	}
	if ip.Is4() {
		return true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return Allowed(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(ip):
		return Allowed(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return globalUnicast6.Contains(ip)
}

// Control is a net.Dialer Control function that refuses non-public
// destinations. It runs after name resolution, once per address tried, so
// it judges the address actually dialled.
func Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s %q is not an IP address", ErrRefused, network, address)
	}
	if !Allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrRefused, ap.Addr())
	}
	return nil
}

// Dialer is a net.Dialer with Control set.
func Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: Control}
}

// Transport is http.DefaultTransport's configuration dialling through
// Dialer and ignoring proxy settings: through a proxy the guard would
// only see the proxy's address, and the proxy would dial anywhere.
func Transport(dialTimeout time.Duration) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = Dialer(dialTimeout).DialContext
	return t
}
