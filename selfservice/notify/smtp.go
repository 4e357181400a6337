package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	netmail "net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"
)

// SMTP sends e-mail through a submission server.
type SMTP struct {
	opts []mail.Option
	host string
	from string
	// idDomain ends the Message-IDs (the sender's domain).
	idDomain string
}

// NewSMTP builds the provider from FOYER_SMTP_URL and FOYER_SMTP_FROM:
//
//	smtp://user:pass@host[:587]   STARTTLS, required unless host is loopback
//	smtps://user:pass@host[:465]  implicit TLS
//
// Plain text is allowed only to a loopback host (a local relay or a test
// server): elsewhere a missing STARTTLS could be an attacker stripping it.
// tlsConfig may be nil (the system roots verify the server).
func NewSMTP(rawURL, from string, tlsConfig *tls.Config) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	host := u.Hostname()
	if host == "" || (u.Scheme != "smtp" && u.Scheme != "smtps") {
		return nil, fmt.Errorf("smtp url: want smtp://host:port or smtps://host:port")
	}
	port := 587
	if u.Scheme == "smtps" {
		port = 465
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("smtp url: port: %w", err)
		}
	}
	if tlsConfig == nil {
		tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	tlsConfig = tlsConfig.Clone()
	tlsConfig.ServerName = host
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(30 * time.Second), mail.WithTLSConfig(tlsConfig)}
	switch {
	case u.Scheme == "smtps":
		opts = append(opts, mail.WithSSL())
	case isLoopback(host):
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover),
			mail.WithUsername(u.User.Username()), mail.WithPassword(pass))
	}
	return &SMTP{opts: opts, host: host, from: from, idDomain: messageIDDomain(from)}, nil
}

// messageIDDomain is the sender address's domain, the right-hand side of
// the Message-IDs Foyer makes ("foyer.invalid" when it has none).
func messageIDDomain(from string) string {
	addr, err := netmail.ParseAddress(from)
	if err != nil {
		return "foyer.invalid"
	}
	if _, domain, ok := strings.Cut(addr.Address, "@"); ok && domain != "" {
		return domain
	}
	return "foyer.invalid"
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Send delivers m as multipart/alternative: the text part first, the HTML
// part (when there is one) as the preferred alternative. One connection per
// message keeps the provider stateless; volumes are small.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("smtp: from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("smtp: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	if m.ID != "" {
		// Stable across retries: a message sent again after a crash (its
		// lease ran out before the send was recorded) carries the same
		// Message-ID, so receivers can drop the duplicate.
		msg.SetMessageIDWithValue(m.ID + "@" + s.idDomain)
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	client, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp: client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("smtp: send: %w", err)
	}
	return nil
}
