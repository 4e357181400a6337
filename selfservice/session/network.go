package session

import (
	"net/http"
	"net/netip"
)

// ClientNetwork is the unit attempt limits count a client by: its IPv4
// address, or the /64 of its IPv6 address. One IPv6 subscriber is handed
// a whole /64 and can pick a new address in it for every request; counting
// addresses would give such a guesser a fresh budget each time.
func ClientNetwork(r *http.Request) string {
	ip := ClientIP(r)
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	addr = addr.Unmap()
	if addr.Is4() {
		return addr.String()
	}
	prefix, err := addr.WithZone("").Prefix(64)
	if err != nil {
		return ip
	}
	return prefix.String()
}
