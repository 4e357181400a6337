package notifytest

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// Inbox keeps what its SMTP servers and webhook receivers accepted, by
// recipient. Tests wait on it (Next) instead of reading the outbox table,
// so the whole path (worker, go-mail, MIME, webhook JSON) is what they see.
type Inbox struct {
	// RequireHTML refuses an e-mail without an HTML part, as a check on
	// every message the server sends (the worker logs the refusal and the
	// test times out waiting).
	RequireHTML bool

	mu      sync.Mutex
	all     []Message
	pending map[string][]Message // by recipient, oldest first
	arrived chan struct{}        // closed and replaced on every arrival
}

// NewInbox returns an empty inbox serving nothing yet.
func NewInbox() *Inbox {
	return &Inbox{pending: map[string][]Message{}, arrived: make(chan struct{})}
}

// Start returns an inbox with an SMTP server on loopback (plain SMTP is
// allowed there) and a webhook receiver, both stopped when the test ends,
// and their URLs for FOYER_SMTP_URL and FOYER_SMS_WEBHOOK_URL.
func Start(t testing.TB) (in *Inbox, smtpURL, webhookURL string) {
	t.Helper()
	in = NewInbox()
	return in, "smtp://" + in.ServeSMTP(t, SMTPOptions{}), in.ServeWebhook(t)
}

// SMTPOptions choose how ServeSMTP listens.
type SMTPOptions struct {
	// Addr is the listen address; "127.0.0.1:0" when empty.
	Addr string
	// Cert, when set, is offered through STARTTLS, or from the first byte
	// with Implicit (smtps). Without it the server speaks plain SMTP only.
	Cert     *tls.Certificate
	Implicit bool
}

// ServeSMTP serves the inbox over SMTP until the test ends and returns the
// address it listens on.
func (in *Inbox) ServeSMTP(t testing.TB, o SMTPOptions) string {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := smtp.NewServer(backend{in: in})
	srv.Domain = "localhost"
	if o.Cert != nil {
		cfg := &tls.Config{Certificates: []tls.Certificate{*o.Cert}, MinVersion: tls.VersionTLS12}
		if o.Implicit {
			ln = tls.NewListener(ln, cfg)
		} else {
			srv.TLSConfig = cfg
		}
	}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// ServeWebhook receives SMS and voice messages as notify's webhook
// provider posts them (JSON to, channel, text) until the test ends, and
// returns the receiver's URL.
func (in *Inbox) ServeWebhook(t testing.TB) string {
	t.Helper()
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
		in.Add(Message{Channel: body.Channel, To: body.To, Text: body.Text, Links: FindLinks(body.Text)})
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(hook.Close)
	return hook.URL
}

// Add files a message as received (for providers that hand messages
// over in process).
func (in *Inbox) Add(m Message) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.all = append(in.all, m)
	in.pending[m.To] = append(in.pending[m.To], m)
	close(in.arrived)
	in.arrived = make(chan struct{})
}

// All returns every message received so far, in order, whether taken by
// Next or not.
func (in *Inbox) All() []Message {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]Message(nil), in.all...)
}

// Next waits (10 s at most) for the next message to the recipient and
// takes it.
func (in *Inbox) Next(t testing.TB, to string) Message {
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

// None fails if a message to the recipient is waiting. Call it only after
// a later message proved the worker got past the earlier ones.
func (in *Inbox) None(t testing.TB, to string) {
	t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	if q := in.pending[to]; len(q) > 0 {
		t.Errorf("unexpected message to %s: %q\n%s", to, q[0].Subject, q[0].Text)
	}
}

// backend hands every accepted message to the inbox, one per recipient.
type backend struct{ in *Inbox }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{in: b.in, conn: c}, nil
}

type session struct {
	in   *Inbox
	conn *smtp.Conn
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := Parse(data)
	if err == nil && s.in.RequireHTML && m.HTML == "" {
		err = fmt.Errorf("no text/html part")
	}
	if err != nil {
		// Refused: the worker logs the reason and the test times out
		// waiting for the message.
		return fmt.Errorf("unparsable mail: %w", err)
	}
	m.From = s.from
	// Asked at DATA, after any STARTTLS upgrade of the connection.
	_, m.TLS = s.conn.TLSConnectionState()
	for _, to := range s.to {
		m.To = to
		s.in.Add(m)
	}
	return nil
}
