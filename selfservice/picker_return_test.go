package selfservice_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"foyer/selfservice/selfservicetest"
	"foyer/storage/sqlstore/sqltest"
)

// pickLanguage follows the footer's language picker of page p to lang, as
// the browser would submit it, and returns the page it comes back to.
func pickLanguage(t *testing.T, env *selfservicetest.Env, b *selfservicetest.Browser, p *selfservicetest.Page, lang string) *selfservicetest.Page {
	t.Helper()
	m := regexp.MustCompile(`<form class="language-picker" method="get" action="([^"]+)">\s*<input type="hidden" name="return" value="([^"]*)">`).
		FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no language picker on the page:\n%s", p.Body)
	}
	return b.Get(env.Server.URL + html.UnescapeString(m[1]) + "?" +
		url.Values{"lang": {lang}, "return": {html.UnescapeString(m[2])}}.Encode())
}

// wantPickedPage checks the picker brought back the page, in German.
func wantPickedPage(t *testing.T, what string, p *selfservicetest.Page, field string) {
	t.Helper()
	if p.Status != http.StatusOK || !p.Has(field) || !strings.Contains(p.Body, `<html lang="de"`) {
		t.Errorf("%s: the language picker after a refused post led to %d at %s:\n%s", what, p.Status, p.URL, p.Body)
	}
}

// Every page shown again after a refused post has a language picker that
// comes back to that page (the post's URL lacks the interaction and its
// signature, or the link's token, which the page's GET carried).
func TestPickerAfterRefusedPost(t *testing.T) {
	t.Parallel()
	s := sqltest.SQLite(t)

	t.Run("organization registration", func(t *testing.T) {
		env := orgEnv(t, sqltest.SQLite(t), nil, nil)
		_, b, link := startOrg(t, env, "eve@acme.example")
		refused := b.Submit(b.Get(link), companyFields("  ", "CHE-9"))
		if refused.Status != http.StatusBadRequest {
			t.Fatalf("refused post: %d", refused.Status)
		}
		wantPickedPage(t, "organization registration", pickLanguage(t, env, b, refused, "de"), "organization_name")
		// The same link opened in another browser (no sign-in waiting).
		other := env.Browser(t)
		refused = other.Submit(other.Get(link), companyFields("  ", "CHE-9"))
		wantPickedPage(t, "organization registration elsewhere", pickLanguage(t, env, other, refused, "de"), "organization_name")
	})
	t.Run("registration", func(t *testing.T) {
		env := registerEnv(t, nil)
		_, b, p := registerPage(t, env)
		refused := b.Submit(p, regFields("not-an-address", newcomerPass))
		if refused.Status != http.StatusBadRequest {
			t.Fatalf("refused post: %d", refused.Status)
		}
		wantPickedPage(t, "registration", pickLanguage(t, env, b, refused, "de"), "password_confirm")
	})
	t.Run("invitation sign-up", func(t *testing.T) {
		e := newInviteEnv(t, s, nil)
		_, hint := e.invite(t, invitee)
		_, b, p := e.open(t, selfservicetest.ClientID, hint)
		fields := inviteeFields(invitee)
		fields["password_confirm"] = "something else entirely"
		refused := b.Submit(p, fields)
		if refused.Status != http.StatusBadRequest {
			t.Fatalf("refused post: %d", refused.Status)
		}
		got := pickLanguage(t, e.Env, b, refused, "de")
		wantPickedPage(t, "invitation sign-up", got, "password_confirm")
		if !strings.Contains(got.Body, "Acme Corp") {
			t.Errorf("the invitation's sign-up lost the invitation:\n%s", got.Body)
		}
	})
	t.Run("recovery", func(t *testing.T) {
		env := registerEnv(t, nil)
		b := env.Browser(t)
		id := env.Interaction(t, b, "", nil)
		refused := b.Submit(b.Get(env.RecoverURL(id)), map[string]string{"identifier": ""})
		if refused.Status != http.StatusBadRequest {
			t.Fatalf("refused post: %d\n%s", refused.Status, refused.Body)
		}
		wantPickedPage(t, "recovery", pickLanguage(t, env, b, refused, "de"), "identifier")
	})
}
