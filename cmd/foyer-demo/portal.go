package main

import (
	"net/http"
	"net/url"

	"golang.org/x/oauth2"
)

// portal is the demo's brand portal, the client's initiate_login_uri
// (OpenID Connect Core 1.0 section 4, third-party initiated login):
// Foyer's invitation and activation links send the browser here with iss,
// login_hint and target_link_uri, and the portal starts an ordinary
// authorization request with the login hint passed on. iss must be the
// configured issuer (another issuer's link starts nothing), and
// target_link_uri must lie at the demo's own origin (no open redirect).
func (d *demo) portal(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("iss") != d.issuer {
		http.Error(w, "foyer-demo: iss is not the issuer this portal trusts", http.StatusBadRequest)
		return
	}
	target := q.Get("target_link_uri")
	if target != "" && !d.ownURL(target) {
		http.Error(w, "foyer-demo: target_link_uri is not a page of this portal", http.StatusBadRequest)
		return
	}
	var extra []oauth2.AuthCodeOption
	if hint := q.Get("login_hint"); hint != "" {
		// A link for one person (an invitation names the invited address):
		// a browser signed in as someone else must sign in afresh, or the
		// request would go on as them and the hint would go unseen.
		extra = append(extra, oauth2.SetAuthURLParam("login_hint", hint), oauth2.SetAuthURLParam("prompt", "login"))
	}
	http.Redirect(w, r, d.authorize(pending{target: target}, extra...), http.StatusFound) //nolint:gosec // G710: the issuer's authorization endpoint, from discovery
}

// ownURL: u is an absolute URL at the demo's origin, without user info.
func (d *demo) ownURL(u string) bool {
	t, err := url.Parse(u)
	self, _ := url.Parse(d.self)
	return err == nil && t.User == nil && t.Scheme == self.Scheme && t.Host == self.Host
}
