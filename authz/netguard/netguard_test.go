package netguard_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"foyer/authz/netguard"
)

func TestAllowed(t *testing.T) {
	for _, tc := range []struct {
		addr string
		want bool
	}{
		// public
		{"8.8.8.8", true},
		{"1.1.1.1", true},
		{"93.184.215.14", true},
		{"100.63.255.255", true}, // just below CGNAT
		{"100.128.0.0", true},    // just above CGNAT
		{"172.32.0.1", true},     // just above 172.16/12
		{"2606:4700:4700::1111", true},
		{"2a00:1450:4001:80b::200e", true},
		{"::ffff:8.8.8.8", true},   // IPv4-mapped public
		{"64:ff9b::808:808", true}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", true},  // 6to4 of 8.8.8.8

		// IPv4 loopback, private, link-local, special
		{"127.0.0.1", false},
		{"127.255.255.254", false},
		{"10.0.0.1", false},
		{"172.16.0.1", false},
		{"172.31.255.255", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},      // CGNAT
		{"100.127.255.255", false},
		{"0.0.0.0", false},
		{"0.1.2.3", false},
		{"192.0.0.170", false},
		{"192.0.2.1", false},
		{"198.18.0.1", false},
		{"198.51.100.1", false},
		{"203.0.113.1", false},
		{"224.0.0.1", false},
		{"239.255.255.250", false},
		{"240.0.0.1", false},
		{"255.255.255.255", false},

		// IPv6 loopback, unique local, link-local, special
		{"::1", false},
		{"::", false},
		{"fc00::1", false},
		{"fd12:3456:789a::1", false},
		{"fe80::1", false},
		{"fe80::1%eth0", false},
		{"fec0::1", false},
		{"ff02::1", false},
		{"ff05::2", false},
		{"2001:db8::1", false},
		{"2001::1", false}, // Teredo
		{"100::1", false},
		{"3fff::1", false},
		{"::127.0.0.1", false}, // IPv4-compatible, deprecated

		// mapped and embedded forms of internal IPv4 addresses
		{"::ffff:127.0.0.1", false},
		{"::ffff:10.0.0.1", false},
		{"::ffff:169.254.169.254", false},
		{"64:ff9b::7f00:1", false},  // NAT64 of 127.0.0.1
		{"64:ff9b:1::a00:1", false}, // local-use NAT64
		{"2002:a00:1::1", false},    // 6to4 of 10.0.0.1
		{"2002:7f00:1::1", false},   // 6to4 of 127.0.0.1
	} {
		ip := netip.MustParseAddr(tc.addr)
		if got := netguard.Allowed(ip); got != tc.want {
			t.Errorf("Allowed(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
	if netguard.Allowed(netip.Addr{}) {
		t.Error("the zero Addr is allowed")
	}
}

func TestControl(t *testing.T) {
	for _, tc := range []struct {
		network, address string
		refused          bool
	}{
		{"tcp4", "8.8.8.8:443", false},
		{"tcp6", "[2606:4700:4700::1111]:443", false},
		{"tcp4", "127.0.0.1:8080", true},
		{"tcp6", "[::1]:8080", true},
		{"tcp6", "[::ffff:127.0.0.1]:80", true},
		{"tcp6", "[fe80::1%eth0]:80", true},
		{"tcp4", "169.254.169.254:80", true},
		{"tcp", "localhost:80", true}, // never a name: Control sees resolved addresses
		{"tcp", "garbage", true},
	} {
		err := netguard.Control(tc.network, tc.address, nil)
		if refused := errors.Is(err, netguard.ErrRefused); refused != tc.refused || (err != nil) != tc.refused {
			t.Errorf("Control(%s, %s) = %v, want refused %v", tc.network, tc.address, err, tc.refused)
		}
	}
}

// TestTransportRefusesLoopback: a request through the guarded transport to
// a loopback server, by address and by a name resolving to it, never
// reaches the server.
func TestTransportRefusesLoopback(t *testing.T) {
	var hits atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(ts.Close)
	_, port, _ := net.SplitHostPort(ts.Listener.Addr().String())
	client := &http.Client{Transport: netguard.Transport(time.Second)}
	for _, u := range []string{ts.URL, "http://localhost:" + port + "/"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
		resp, err := client.Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("GET %s: %v, want ErrRefused", u, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server was reached %d times", n)
	}
}
