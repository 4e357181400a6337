package notifytest

import (
	"strings"
	"testing"
)

// TestParse: the parser the mail tests read every message with decodes a
// multipart/alternative message (quoted-printable parts, an encoded
// subject) and a single text/plain body, finds the links, and refuses
// what it cannot read rather than returning an empty message.
func TestParse(t *testing.T) {
	t.Parallel()
	multipartMail := strings.Join([]string{
		"From: foyer@localhost",
		"To: ada@example.com",
		"Subject: =?UTF-8?q?Aktivieren_Sie_Ihr_Konto_=E2=80=93_Foyer?=",
		"MIME-Version: 1.0",
		`Content-Type: multipart/alternative; boundary="b1"`,
		"",
		"--b1",
		"Content-Type: text/plain; charset=UTF-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		"Open this link:",
		"https://id.example/activate?token=3Dabc",
		"--b1",
		"Content-Type: text/html; charset=UTF-8",
		"Content-Transfer-Encoding: quoted-printable",
		"",
		`<a href=3D"https://id.example/activate?token=3Dabc">Activate</a>`,
		"--b1--",
		"",
	}, "\r\n")
	m, err := Parse([]byte(multipartMail))
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Aktivieren Sie Ihr Konto – Foyer" || m.Channel != "email" {
		t.Errorf("subject %q, channel %q", m.Subject, m.Channel)
	}
	if m.Text != "Open this link:\nhttps://id.example/activate?token=abc" {
		t.Errorf("text %q", m.Text)
	}
	if !strings.Contains(m.HTML, `href="https://id.example/activate?token=abc"`) {
		t.Errorf("html %q", m.HTML)
	}
	if len(m.Links) != 1 || m.Links[0] != "https://id.example/activate?token=abc" {
		t.Errorf("links %q", m.Links)
	}

	plain := "Subject: Code\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nYour code is 123456=\r\n.\r\n"
	if m, err := Parse([]byte(plain)); err != nil || m.Text != "Your code is 123456.\n" || m.HTML != "" {
		t.Errorf("plain: %q %q %v", m.Text, m.HTML, err)
	}

	for name, raw := range map[string]string{
		"no header end":    "Subject: x",
		"another type":     "Subject: x\r\nContent-Type: application/pdf\r\n\r\n%PDF",
		"a bad media type": "Subject: x\r\nContent-Type: ;;\r\n\r\nbody",
	} {
		if _, err := Parse([]byte(raw)); err == nil {
			t.Errorf("%s: parsed", name)
		}
	}
}
