package main

import (
	"strings"
	"testing"

	"foyer/selfservice/notify/notifytest"
)

// delivered is one message as a provider received it.
type delivered = notifytest.Message

// inbox receives what the notify worker sends to the test server's real
// providers (notifytest's SMTP server and webhook receiver).
type inbox struct{ *notifytest.Inbox }

// withInbox returns a config change for startServerWith that points the
// server's e-mail provider at an in-process SMTP server on loopback and its
// SMS/voice provider at a local webhook receiver; both stop when the test
// ends. Every e-mail must have an HTML part.
func withInbox(t *testing.T) (*inbox, func(*Config)) {
	t.Helper()
	in, smtpURL, webhookURL := notifytest.Start(t)
	in.RequireHTML = true
	return &inbox{in}, func(c *Config) { c.SMTPURL, c.SMSWebhookURL = smtpURL, webhookURL }
}

// factorNotice takes the next message to the recipient, which must tell
// that a sign-in method was added (or removed).
func (in *inbox) factorNotice(t *testing.T, to, change string) {
	t.Helper()
	m := in.Next(t, to)
	if !strings.Contains(m.Text, "A sign-in method was "+change) || !strings.Contains(m.Text, "If this was not you") {
		t.Fatalf("the next message to %s is not the notice that a sign-in method was %s:\n%s", to, change, m.Text)
	}
}
