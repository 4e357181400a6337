package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// delivered is one message as a provider received it: an e-mail taken off
// the in-process SMTP server, or an SMS/voice message off the webhook.
type delivered struct {
	Channel string // "email", "sms" or "voice"
	To      string
	Subject string
	Text    string // the plain-text part, or the SMS text; "\n" line ends
	HTML    string
	Links   []string // every http(s) URL in Text, in order
}

// inbox receives what the notify worker sends to the test server's real
// providers. Tests wait on it instead of reading the outbox table, so the
// whole path (worker, go-mail, MIME, webhook JSON) is what they see.
type inbox struct {
	mu      sync.Mutex
	pending map[string][]delivered // by recipient, oldest first
	arrived chan struct{}          // closed and replaced on every arrival
	// SMTPURL and WebhookURL are what the server is configured with.
	SMTPURL, WebhookURL string
}

// withInbox returns a config change for startServerWith that points the
// server's e-mail provider at an in-process go-smtp server on loopback
// (plain SMTP is allowed there) and its SMS/voice provider at a local
// webhook receiver; both stop when the test ends.
func withInbox(t *testing.T) (*inbox, func(*Config)) {
	t.Helper()
	in := &inbox{pending: map[string][]delivered{}, arrived: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(smtpBackend{in: in})
	srv.Domain = "localhost"
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	in.SMTPURL = "smtp://" + ln.Addr().String()

	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct{ To, Channel, Text string }
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want a JSON POST", http.StatusBadRequest)
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.To == "" {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		in.add(delivered{Channel: body.Channel, To: body.To, Text: body.Text, Links: findLinks(body.Text)})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	in.WebhookURL = hook.URL
	return in, func(c *Config) { c.SMTPURL, c.SMSWebhookURL = in.SMTPURL, in.WebhookURL }
}

func (in *inbox) add(m delivered) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.pending[m.To] = append(in.pending[m.To], m)
	close(in.arrived)
	in.arrived = make(chan struct{})
}

// next waits (10 s at most) for the next message to the recipient and
// takes it.
func (in *inbox) next(t *testing.T, to string) delivered {
	t.Helper()
	timeout := time.NewTimer(10 * time.Second)
	defer timeout.Stop()
	for {
		in.mu.Lock()
		if q := in.pending[to]; len(q) > 0 {
			in.pending[to] = q[1:]
			in.mu.Unlock()
			return q[0]
		}
		arrived := in.arrived
		in.mu.Unlock()
		select {
		case <-arrived:
		case <-timeout.C:
			t.Fatalf("no message to %s within 10s", to)
		}
	}
}

// factorNotice takes the next message to the recipient, which must tell
// that a sign-in method was added (or removed).
func (in *inbox) factorNotice(t *testing.T, to, change string) {
	t.Helper()
	m := in.next(t, to)
	if !strings.Contains(m.Text, "A sign-in method was "+change) || !strings.Contains(m.Text, "If this was not you") {
		t.Fatalf("the next message to %s is not the notice that a sign-in method was %s:\n%s", to, change, m.Text)
	}
}

// none fails if a message to the recipient is waiting. Call it only after
// a later message proved the worker got past the earlier ones.
func (in *inbox) none(t *testing.T, to string) {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if q := in.pending[to]; len(q) > 0 {
		t.Errorf("unexpected message to %s: %q\n%s", to, q[0].Subject, q[0].Text)
	}
}

// smtpBackend hands every accepted message to the inbox, one per recipient.
type smtpBackend struct{ in *inbox }

func (b smtpBackend) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b}, nil
}

type smtpSession struct {
	b  smtpBackend
	to []string
}

func (s *smtpSession) Reset()                               { s.to = nil }
func (s *smtpSession) Logout() error                        { return nil }
func (s *smtpSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(data)
	if err != nil {
		// Refused: the worker logs the reason and the test times out
		// waiting for the message.
		return fmt.Errorf("unparsable mail: %w", err)
	}
	for _, to := range s.to {
		m.To = to
		s.b.in.add(m)
	}
	return nil
}

// parseMail reads a multipart/alternative message as go-mail writes it.
func parseMail(data []byte) (delivered, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return delivered{}, err
	}
	d := delivered{Channel: "email"}
	if d.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return d, err
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		return d, errors.New("Content-Type " + m.Header.Get("Content-Type") + ", want multipart/alternative")
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return d, err
		}
		b, err := io.ReadAll(p) // quoted-printable is decoded by the reader
		if err != nil {
			return d, err
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			d.Text = strings.ReplaceAll(string(b), "\r\n", "\n")
		case "text/html":
			d.HTML = string(b)
		}
	}
	d.Links = findLinks(d.Text)
	return d, nil
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

func findLinks(text string) []string { return linkPattern.FindAllString(text, -1) }

// link returns the only link in the text part starting with prefix.
func (d delivered) link(t *testing.T, prefix string) string {
	t.Helper()
	var found []string
	for _, l := range d.Links {
		if strings.HasPrefix(l, prefix) {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d links starting %s in %q, want 1:\n%s", len(found), prefix, d.Subject, d.Text)
	}
	return found[0]
}

// branded checks what every e-mail must hold: each link alone on its own
// line of the text part (so clients that wrap or mangle prose still show it
// whole) and the application's name in the HTML part.
func (d delivered) branded(t *testing.T, appName string) {
	t.Helper()
	if d.Channel != "email" || d.Subject == "" || d.HTML == "" {
		t.Fatalf("want an e-mail with a subject and an HTML part, got %+v", d)
	}
	if !strings.Contains(d.HTML, appName) {
		t.Errorf("HTML of %q lacks the application name %q:\n%s", d.Subject, appName, d.HTML)
	}
	for _, l := range d.Links {
		if !strings.Contains("\n"+d.Text+"\n", "\n"+l+"\n") {
			t.Errorf("link %s is not alone on its line in %q:\n%s", l, d.Subject, d.Text)
		}
	}
}
