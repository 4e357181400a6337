package notify_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
)

// selfSigned returns a server certificate for the IPs and localhost, and a
// pool trusting it, as an operator's private CA would be.
func selfSigned(t *testing.T, ips ...net.IP) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "foyer test smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: ips, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// serveSMTP serves an inbox on ip (any port) until the test ends. With
// implicit the listener speaks TLS from the first byte (smtps); otherwise a
// non-nil cert is offered through STARTTLS, and a nil one means plain SMTP
// only.
func serveSMTP(t *testing.T, ip string, box *notifytest.Inbox, cert *tls.Certificate, implicit bool) string {
	t.Helper()
	return box.ServeSMTP(t, notifytest.SMTPOptions{Addr: net.JoinHostPort(ip, "0"), Cert: cert, Implicit: implicit})
}

// received says, per message the inbox accepted, whether it came over TLS.
func received(box *notifytest.Inbox) []bool {
	var tls []bool
	for _, m := range box.All() {
		tls = append(tls, m.TLS)
	}
	return tls
}

// nonLoopbackIP is an address of this machine outside 127.0.0.0/8 and ::1,
// which the sender treats as a remote host. Tests needing one skip without.
func nonLoopbackIP(t *testing.T) net.IP {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() && !n.IP.IsLinkLocalUnicast() {
			return n.IP
		}
	}
	t.Skip("no non-loopback IPv4 address on this machine")
	return nil
}

func sendOne(t *testing.T, rawURL string, tlsConfig *tls.Config) error {
	t.Helper()
	p, err := notify.NewSMTP(rawURL, "noreply@example.com", tlsConfig)
	if err != nil {
		t.Fatal(err)
	}
	return p.Send(t.Context(), notify.Message{Channel: notify.ChannelEmail, To: "jane@example.com", Subject: "Hi", Text: "Hello"})
}

func trusting(pool *x509.CertPool) *tls.Config {
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// smtps:// speaks TLS from the start and verifies the server: a private CA
// passed in is trusted, the system roots alone refuse the certificate.
func TestSMTPImplicitTLS(t *testing.T) {
	cert, pool := selfSigned(t, net.IPv4(127, 0, 0, 1))
	box := notifytest.NewInbox()
	addr := serveSMTP(t, "127.0.0.1", box, &cert, true)
	if err := sendOne(t, "smtps://"+addr, trusting(pool)); err != nil {
		t.Fatalf("send over smtps with the CA trusted: %v", err)
	}
	if got := received(box); len(got) != 1 || !got[0] {
		t.Fatalf("received %v, want one message over TLS", got)
	}
	if err := sendOne(t, "smtps://"+addr, nil); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("send to an untrusted certificate: %v, want a certificate error", err)
	}
	if got := received(box); len(got) != 1 {
		t.Errorf("an untrusted server received mail: %v", got)
	}
}

// smtp:// upgrades with STARTTLS whenever the server offers it, loopback or
// not, and verifies the certificate.
func TestSMTPStartTLS(t *testing.T) {
	remote := nonLoopbackIP(t)
	cert, pool := selfSigned(t, net.IPv4(127, 0, 0, 1), remote)
	for _, ip := range []string{"127.0.0.1", remote.String()} {
		box := notifytest.NewInbox()
		addr := serveSMTP(t, ip, box, &cert, false)
		if err := sendOne(t, "smtp://"+addr, trusting(pool)); err != nil {
			t.Fatalf("%s: send with STARTTLS: %v", ip, err)
		}
		if got := received(box); len(got) != 1 || !got[0] {
			t.Errorf("%s: received %v, want one message after STARTTLS", ip, got)
		}
	}
}

// To a host that is not loopback, STARTTLS is mandatory: a server that does
// not offer it, or offers it with a certificate the sender does not trust,
// gets nothing, since falling back to plain text is what an attacker who
// strips STARTTLS wants. Loopback (127.0.0.0/8, ::1, localhost) may be a
// local relay and is allowed plain text (TestEmailDeliveredOverSMTP).
func TestSMTPRemoteHostRequiresStartTLS(t *testing.T) {
	remote := nonLoopbackIP(t).String()
	plain := notifytest.NewInbox()
	addr := serveSMTP(t, remote, plain, nil, false)
	if err := sendOne(t, "smtp://"+addr, nil); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("send to a remote host without STARTTLS: %v, want a STARTTLS error", err)
	}
	if got := received(plain); len(got) != 0 {
		t.Errorf("plain-text server received %v", got)
	}

	cert, _ := selfSigned(t, net.ParseIP(remote))
	untrusted := notifytest.NewInbox()
	addr = serveSMTP(t, remote, untrusted, &cert, false)
	if err := sendOne(t, "smtp://"+addr, nil); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("send after STARTTLS to an untrusted certificate: %v, want a certificate error", err)
	}
	if got := received(untrusted); len(got) != 0 {
		t.Errorf("untrusted server received %v", got)
	}

	// Another loopback address is still loopback.
	local := notifytest.NewInbox()
	addr = serveSMTP(t, "127.0.0.2", local, nil, false)
	if err := sendOne(t, "smtp://"+addr, nil); err != nil {
		t.Errorf("plain text to 127.0.0.2: %v", err)
	}
}
