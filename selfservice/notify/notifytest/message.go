package notifytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"regexp"
	"strings"
	"testing"
)

// Message is one message as a provider received it: an e-mail taken off
// the SMTP server, or an SMS/voice message off the webhook.
type Message struct {
	Channel string // "email", "sms" or "voice"
	From    string // the envelope sender (e-mail only)
	To      string
	Subject string
	Header  mail.Header // the e-mail's headers
	Text    string      // the plain-text part, or the SMS text; "\n" line ends
	HTML    string
	Links   []string // every http(s) URL in Text, in order
	TLS     bool     // the e-mail came over TLS (implicit or STARTTLS)
}

// Parse reads an e-mail as go-mail writes it: multipart/alternative with a
// text/plain and a text/html part, or a single text/plain body.
// Quoted-printable is decoded and line ends become "\n".
func Parse(data []byte) (Message, error) {
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Message{}, err
	}
	d := Message{Channel: "email", Header: m.Header}
	if d.Subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject")); err != nil {
		return d, err
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil {
		return d, fmt.Errorf("Content-Type %q: %w", m.Header.Get("Content-Type"), err)
	}
	switch mt {
	case "multipart/alternative":
		if err := readParts(&d, multipart.NewReader(m.Body, params["boundary"])); err != nil {
			return d, err
		}
	case "text/plain":
		b, err := io.ReadAll(decoded(m.Body, m.Header.Get("Content-Transfer-Encoding")))
		if err != nil {
			return d, err
		}
		d.Text = string(b)
	default:
		return d, errors.New("Content-Type " + mt + ", want multipart/alternative or text/plain")
	}
	d.Text = strings.ReplaceAll(d.Text, "\r\n", "\n")
	d.Links = FindLinks(d.Text)
	return d, nil
}

func readParts(d *Message, mr *multipart.Reader) error {
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		b, err := io.ReadAll(p) // quoted-printable is decoded by the reader
		if err != nil {
			return err
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			d.Text = string(b)
		case "text/html":
			d.HTML = string(b)
		}
	}
}

// decoded undoes a single-part body's transfer encoding (multipart.Reader
// does it for parts).
func decoded(r io.Reader, encoding string) io.Reader {
	if strings.EqualFold(encoding, "quoted-printable") {
		return quotedprintable.NewReader(r)
	}
	return r
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// FindLinks returns every http(s) URL in text, in order.
func FindLinks(text string) []string { return linkPattern.FindAllString(text, -1) }

// Link returns the only link in the text part starting with prefix.
func (m Message) Link(t testing.TB, prefix string) string {
	t.Helper()
	var found []string
	for _, l := range m.Links {
		if strings.HasPrefix(l, prefix) {
			found = append(found, l)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d links starting %s in %q, want 1:\n%s", len(found), prefix, m.Subject, m.Text)
	}
	return found[0]
}

// Branded checks what every e-mail must hold: each link alone on its own
// line of the text part (so clients that wrap or mangle prose still show it
// whole) and the application's name in the HTML part.
func (m Message) Branded(t testing.TB, appName string) {
	t.Helper()
	if m.Channel != "email" || m.Subject == "" || m.HTML == "" {
		t.Fatalf("want an e-mail with a subject and an HTML part, got %+v", m)
	}
	if !strings.Contains(m.HTML, appName) {
		t.Errorf("HTML of %q lacks the application name %q:\n%s", m.Subject, appName, m.HTML)
	}
	m.LinksAlone(t)
}

// LinksAlone checks that each link of the text part stands alone on its
// line.
func (m Message) LinksAlone(t testing.TB) {
	t.Helper()
	for _, l := range m.Links {
		if !strings.Contains("\n"+m.Text+"\n", "\n"+l+"\n") {
			t.Errorf("link %s is not alone on its line in %q:\n%s", l, m.Subject, m.Text)
		}
	}
}
