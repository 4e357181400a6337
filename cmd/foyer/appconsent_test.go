package main

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestCLIAppConsent: show prints the default policy; set replaces it with
// versioned documents; bad input exits 2 and changes nothing; --default
// restores the default.
func TestCLIAppConsent(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "consent", "show")
	if code != 0 || !strings.Contains(out, "terms_of_service") || !strings.Contains(out, "marketing") {
		t.Fatalf("show: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = c.run("app", "consent", "set", "--document", "terms_of_service@2", "--document", "newsletter@1",
		"--required", "terms_of_service", "--title", "newsletter=Our newsletter", "--url", "terms_of_service=https://shop.example/terms", "--json")
	want := []storage.ConsentDocument{
		{Name: "terms_of_service", Version: "2", URL: "https://shop.example/terms", Required: true},
		{Name: "newsletter", Version: "1", Title: "Our newsletter"},
	}
	var got []storage.ConsentDocument
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("set: exit %d %q %q", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"--document", "Terms@1"},
		{"--document", "terms"},
		{"--document", "terms@1", "--required", "privacy"},
		{"--document", "terms@1", "--url", "terms=ftp://x"},
		{"--document", "terms@1", "--default"},
		{},
	} {
		if code, _, errOut := c.run(append([]string{"app", "consent", "set"}, bad...)...); code != 2 || errOut == "" {
			t.Errorf("set %v: exit %d, stderr %q", bad, code, errOut)
		}
	}
	_, out, _ = c.run("app", "consent", "show", "--json")
	var stored []storage.ConsentDocument
	if err := json.Unmarshal([]byte(out), &stored); err != nil || !reflect.DeepEqual(stored, want) {
		t.Fatalf("refused changes changed the policy: %s", out)
	}
	_, out, _ = c.run("app", "consent", "set", "--default", "--json")
	var restored []storage.ConsentDocument
	if err := json.Unmarshal([]byte(out), &restored); err != nil || !reflect.DeepEqual(restored, storage.DefaultConsentPolicy()) {
		t.Fatalf("--default: %s", out)
	}
}

// TestCLIAccountLink: an external identity is linked to an account named by
// e-mail; the same provider subject twice, an unknown account and missing
// flags are refused.
func TestCLIAccountLink(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("account", "create", "--email", "alice@example.com", "--password", "correct horse battery staple"); code != 0 {
		t.Fatalf("account create: %s", errOut)
	}
	code, out, errOut := c.run("account", "link", "alice@example.com", "--provider", "google", "--subject", "1234", "--email", "alice@gmail.example")
	if code != 0 || !strings.Contains(out, "linked google 1234") {
		t.Fatalf("link: exit %d %q %q", code, out, errOut)
	}
	for _, bad := range []struct {
		args []string
		code int
	}{
		{[]string{"alice@example.com", "--provider", "google", "--subject", "1234"}, 1},
		{[]string{"nobody@example.com", "--provider", "google", "--subject", "5678"}, 1},
		{[]string{"alice@example.com", "--provider", "google"}, 2},
		{[]string{"--provider", "google", "--subject", "9"}, 2},
	} {
		if code, _, errOut := c.run(append([]string{"account", "link"}, bad.args...)...); code != bad.code || errOut == "" {
			t.Errorf("link %v: exit %d %q, want %d and a message", bad.args, code, errOut, bad.code)
		}
	}
}

// TestRegistrationFollowsConsentPolicy: the registration page asks to
// accept the policy's required documents, named and linked, and records
// them in their current versions; with no required document it asks
// nothing.
func TestRegistrationFollowsConsentPolicy(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), func(p *storage.SelfServicePolicy) { p.ActivationEnabled = false }, authz.ClientSpec{})
	ctx := context.Background()
	err := s.srv.store.SetConsentPolicy(ctx, defaultApplicationID, []storage.ConsentDocument{
		{Name: "terms_of_service", Version: "3", Title: "Shop terms", URL: "https://shop.example/terms", Required: true},
		{Name: "marketing", Version: "1"}})
	if err != nil {
		t.Fatal(err)
	}
	b, p, verifier := s.registerPage(t, "state-terms")
	if !strings.Contains(p.body, `<a href="https://shop.example/terms">Shop terms</a>`) {
		t.Fatalf("the registration page does not name the required document:\n%s", p.body)
	}
	without := regFields("terms@example.com", newcomerPass)
	delete(without, "accept_terms")
	if r := b.submit(p, without); r.status != http.StatusBadRequest {
		t.Fatalf("registration without accepting the terms: %d", r.status)
	}
	id := s.exchange(t, b.submit(p, regFields("terms@example.com", newcomerPass)), verifier, "state-terms")
	recs, _ := s.srv.store.ListConsents(ctx, id.Subject)
	if len(recs) != 1 || recs[0].Consent != "terms_of_service" || recs[0].Version != "3" {
		t.Fatalf("consent records %+v, want terms_of_service version 3 only", recs)
	}

	if err := s.srv.store.SetConsentPolicy(ctx, defaultApplicationID, []storage.ConsentDocument{{Name: "marketing", Version: "1"}}); err != nil {
		t.Fatal(err)
	}
	b, p, verifier = s.registerPage(t, "state-none")
	if strings.Contains(p.body, `name="accept_terms"`) {
		t.Fatal("a policy without required documents still asks to accept something")
	}
	without = regFields("free@example.com", newcomerPass)
	delete(without, "accept_terms")
	s.exchange(t, b.submit(p, without), verifier, "state-none")
}

// TestQueuedRegistrationRecordsWhatWasShown: a registration queued (with
// activation) records the documents its page showed, not the policy the
// worker finds later.
func TestQueuedRegistrationRecordsWhatWasShown(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	// Queued as submitRegister queues it, held back until the policy moved.
	payload := `{"interaction":"x","app":"` + defaultApplicationID + `","client":"` + s.rp.oauth.ClientID +
		`","email":"late@example.com","password_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",` +
		`"accepted":[{"name":"terms_of_service","version":"1"}]}`
	d := &storage.DeferredRequest{Kind: "registration", Payload: payload, NextAttemptAt: time.Now().Add(time.Hour)}
	if err := s.srv.store.EnqueueDeferredRequest(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.store.SetConsentPolicy(ctx, defaultApplicationID, []storage.ConsentDocument{
		{Name: "terms_of_service", Version: "2", Required: true}, {Name: "new_terms", Version: "7", Required: true}}); err != nil {
		t.Fatal(err)
	}
	if err := s.srv.store.FailDeferredRequest(ctx, d.ID, time.Now().Add(-time.Second), ""); err != nil {
		t.Fatal(err)
	}
	s.srv.drain(t)
	acct := s.registered(t, "late@example.com")
	recs, err := s.srv.store.ListConsents(ctx, acct.ID)
	if err != nil || len(recs) != 1 || recs[0].Consent != "terms_of_service" || recs[0].Version != "1" {
		t.Fatalf("consents %+v (%v), want terms_of_service version 1 only", recs, err)
	}
}
