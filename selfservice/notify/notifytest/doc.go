// Package notifytest is the receiving end of Foyer's messages for tests:
// an in-process SMTP server and SMS/voice webhook receiver (Inbox) and the
// MIME parser (Parse) that turns what arrived into a Message with its
// plain-text part, HTML part and links. notify's own tests and the flow
// tests of selfservice and cmd/foyer all read mail through it.
package notifytest
