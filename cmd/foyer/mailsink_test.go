package main

import (
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
