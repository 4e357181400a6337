package console

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"foyer/storage"
)

func (ts testSealer) SealUpstreamSecret(providerID, field string, plain []byte) ([]byte, error) {
	return ts.s.Seal(plain, []byte(providerID+"\x00"+field))
}

// TestUpstreamForms: every field labelled; refused input shown beside
// its fields with what was typed (never the secret); a provider added
// from a preset opens its page with the redirect URI; an edit with the
// secret left empty keeps it; deletion refused in words while an account
// is linked; another store's administrator sees nothing.
func TestUpstreamForms(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := context.Background()
	br := e.signIn(t, e.admin(t, "admin@example.com", grant(storage.RoleAdmin, storeA)))
	list := "/admin/stores/" + storeA + "/identity-providers"
	page := br.get(t, list)
	if page.status != http.StatusOK || !strings.Contains(page.body, `href="`+list+`" aria-current="page"`) {
		t.Fatalf("list: %d, or no current menu entry", page.status)
	}
	for _, id := range []string{"name", "preset", "kind", "issuer", "auth-url", "token-url", "userinfo-url", "client-id",
		"client-secret", "team-id", "key-id", "private-key", "scopes", "claims", "enabled"} {
		if !strings.Contains(page.body, `<label for="idp-`+id+`">`) || !strings.Contains(page.body, `id="idp-`+id+`"`) {
			t.Errorf("field %s has no label", id)
		}
	}

	bad := br.post(t, list, url.Values{"name": {"Corp"}, "issuer": {"http://corp.example"}, "client_secret": {"typed-secret"},
		"claim_mapping": {"shoe_size=shoe"}, "enabled": {"yes"}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, `id="idp-issuer-error"`) ||
		!strings.Contains(bad.body, `id="idp-client-id-error"`) || !strings.Contains(bad.body, `id="idp-claims-error"`) ||
		!strings.Contains(bad.body, `value="http://corp.example"`) || strings.Contains(bad.body, "typed-secret") {
		t.Errorf("refused create: %d\n%s", bad.status, bad.body)
	}
	if lines := br.post(t, list, url.Values{"preset": {"google"}, "claim_mapping": {"no equals sign"}}); lines.status != http.StatusUnprocessableEntity ||
		!strings.Contains(lines.body, "one TARGET=CLAIM per line") {
		t.Errorf("bad mapping line: %d", lines.status)
	}

	got := br.post(t, list, url.Values{"preset": {"google"}, "client_id": {"cid"}, "client_secret": {"first-secret"},
		"claim_mapping": {"email=email\n"}, "enabled": {"yes"}})
	if got.status != http.StatusSeeOther || !strings.HasPrefix(got.location, list+"/") {
		t.Fatalf("create: %d to %q", got.status, got.location)
	}
	path := strings.TrimSuffix(got.location, "?notice=created")
	id := strings.TrimPrefix(path, list+"/")
	item := br.get(t, path)
	if item.status != http.StatusOK || !strings.Contains(item.body, e.handler.cfg.Issuer+"/login/external/"+id+"/callback") ||
		!strings.Contains(item.body, "A secret is stored; leave empty to keep it.") || strings.Contains(item.body, "first-secret") ||
		!strings.Contains(item.body, `<option value="google" selected>`) {
		t.Fatalf("provider page: %d\n%s", item.status, item.body)
	}
	stored, err := e.store.GetUpstreamProvider(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	edit := br.post(t, path, url.Values{"name": {"Google staff"}, "preset": {"google"}, "client_id": {"cid"}, "client_secret": {""},
		"claim_mapping": {"email=email"}, "version": {"1"}})
	if edit.status != http.StatusSeeOther {
		t.Fatalf("edit: %d", edit.status)
	}
	after, err := e.store.GetUpstreamProvider(ctx, id)
	if err != nil || after.Name != "Google staff" || after.Enabled || !bytes.Equal(after.ClientSecretSealed, stored.ClientSecretSealed) {
		t.Errorf("after the edit: %+v, %v", after, err)
	}

	acct := e.account(t, storeA, "linked@example.com")
	if err := e.store.LinkExternalIdentity(ctx, &storage.ExternalIdentity{AccountID: acct.ID, Provider: id, Subject: "s"}); err != nil {
		t.Fatal(err)
	}
	br.checkConfirmation(t, path+"/delete", "2")
	refused := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}})
	if refused.status != http.StatusConflict || !strings.Contains(refused.body, "1 account signs in with this identity provider") ||
		!strings.Contains(refused.body, "disable it instead") {
		t.Errorf("delete while linked: %d\n%s", refused.status, refused.body)
	}
	other := e.signIn(t, e.admin(t, "b@example.com", grant(storage.RoleAdmin, storeB)))
	if got := other.get(t, path); got.status != http.StatusNotFound {
		t.Errorf("store B's admin opens store A's provider: %d", got.status)
	}
	if err := e.store.UnlinkExternalIdentity(ctx, acct.ID, id, "s"); err != nil {
		t.Fatal(err)
	}
	if got := br.post(t, path+"/delete", url.Values{"confirm": {"yes"}, "version": {"2"}}); got.status != http.StatusSeeOther ||
		got.location != list+"?notice=deleted" {
		t.Errorf("delete: %d to %q", got.status, got.location)
	}
}
