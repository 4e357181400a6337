package notify_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/notify"
	"foyer/selfservice/notify/notifytest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// clock is moved by the test; the worker never waits on it.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}

func newService(t *testing.T, store storage.Notifications, c *clock) *notify.Service {
	t.Helper()
	r, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return notify.NewService(store, r, c.now)
}

func TestEmailDeliveredOverSMTP(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	box := notifytest.NewInbox()
	addr := box.ServeSMTP(t, notifytest.SMTPOptions{})
	provider, err := notify.NewSMTP("smtp://"+addr, "Foyer <noreply@example.com>", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, store, c)
	const link = "https://id.example.com/activate?token=abc123&x=1"
	_, err = svc.Email(t.Context(), "jane@example.com", "acct-1", "activation", "en",
		themes.Branding{AppName: "Acme Shop", PrimaryColor: "#123456"}, notify.ActivationEmail{Link: link, Minutes: 60})
	if err != nil {
		t.Fatal(err)
	}
	if got := box.All(); len(got) != 0 {
		t.Fatalf("Email sent at once (%d messages); it must only queue", len(got))
	}
	w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: provider})
	if n, err := w.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1", n, err)
	}
	got := box.All()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != "noreply@example.com" || m.To != "jane@example.com" {
		t.Errorf("envelope from %q to %q", m.From, m.To)
	}
	if m.Subject != "Activate your Acme Shop account" {
		t.Errorf("Subject = %q", m.Subject)
	}
	if len(m.Links) != 1 || m.Links[0] != link {
		t.Errorf("text part links %q, want only %s:\n%s", m.Links, link, m.Text)
	}
	m.Branded(t, "Acme Shop")
	if !strings.Contains(m.HTML, "#123456") {
		t.Errorf("HTML part lacks the branding:\n%s", m.HTML)
	}
	// A delivered message is gone from the outbox: its link must not linger.
	if list, err := store.ListNotifications(t.Context(), 10); err != nil || len(list) != 0 {
		t.Errorf("outbox after delivery: %d rows, %v", len(list), err)
	}
}

// Messages queued while the SMTP server is down arrive once it is back, even
// across a restart of the worker.
func TestOutboxSurvivesStoppedSMTPServer(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	box := notifytest.NewInbox()
	addr := freeAddr(t) // the port is known and nobody listens on it
	provider, err := notify.NewSMTP("smtp://"+addr, "noreply@example.com", nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(t, store, c)
	if _, err := svc.Email(t.Context(), "jane@example.com", "", "password_changed", "de", themes.Branding{AppName: "Acme"}, nil); err != nil {
		t.Fatalf("Email while the server is down: %v (queueing must not depend on it)", err)
	}
	w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: provider})
	if n, err := w.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v; want 1 claimed", n, err)
	}
	list, err := store.ListNotifications(t.Context(), 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("outbox after a failure: %d rows, %v", len(list), err)
	}
	if n := list[0]; n.Attempts != 1 || n.LastError == "" || !n.NextAttemptAt.Equal(c.t.Add(30*time.Second)) || n.SentAt != nil {
		t.Errorf("after a failure: attempts %d, last error %q, next %v", n.Attempts, n.LastError, n.NextAttemptAt)
	}
	// The server returns, but the message waits for its backoff.
	box.ServeSMTP(t, notifytest.SMTPOptions{Addr: addr})
	c.t = c.t.Add(29 * time.Second)
	if n, _ := w.RunOnce(t.Context()); n != 0 {
		t.Errorf("claimed %d before the backoff ran out", n)
	}
	// A new worker (a restarted node) finds it in the outbox.
	c.t = c.t.Add(time.Second)
	w = notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{Email: provider})
	if n, err := w.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce after the server returned = %d, %v", n, err)
	}
	got := box.All()
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	if !strings.Contains(got[0].Subject, "Acme") {
		t.Errorf("Subject = %q", got[0].Subject)
	}
}

// failing always refuses, so the backoff and the last attempt show.
type failing struct{ calls int }

func (f *failing) Send(_ context.Context, _ notify.Message) error {
	f.calls++
	return errors.New("421 service not available")
}

func TestBackoffDoublesAndGivesUp(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := newService(t, store, c)
	if _, err := svc.SMS(t.Context(), "+4915100000000", "", "otp", "Your code is 123456"); err != nil {
		t.Fatal(err)
	}
	p := &failing{}
	w := notify.NewWorker(notify.WorkerConfig{Now: c.now, MaxAttempts: 4}, store, notify.Providers{Phone: p})
	wait := 30 * time.Second
	for attempt := 1; attempt <= 4; attempt++ {
		if n, err := w.RunOnce(t.Context()); err != nil || n != 1 {
			t.Fatalf("attempt %d: RunOnce = %d, %v", attempt, n, err)
		}
		list, err := store.ListNotifications(t.Context(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if attempt == 4 {
			if len(list) != 0 {
				t.Errorf("after the last attempt the message is still queued")
			}
			break
		}
		if len(list) != 1 || !list[0].NextAttemptAt.Equal(c.t.Add(wait)) || list[0].LastError != "421 service not available" {
			t.Fatalf("attempt %d: %+v, want next attempt in %v", attempt, list, wait)
		}
		c.t = c.t.Add(wait)
		wait *= 2
	}
	if p.calls != 4 {
		t.Errorf("provider called %d times, want 4", p.calls)
	}
}

func TestWebhookPostsJSON(t *testing.T) {
	type call struct {
		method, contentType string
		body                map[string]any
	}
	calls := make(chan call, 2)
	status := http.StatusAccepted
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		calls <- call{r.Method, r.Header.Get("Content-Type"), body}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	h := notify.NewWebhook(srv.URL+"/sms", nil)
	for _, ch := range []string{notify.ChannelSMS, notify.ChannelVoice} {
		if err := h.Send(t.Context(), notify.Message{Channel: ch, To: "+4915100000000", Text: "Code 123456", Kind: "otp"}); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
		got := <-calls
		want := map[string]any{"to": "+4915100000000", "channel": ch, "text": "Code 123456"}
		if got.method != http.MethodPost || got.contentType != "application/json" || len(got.body) != 3 ||
			got.body["to"] != want["to"] || got.body["channel"] != want["channel"] || got.body["text"] != want["text"] {
			t.Errorf("%s: got %+v, want POST application/json %v", ch, got, want)
		}
	}
	status = http.StatusBadGateway
	err := h.Send(t.Context(), notify.Message{Channel: notify.ChannelSMS, To: "+49", Text: "secret 999"})
	<-calls
	if err == nil || strings.Contains(err.Error(), "999") {
		t.Errorf("non-2xx: err %v; want an error that does not quote the text", err)
	}
}

func TestDevOutbox(t *testing.T) {
	store := sqltest.SQLite(t)
	c := &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	svc := newService(t, store, c)
	if _, err := svc.Email(t.Context(), "dev@example.com", "", "password_reset", "en", themes.Branding{},
		notify.PasswordResetEmail{Link: "http://localhost:8080/reset?t=<x>"}); err != nil {
		t.Fatal(err)
	}
	w := notify.NewWorker(notify.WorkerConfig{Now: c.now}, store, notify.Providers{})
	if n, err := w.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	if n, _ := w.RunOnce(t.Context()); n != 0 {
		t.Errorf("a dev-outbox message was claimed again")
	}
	rec := httptest.NewRecorder()
	notify.DevOutboxHandler(store, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, notify.DevOutboxPath, nil))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "dev@example.com") || !strings.Contains(body, "Reset your Foyer password") ||
		!strings.Contains(body, "reset?t=&lt;x&gt;") || strings.Contains(body, "<x>") {
		t.Errorf("dev outbox page (%d):\n%s", rec.Code, body)
	}
}

func TestDevMode(t *testing.T) {
	tests := []struct {
		smtp, issuer string
		want         bool
	}{
		{"", "http://localhost:8080", true},
		{"", "http://127.0.0.1:8080", true},
		{"", "http://[::1]:8080", true},
		{"", "https://id.example.com", false},
		{"", "http://192.168.1.10:8080", false},
		{"smtp://localhost:1025", "http://localhost:8080", false},
	}
	for _, tt := range tests {
		if got := notify.DevMode(tt.smtp, tt.issuer); got != tt.want {
			t.Errorf("DevMode(%q, %q) = %v, want %v", tt.smtp, tt.issuer, got, tt.want)
		}
	}
}

// TestResentMessageKeepsItsID: a message sent again (after a crash left
// its lease to run out) carries the same Message-ID, and an SMS the same
// id and Idempotency-Key, so receivers can drop the duplicate; another
// message has another.
func TestResentMessageKeepsItsID(t *testing.T) {
	box := notifytest.NewInbox()
	addr := box.ServeSMTP(t, notifytest.SMTPOptions{})
	provider, err := notify.NewSMTP("smtp://"+addr, "Foyer <noreply@example.com>", nil)
	if err != nil {
		t.Fatal(err)
	}
	m := notify.Message{ID: "0123456789abcdef0123456789abcdef", Channel: notify.ChannelEmail, To: "jane@example.com", Subject: "Hi", Text: "Hello"}
	other := m
	other.ID = "fedcba9876543210fedcba9876543210"
	for _, msg := range []notify.Message{m, m, other} {
		if err := provider.Send(t.Context(), msg); err != nil {
			t.Fatal(err)
		}
	}
	got := box.All()
	if len(got) != 3 {
		t.Fatalf("%d messages arrived, want 3", len(got))
	}
	want := "<" + m.ID + "@example.com>"
	if a, b := got[0].Header.Get("Message-Id"), got[1].Header.Get("Message-Id"); a != want || b != want {
		t.Errorf("Message-IDs of one message sent twice: %q, %q; want %q both", a, b, want)
	}
	if c := got[2].Header.Get("Message-Id"); c == want || c == "" {
		t.Errorf("another message's Message-ID %q", c)
	}

	type call struct {
		key  string
		body map[string]any
	}
	calls := make(chan call, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		calls <- call{r.Header.Get("Idempotency-Key"), body}
	}))
	defer srv.Close()
	sms := notify.Message{ID: m.ID, Channel: notify.ChannelSMS, To: "+4915100000000", Text: "Code 123456"}
	if err := notify.NewWebhook(srv.URL, nil).Send(t.Context(), sms); err != nil {
		t.Fatal(err)
	}
	if c := <-calls; c.key != m.ID || c.body["id"] != m.ID {
		t.Errorf("SMS webhook: Idempotency-Key %q, id %v; want %s", c.key, c.body["id"], m.ID)
	}
}

// TestWebhookErrorHidesTheURL: gateways take their API key in the URL
// (…/sms?api_key=…), and a failed POST's error, which the worker logs and
// keeps on the row, must not quote it.
func TestWebhookErrorHidesTheURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there any more
	h := notify.NewWebhook("http://"+addr+"/sms?api_key=GATEWAY-KEY-1", nil)
	err = h.Send(t.Context(), notify.Message{ID: "m1", Channel: notify.ChannelSMS, To: "+4915100000000", Text: "Code 123456"})
	if err == nil || strings.Contains(err.Error(), "GATEWAY-KEY-1") {
		t.Errorf("Send = %v; want an error without the URL's key", err)
	}
}
