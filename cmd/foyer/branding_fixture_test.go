package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"foyer/authz"
	"foyer/storage"
)

// brandApp is an application with a branding of its own in every field:
// what each of its pages and messages must wear, and what no page or
// message of another application may.
type brandApp struct {
	app                     *storage.Application
	name                    string // distinctive: found in no other text
	color                   string // "#rrggbb"
	logo, favicon, style    string // asset hashes
	support, terms, privacy string
	supportEmail            string
	rp                      *relyingParty // a first-party client
	thirdID, thirdSecret    string        // a third-party client (consent)
	domain                  string        // of its customers' addresses
}

// brandFixture is a server sending through an inbox with two branded
// applications in the default identity store.
type brandFixture struct {
	srv         *testServer
	in          *inbox
	alpha, beta *brandApp
}

func newBrandFixture(t *testing.T, store storage.Store) *brandFixture {
	t.Helper()
	in, configure := withInbox(t)
	fx := &brandFixture{srv: startServerWith(t, store, configure), in: in}
	fx.alpha = fx.brandApp(t, "alpha", "Alpha Books", "#1a7f37", color.RGBA{0x1a, 0x7f, 0x37, 0xff})
	fx.beta = fx.brandApp(t, "beta", "Beta Bikes", "#8250df", color.RGBA{0x82, 0x50, 0xdf, 0xff})
	return fx
}

// tinyPNG is a 1×1 image of c: a real PNG whose bytes differ by colour.
func tinyPNG(t *testing.T, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.Set(0, 0, c)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// putAsset stores data as a brand asset and returns its hash.
func putAsset(t *testing.T, store storage.Store, contentType string, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	a := &storage.BrandAsset{Hash: hex.EncodeToString(sum[:]), ContentType: contentType, Data: data}
	if err := store.PutBrandAsset(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a.Hash
}

func (fx *brandFixture) brandApp(t *testing.T, id, name, primary string, c color.RGBA) *brandApp {
	t.Helper()
	ctx := context.Background()
	store := fx.srv.store
	a := &brandApp{name: name, color: primary, domain: id + ".example",
		logo:    putAsset(t, store, "image/png", tinyPNG(t, c)),
		favicon: putAsset(t, store, "image/png", tinyPNG(t, color.RGBA{c.R, c.G, c.B, 0x80})),
		style:   putAsset(t, store, "text/css", []byte(":root{--primary:"+primary+"}\n/* "+id+" */\n")),
		support: "https://help." + id + ".example/", terms: "https://" + id + ".example/terms",
		privacy: "https://" + id + ".example/privacy", supportEmail: "care@" + id + ".example"}
	a.app = &storage.Application{ID: id, StoreID: defaultStoreID, Name: name, PrimaryColor: primary,
		Branding: storage.Branding{LogoAsset: a.logo, FaviconAsset: a.favicon, StyleAsset: a.style,
			SupportURL: a.support, SupportEmail: a.supportEmail, TermsURL: a.terms, PrivacyURL: a.privacy}}
	if err := store.CreateApplication(ctx, a.app); err != nil {
		t.Fatal(err)
	}
	cid, secret := fx.srv.client(t, authz.ClientSpec{ApplicationID: id, Name: name + " web", FirstParty: true,
		RedirectURIs: []string{rpCallback}, PostLogoutRedirectURIs: []string{rpLoggedOut},
		GrantTypes: []string{"authorization_code"}})
	a.rp = newRelyingParty(t, fx.srv.issuer, cid, secret, oidc.ScopeOpenID, "email")
	a.thirdID, a.thirdSecret = fx.srv.client(t, authz.ClientSpec{ApplicationID: id, Name: name + " partner",
		RedirectURIs: []string{rpCallback}, GrantTypes: []string{"authorization_code"}})
	return a
}

// marks are the strings that identify a's branding on a page: its name,
// logo, favicon, stylesheet, colour and links.
func (a *brandApp) pageMarks() []string {
	return []string{html.EscapeString(a.name), `src="/brand/` + a.logo + `"`, `href="/brand/` + a.favicon + `"`,
		`href="/brand/` + a.style + `"`, "brand.css?c=" + strings.TrimPrefix(a.color, "#"),
		`href="` + a.support + `"`, `href="` + a.terms + `"`, `href="` + a.privacy + `"`, `href="mailto:` + a.supportEmail + `"`}
}

// leakMarks are what would betray a's branding anywhere else.
func (a *brandApp) leakMarks() []string {
	return []string{a.name, html.EscapeString(a.name), a.logo, a.favicon, a.style, strings.TrimPrefix(a.color, "#"),
		a.support, a.terms, a.privacy, a.supportEmail}
}

// wears checks that the page carries a's branding and nothing of other's.
func (a *brandApp) wears(t *testing.T, what string, p *page, other *brandApp) {
	t.Helper()
	for _, m := range a.pageMarks() {
		if !strings.Contains(p.body, m) {
			t.Errorf("%s (%d at %s) lacks %s's %q:\n%s", what, p.status, p.url, a.name, m, p.body)
			return
		}
	}
	noLeak(t, what, p.body, other)
}

// noLeak checks that text holds nothing of other's branding.
func noLeak(t *testing.T, what, text string, other *brandApp) {
	t.Helper()
	for _, m := range other.leakMarks() {
		if strings.Contains(text, m) {
			t.Errorf("%s leaks %s's %q:\n%s", what, other.name, m, text)
			return
		}
	}
}

// mailWears checks an e-mail's both parts: a's name and links, the logo as
// an absolute URL in the HTML part, nothing of other's.
func (a *brandApp) mailWears(t *testing.T, what string, m delivered, issuer string, other *brandApp) {
	t.Helper()
	m.Branded(t, a.name)
	logo := `src="` + issuer + "/brand/" + a.logo + `"`
	for _, want := range []string{html.EscapeString(a.name), logo, a.support, a.terms, a.privacy, a.supportEmail} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("%s: HTML part lacks %q:\n%s", what, want, m.HTML)
		}
	}
	for _, want := range []string{a.name, a.support + "\n", a.terms + "\n", a.privacy + "\n", a.supportEmail} {
		if !strings.Contains(m.Text+"\n", want) {
			t.Errorf("%s: text part lacks %q:\n%s", what, want, m.Text)
		}
	}
	noLeak(t, what+" (subject)", m.Subject, other)
	noLeak(t, what+" (text)", m.Text, other)
	noLeak(t, what+" (HTML)", m.HTML, other)
}

// smsWears checks a text message names a and nothing of other.
func (a *brandApp) smsWears(t *testing.T, what string, m delivered, other *brandApp) {
	t.Helper()
	if m.Channel != "sms" || !strings.Contains(m.Text, a.name) {
		t.Errorf("%s: want an SMS naming %q, got %+v", what, a.name, m)
	}
	noLeak(t, what, m.Text, other)
}

// status is a short description of a page for failure messages.
func status(p *page) string { return strconv.Itoa(p.status) + " at " + p.url.String() }
