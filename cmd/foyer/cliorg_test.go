package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// "foyer org partner-code" prints a code once that registration redeems;
// a second one replaces it; customers and unknown names are refused.
func TestCLIOrgPartnerCode(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	if code, _, errOut := c.run("migrate"); code != 0 {
		t.Fatalf("migrate: %d %s", code, errOut)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	// The first CLI command bootstraps the default store.
	if code, _, errOut := c.run("store", "list"); code != 0 {
		t.Fatalf("store list: %d %s", code, errOut)
	}
	partner := &storage.Organization{StoreID: defaultStoreID, Name: "Reseller GmbH", Partner: true}
	customer := &storage.Organization{StoreID: defaultStoreID, Name: "Shopper"}
	for _, o := range []*storage.Organization{partner, customer} {
		if err := s.CreateOrganization(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := c.run("org", "partner-code", "reseller gmbh", "--expires-in", "720h", "--max-uses", "5", "--json")
	var first manage.IssuedPartnerCode
	if code != 0 || json.Unmarshal([]byte(out), &first) != nil || first.Code == "" || first.MaxUses != 5 || first.ExpiresAt == nil {
		t.Fatalf("partner-code: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = c.run("org", "partner-code", partner.ID)
	if code != 0 || !strings.Contains(out, "partner code: ") || strings.Contains(out, first.Code) {
		t.Fatalf("second partner-code: exit %d, %q", code, out)
	}
	second := strings.TrimSpace(strings.TrimPrefix(strings.SplitN(out, "\n", 2)[0], "partner code:"))
	if _, err := s.RedeemPartnerCode(ctx, defaultStoreID, storage.PartnerCodeDigest(first.Code), time.Now()); err == nil {
		t.Error("the replaced code still works")
	}
	if o, err := s.RedeemPartnerCode(ctx, defaultStoreID, storage.PartnerCodeDigest(second), time.Now()); err != nil || o.ID != partner.ID {
		t.Errorf("redeem the printed code: %+v %v", o, err)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"org", "partner-code", "Shopper"}, 1, "customer organization"},
		{[]string{"org", "partner-code", "Nobody"}, 1, "no organization"},
		{[]string{"org", "partner-code", "Reseller GmbH", "--max-uses", "-3"}, 2, "max_uses"},
		{[]string{"org", "partner-code"}, 2, "usage"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(r.args...); code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", r.args, code, errOut, r.code, r.says)
		}
	}
}

// "foyer app partner-lookup" sets an https webhook with a secret printed
// once and sealed (it opens with the server's sealer), shows it without
// the secret and deletes it.
func TestCLIAppPartnerLookup(t *testing.T) {
	t.Parallel()
	c := newCLI(t)
	code, out, errOut := c.run("app", "partner-lookup", "set", "default", "--url", "https://partners.example.com/lookup", "--timeout", "3s", "--json")
	var set manage.PartnerLookupSet
	if code != 0 || json.Unmarshal([]byte(out), &set) != nil || set.Secret == "" || set.TimeoutSeconds != 3 {
		t.Fatalf("set: exit %d, %q, %q", code, out, errOut)
	}
	code, out, _ = c.run("app", "partner-lookup", "show", "default")
	if code != 0 || strings.Contains(out, set.Secret) || !strings.Contains(out, "https://partners.example.com/lookup") {
		t.Fatalf("show: exit %d, %q", code, out)
	}
	ctx := context.Background()
	s, err := sqlstore.Open(ctx, c.env["FOYER_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	// The secret the commands used: the one kept beside the database.
	cfg, err := loadConfig("", func(k string) string { return c.env[k] })
	if err != nil {
		t.Fatal(err)
	}
	secret, err := cfg.secret()
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := newPartnerLookupSealer(secret)
	if err != nil {
		t.Fatal(err)
	}
	l, err := s.GetPartnerLookup(ctx, "default")
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := sealer.OpenPartnerLookupSecret("default", l.SecretSealed); err != nil || string(plain) != set.Secret {
		t.Fatalf("the sealed secret opens to %q, %v", plain, err)
	}
	refused := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"app", "partner-lookup", "set", "default", "--url", "http://partners.example.com/"}, 2, "https"},
		{[]string{"app", "partner-lookup", "set", "default", "--url", "https://partners.example.com/", "--timeout", "30s"}, 2, "timeout_seconds"},
		{[]string{"app", "partner-lookup", "show", "nope"}, 1, "no application"},
		{[]string{"app", "partner-lookup", "set"}, 2, "usage"},
	}
	for _, r := range refused {
		if code, _, errOut := c.run(r.args...); code != r.code || !strings.Contains(errOut, r.says) {
			t.Errorf("%v: exit %d, %q; want %d and %q", r.args, code, errOut, r.code, r.says)
		}
	}
	if code, out, _ := c.run("app", "partner-lookup", "delete", "default"); code != 0 || !strings.Contains(out, "deleted") {
		t.Fatalf("delete: exit %d, %q", code, out)
	}
}
