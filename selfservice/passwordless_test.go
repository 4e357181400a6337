package selfservice_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// Passwordless by e-mail: a known and an unknown identifier get the same
// code page; the code (and a link) go to the known one only; a resend
// within the re-request interval sends nothing; the code signs in only its
// own flow, with amr [otp]; wrong codes get the same answers, lockout
// included, known or not.
func TestPasswordless(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{App: func(a *storage.Application) {
		a.MFA = storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true,
			Methods: []string{storage.MethodEmailCode, storage.MethodEmailLink}}
	}})
	env.Account(t, "alice@example.com", "")
	type flow struct {
		id string
		b  *selfservicetest.Browser
		p  *selfservicetest.Page
	}
	start := func(identifier string) *flow {
		f := &flow{b: env.Browser(t)}
		f.id, f.p = env.Start(t, f.b, nil)
		f.p = f.b.Submit(f.p, map[string]string{"identifier": identifier})
		return f
	}
	unknown := start("nobody@example.com")
	s := start("alice@example.com")
	if strings.Contains(s.p.Body, `type="password"`) || !s.p.Has("code") {
		t.Fatalf("passwordless page:\n%s", s.p.Body)
	}
	norm := func(p *selfservicetest.Page, id string) string {
		return hiddenValues.ReplaceAllString(strings.ReplaceAll(p.Body, id, "X"), "")
	}
	if unknown.p.Status != s.p.Status || norm(unknown.p, "nobody@example.com") != norm(s.p, "alice@example.com") {
		t.Fatalf("unknown identifier got another page:\n%s\n----\n%s", unknown.p.Body, s.p.Body)
	}
	env.Settle(t)
	mail := env.Inbox.Next(t, "alice@example.com")
	code := sixDigits.FindString(mail.Text)
	if code == "" || len(mail.Links) == 0 {
		t.Fatalf("passwordless mail without code and link:\n%s", mail.Text)
	}
	mail.Branded(t, selfservicetest.AppName)
	resent := s.b.Submit(s.p, map[string]string{"resend": "1"})
	env.Settle(t)
	env.Inbox.None(t, "alice@example.com") // the re-request interval holds it
	env.Inbox.None(t, "nobody@example.com")
	if !strings.Contains(resent.Body, "a new code is on its way") {
		t.Fatalf("resend answer:\n%s", resent.Body)
	}
	if p := unknown.b.Submit(unknown.p, map[string]string{"code": code}); p.Status != http.StatusBadRequest {
		t.Fatalf("alice's code signed in another flow: %d", p.Status)
	}
	if p := s.b.Submit(s.p, map[string]string{"code": code}); p.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("the code: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	if r := env.Resumed(t, s.id); r.ACR != "1" || !slices.Equal(r.AMR, []string{"otp"}) {
		t.Fatalf("passwordless: acr %q amr %v", r.ACR, r.AMR)
	}

	// Wrong codes: the same answers, lockout included, known or not.
	statuses := func(identifier string) []int {
		f := start(identifier)
		var out []int
		for range 7 {
			out = append(out, f.b.Submit(f.p, map[string]string{"code": "000000"}).Status)
		}
		return out
	}
	if k, u := statuses("alice@example.com"), statuses("somebody@example.com"); !slices.Equal(k, u) || k[6] != http.StatusTooManyRequests {
		t.Fatalf("wrong-code answers differ or never lock: known %v, unknown %v", k, u)
	}
}
