package portal

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/session"
	"foyer/storage"
)

func TestConsents(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		u := e.signedIn(t, "alice@example.com")
		if err := e.store.RecordConsent(ctx, &storage.ConsentRecord{AccountID: u.account.ID, Consent: "terms_of_service", Version: "1"}); err != nil {
			t.Fatal(err)
		}
		p := u.get("/account/privacy")
		wantBody(t, "privacy", p, "Terms of service", "version 1", ">Withdraw consent: Terms of service<", ">Give consent: News and offers by email<",
			`href="/account/export.json"`, `href="/account/export.html"`)
		wantBody(t, "opt in", u.post("/account/consents", "consent", "marketing", "decision", "in"), "Your choice is saved.", ">Withdraw consent: News and offers by email<")
		e.clock.Advance(time.Second) // the history is in time order
		wantBody(t, "opt out", u.post("/account/consents", "consent", "marketing", "decision", "out"), ">Give consent: News and offers by email<")
		wantStatus(t, "unknown consent", u.post("/account/consents", "consent", "sell_my_soul", "decision", "in"), http.StatusNotFound)
		wantStatus(t, "bad decision", u.post("/account/consents", "consent", "marketing", "decision", "maybe"), http.StatusNotFound)
		hist, err := e.store.ListConsentEvents(ctx, u.account.ID)
		if err != nil || len(hist) != 2 || hist[0].Action != storage.ConsentGranted || hist[1].Action != storage.ConsentRevoked {
			t.Errorf("history = %+v, %v", hist, err)
		}
		recs, _ := e.store.ListConsents(ctx, u.account.ID)
		for _, r := range recs {
			if r.Consent == "marketing" && r.RevokedAt == nil {
				t.Error("marketing consent not revoked")
			}
		}
	})
}

// exportParts are the top-level keys the JSON export must have.
var exportParts = []string{"generated_at", "profile", "password", "authenticators", "sessions", "consents",
	"consent_history", "grants", "groups", "linked_identities", "activity"}

func TestExports(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		u := e.signedIn(t, "alice@example.com")
		bob := e.signedIn(t, "bob@example.com")
		u.post("/account/profile", "given_name", "Alice", "email", "alice@example.com")
		u.post("/account/consents", "consent", "marketing", "decision", "in")
		if err := e.store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: u.account.ID, Kind: storage.MethodTOTP,
			Name: "Phone app", Secret: []byte("TOP-SECRET-SEED")}); err != nil {
			t.Fatal(err)
		}
		cred, _ := e.store.GetPassword(ctx, u.account.ID)

		p := u.get("/account/export.json")
		wantStatus(t, "json export", p, http.StatusOK)
		if ct := p.resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") ||
			!strings.Contains(p.resp.Header.Get("Content-Disposition"), "attachment") {
			t.Errorf("json export headers: %v", p.resp.Header)
		}
		var doc map[string]json.RawMessage
		if err := json.Unmarshal([]byte(p.body), &doc); err != nil {
			t.Fatalf("json export does not parse: %v\n%s", err, p.body)
		}
		for _, k := range exportParts {
			if _, ok := doc[k]; !ok {
				t.Errorf("json export lacks %q", k)
			}
		}
		wantBody(t, "json export", p, `"given_name": "Alice"`, `"kind": "totp"`, `"Phone app"`, `"consent": "marketing"`,
			`"action": "granted"`, `"kind": "account.profile_updated"`, `"set": true`)
		// No secret: password hash, authenticator secret, session ids (the
		// SSO cookie's digest), nor another account's data.
		secrets := []string{cred.Hash, "argon2id", "TOP-SECRET", "VE9QLVNFQ1JFVC", "bob@example.com", bob.account.ID}
		secrets = append(secrets, sessionIDs(t, e, u.account.ID)...)
		for _, s := range secrets {
			if strings.Contains(p.body, s) {
				t.Errorf("json export contains %q", s)
			}
		}

		h := u.get("/account/export.html")
		wantStatus(t, "html export", h, http.StatusOK)
		wantBody(t, "html export", h, "<style>", "Your account data", "Alice", "Phone app", "marketing", "account.profile_updated", "<h2>Groups</h2>")
		external := regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//|<script|<link|@import|url\(`)
		if m := external.FindString(h.body); m != "" {
			t.Errorf("html export loads an external resource or script: %q", m)
		}
		if csp := h.resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("html export CSP %q", csp)
		}
		for _, s := range secrets {
			if strings.Contains(h.body, s) {
				t.Errorf("html export contains %q", s)
			}
		}
	})
}

// TestPagesNeedSignIn: without the portal's own sign-in (no cookie, the
// SSO cookie alone, or the SSO cookie with a forged portal cookie) every
// page sends the browser to the portal's sign-in, whose code flow an SSO
// session then completes without a password.
func TestPagesNeedSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	u := e.signedIn(t, "alice@example.com")
	base, _ := url.Parse(e.issuer)
	var sso *http.Cookie
	for _, c := range u.client.Jar.Cookies(base) {
		if c.Name == session.CookieName {
			sso = c
		}
	}
	if sso == nil {
		t.Fatal("no SSO cookie")
	}
	for _, cookies := range [][]*http.Cookie{nil, {sso}, {sso, {Name: portalCookie, Value: "Zm9v.forged"}}} {
		for _, path := range []string{"/account/apps", "/account/profile", "/account/settings", "/account/security", "/account/privacy", "/account/export.json", "/account/export.html",
			"/account/organizations", "/account/organizations/some-org"} {
			req, _ := http.NewRequest(http.MethodGet, e.issuer+path, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/account/login?") {
				t.Errorf("GET %s with %d cookies: %d to %q, want the portal's sign-in", path, len(cookies), resp.StatusCode, resp.Header.Get("Location"))
			}
		}
	}
}

// TestConsentPolicyVersions: the privacy page lists the consent policy of
// the application; a new version of a document shows as not granted,
// accepting it keeps the old version in the history, and a document the
// policy does not name cannot be posted.
func TestConsentPolicyVersions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	u := e.signedIn(t, "alice@example.com")
	u.post("/account/consents", "consent", "marketing", "decision", "in")
	err := e.store.SetConsentPolicy(ctx, "default", []storage.ConsentDocument{
		{Name: "marketing", Version: "2", Title: "Offers by e-mail (2027)", URL: "https://shop.example/offers"}})
	if err != nil {
		t.Fatal(err)
	}
	p := u.get("/account/privacy")
	wantBody(t, "privacy page after a new version", p, "Offers by e-mail (2027)", `href="https://shop.example/offers"`,
		"Give consent: Offers by e-mail (2027)")
	if strings.Contains(p.body, "terms_of_service") {
		t.Errorf("a document no longer in the policy is offered:\n%s", p.body)
	}
	e.clock.Advance(time.Second)
	u.post("/account/consents", "consent", "marketing", "decision", "in")
	recs, _ := e.store.ListConsents(ctx, u.account.ID)
	versions := map[string]bool{}
	for _, r := range recs {
		if r.Consent == "marketing" {
			versions[r.Version] = true
		}
	}
	if !versions["1"] || !versions["2"] {
		t.Fatalf("consent records %+v, want marketing versions 1 and 2 kept", recs)
	}
	wantStatus(t, "a document outside the policy", u.post("/account/consents", "consent", "terms_of_service", "decision", "out"), http.StatusNotFound)

	// Withdrawing names each version withdrawn; withdrawing nothing given
	// writes no history.
	e.clock.Advance(time.Second)
	u.post("/account/consents", "consent", "marketing", "decision", "out")
	e.clock.Advance(time.Second)
	u.post("/account/consents", "consent", "marketing", "decision", "out")
	events, _ := e.store.ListConsentEvents(ctx, u.account.ID)
	var revoked []string
	for _, ev := range events {
		if ev.Consent == "marketing" && ev.Action == storage.ConsentRevoked {
			revoked = append(revoked, ev.Version)
		}
	}
	slices.Sort(revoked)
	if !slices.Equal(revoked, []string{"1", "2"}) {
		t.Fatalf("withdrawal history %v, want versions 1 and 2 once each", revoked)
	}
}
