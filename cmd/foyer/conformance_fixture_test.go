package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
)

// via is how an error reaches whoever made the request.
type via string

const (
	viaRedirect via = "redirect to the client" // error=... in the redirect URI's query
	viaFormPost via = "form_post to the client"
	viaPage     via = "error page at Foyer" // never a redirect: the client or its URI is not trusted
	viaJSON     via = "JSON error"          // a back-channel endpoint's answer
)

// outcome is what a request got: how, the HTTP status, the OAuth error code.
type outcome struct {
	via    via
	status int
	code   string
}

func (o outcome) String() string { return fmt.Sprintf("%s, %d, %q", o.via, o.status, o.code) }

// conformanceFixture is one server with alice and the clients the plans
// need, and a second server whose codes and pushed requests expire at once.
type conformanceFixture struct {
	srv     *testServer
	rp      *relyingParty // confidential, first-party: code, refresh, client credentials
	other   *relyingParty // another confidential client
	public  *relyingParty // public, PKCE
	parOnly *relyingParty // must use pushed authorization requests
	short   *testServer
	shortRP *relyingParty
}

func newConformanceFixture(t *testing.T, store, shortStore storage.Store) *conformanceFixture {
	t.Helper()
	fx := &conformanceFixture{srv: startServer(t, store)}
	fx.srv.account(t, "alice@example.com", alicePass)
	confidential := authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback}, FirstParty: true,
		GrantTypes: []string{"authorization_code", "refresh_token", "client_credentials"}}
	scopes := []string{oidc.ScopeOpenID, oidc.ScopeOfflineAccess}
	id, secret := fx.srv.client(t, confidential)
	fx.rp = newRelyingParty(t, fx.srv.issuer, id, secret, scopes...)
	id, secret = fx.srv.client(t, confidential)
	fx.other = newRelyingParty(t, fx.srv.issuer, id, secret, scopes...)
	id, _ = fx.srv.client(t, authz.ClientSpec{Name: "SPA", RedirectURIs: []string{rpCallback}, FirstParty: true,
		GrantTypes: []string{"authorization_code", "refresh_token"}, Public: true})
	fx.public = newRelyingParty(t, fx.srv.issuer, id, "", scopes...)
	id, secret = parRequiredClient(t, fx.srv, confidential)
	fx.parOnly = newRelyingParty(t, fx.srv.issuer, id, secret, scopes...)

	fx.short = startServer(t, shortStore, withAuthzLifespans(time.Nanosecond, time.Nanosecond))
	fx.short.account(t, "alice@example.com", alicePass)
	id, secret = fx.short.client(t, confidential)
	fx.shortRP = newRelyingParty(t, fx.short.issuer, id, secret, scopes...)
	return fx
}

// authURL is a valid authorization request of rp (PKCE S256, nonce, state
// "state-0001") changed by edit.
func authURL(rp *relyingParty, edit func(q url.Values)) string {
	u, _ := url.Parse(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oidc.Nonce("nonce-0001")))
	q := u.Query()
	if edit != nil {
		edit(q)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// set returns an edit that sets (or, for "", deletes) parameters given as
// name, value pairs.
func set(pairs ...string) func(url.Values) {
	return func(q url.Values) {
		for i := 0; i+1 < len(pairs); i += 2 {
			if pairs[i+1] == "" {
				q.Del(pairs[i])
			} else {
				q.Set(pairs[i], pairs[i+1])
			}
		}
	}
}

// authorize sends a browser without a session to u and sees what it gets.
func authorize(t *testing.T, srv *testServer, u string) outcome {
	t.Helper()
	return classify(t, newBrowser(t, srv.Listener.Addr().String()).get(u))
}

// classify tells a redirect to the client, a form_post page and an error
// page at Foyer apart.
func classify(t *testing.T, p *page) outcome {
	t.Helper()
	if loc := p.resp.Header.Get("Location"); loc != "" {
		u, err := url.Parse(loc)
		if err != nil || !strings.HasPrefix(loc, rpCallback) {
			return outcome{via: via("redirect to " + loc), status: p.status}
		}
		q := u.Query()
		if q.Get("error") == "" {
			q, _ = url.ParseQuery(u.Fragment)
		}
		return outcome{via: viaRedirect, status: p.status, code: q.Get("error")}
	}
	if p.status == http.StatusOK && strings.Contains(p.body, `action="`+rpCallback+`"`) {
		_, values := parseForm(t, p.body)
		return outcome{via: viaFormPost, status: p.status, code: values.Get("error")}
	}
	if p.url.Host != "" && p.url.Path != authz.AuthorizePath {
		// followed a redirect inside Foyer (to the sign-in page): no error
		return outcome{via: via("page at " + p.url.Path), status: p.status}
	}
	return outcome{via: viaPage, status: p.status}
}

// backChannel posts form to an endpoint of srv, with HTTP Basic when id is
// set, and reads the JSON error.
func backChannel(t *testing.T, srv *testServer, path string, form url.Values, id, secret string) outcome {
	t.Helper()
	status, body := postForm(t, srv.issuer+path, form, id, secret)
	code, _ := body["error"].(string)
	return outcome{via: viaJSON, status: status, code: code}
}

// code signs alice in at rp's server and returns a code and its verifier.
func code(t *testing.T, srv *testServer, rp *relyingParty) (string, string) {
	t.Helper()
	v := oauth2.GenerateVerifier()
	cb := newBrowser(t, srv.Listener.Addr().String()).signIn(
		rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
	if cb.Query().Get("code") == "" {
		t.Fatalf("no code: %s", cb)
	}
	return cb.Query().Get("code"), v
}

// tokens signs alice in and exchanges the code.
func tokens(t *testing.T, srv *testServer, rp *relyingParty) *oauth2.Token {
	t.Helper()
	c, v := code(t, srv, rp)
	tok, err := rp.oauth.Exchange(context.Background(), c, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return tok
}

// exchange is a code exchange by rp, outcome only.
func exchange(t *testing.T, srv *testServer, rp *relyingParty, code, verifier string) outcome {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return backChannel(t, srv, authz.TokenPath, form, rp.oauth.ClientID, rp.oauth.ClientSecret)
}

// refresh is a refresh-token grant by rp, outcome only.
func refresh(t *testing.T, srv *testServer, rp *relyingParty, token string) outcome {
	t.Helper()
	return backChannel(t, srv, authz.TokenPath, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}},
		rp.oauth.ClientID, rp.oauth.ClientSecret)
}

// pushed pushes rp's valid authorization request (changed by edit) and
// returns the request_uri.
func pushed(t *testing.T, srv *testServer, rp *relyingParty, edit func(url.Values)) string {
	t.Helper()
	u, _ := url.Parse(authURL(rp, edit))
	status, body := push(t, srv, u.Query(), rp.oauth.ClientID, rp.oauth.ClientSecret)
	uri, _ := body["request_uri"].(string)
	if status != http.StatusCreated || uri == "" {
		t.Fatalf("push: %d %v", status, body)
	}
	return uri
}

// pushOutcome pushes rp's authorization request changed by edit, with the
// given credentials, outcome only.
func pushOutcome(t *testing.T, srv *testServer, rp *relyingParty, edit func(url.Values), id, secret string) outcome {
	t.Helper()
	u, _ := url.Parse(authURL(rp, edit))
	form := u.Query()
	if id != "" {
		form.Del("client_id")
	}
	return backChannel(t, srv, authz.PARPath, form, id, secret)
}

// bearer calls UserInfo with an Authorization header, outcome only.
func bearer(t *testing.T, srv *testServer, header string) outcome {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.issuer+authz.UserInfoPath, nil)
	if header != "" {
		req.Header.Set("Authorization", header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var e struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return outcome{via: viaJSON, status: resp.StatusCode, code: e.Error}
}
