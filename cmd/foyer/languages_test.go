package main

import (
	"html"
	"html/template"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage/sqlstore/sqltest"
	"foyer/themes"
)

// shippedLanguages are the catalogs the binary carries (issue 17): each must
// serve whole pages, not English with a lang attribute.
var shippedLanguages = []string{"ar", "de", "en", "es", "fr", "it", "ja", "nl", "pl", "pt"}

var registerLink = regexp.MustCompile(`href="(/register\?[^"]*)"`)

// TestPagesInEveryShippedLanguage asks for the sign-in and registration
// pages with each shipped language in ui_locales and expects that language's
// own words, its lang attribute and Content-Language.
func TestPagesInEveryShippedLanguage(t *testing.T) {
	t.Parallel()
	catalog, err := themes.New(themes.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range shippedLanguages {
		if !strings.Contains(" "+strings.Join(catalog.Languages(), " ")+" ", " "+lang+" ") {
			t.Errorf("language %s is not shipped: %v", lang, catalog.Languages())
		}
	}
	srv := startServer(t, sqltest.SQLite(t))
	clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	rp := newRelyingParty(t, srv.issuer, clientID, secret, "openid")
	host := srv.Listener.Addr().String()
	words := func(lang, key string) string { return template.HTMLEscapeString(catalog.T(lang, key)) }
	for _, lang := range shippedLanguages {
		b := newBrowser(t, host)
		p := b.get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
			oauth2.SetAuthURLParam("ui_locales", lang)))
		if p.status != http.StatusOK {
			t.Fatalf("%s: sign-in page %d", lang, p.status)
		}
		if got := p.resp.Header.Get("Content-Language"); got != lang {
			t.Errorf("%s: Content-Language %q", lang, got)
		}
		if !strings.Contains(p.body, `lang="`+lang+`"`) {
			t.Errorf("%s: sign-in page lacks lang=%q", lang, lang)
		}
		for _, key := range []string{"login.identifier_label", "login.continue"} {
			if w := words(lang, key); !strings.Contains(p.body, w) {
				t.Errorf("%s: sign-in page lacks %s %q", lang, key, w)
			}
		}
		if lang != "en" && strings.Contains(p.body, ">"+catalog.T("en", "login.identifier_label")+"<") {
			t.Errorf("%s: sign-in page still says %q", lang, catalog.T("en", "login.identifier_label"))
		}
		link := registerLink.FindStringSubmatch(p.body)
		if link == nil {
			t.Fatalf("%s: sign-in page has no registration link", lang)
		}
		r := b.get(srv.issuer + html.UnescapeString(link[1]))
		if r.status != http.StatusOK || !strings.Contains(r.body, words(lang, "register.submit")) {
			t.Errorf("%s: registration page %d lacks %q", lang, r.status, words(lang, "register.submit"))
		}
	}
}
