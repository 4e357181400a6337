package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// unsignedRequestObject is an "alg": "none" request object carrying claims.
func unsignedRequestObject(t *testing.T, claims map[string]any) string {
	t.Helper()
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	body, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return header + "." + base64.RawURLEncoding.EncodeToString(body) + "."
}

// TestRequestObjectsRefused: discovery says request objects are not
// supported, and they are not. A client with registered keys (the
// attacker's) sends an unsigned request object naming another client (the
// victim application); Foyer answers request_not_supported to the sending
// client and never shows a sign-in page, so nothing can be issued to the
// client the object names. request_uri other than a PAR reference is
// refused the same way, and neither may be pushed.
func TestRequestObjectsRefused(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	srv.account(t, "alice@example.com", alicePass)
	victimID, _ := srv.client(t, authz.ClientSpec{Name: "Bank", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true, RequirePushedAuthorizationRequests: true})
	key := newClientKey(t, jose.RS256, "k1")
	attackerID, attackerSecret := srv.client(t, authz.ClientSpec{Name: "Game", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, JWKS: key.jwks(t)})
	object := unsignedRequestObject(t, map[string]any{
		"client_id": victimID, "redirect_uri": rpCallback, "response_type": "code", "scope": "openid",
		"state": "state-from-object",
	})
	b := newBrowser(t, srv.Listener.Addr().String())
	for name, extra := range map[string]url.Values{
		"request":     {"request": {object}},
		"request_uri": {"request_uri": {"https://attacker.example/request.jwt"}},
	} {
		q := url.Values{"client_id": {attackerID}, "redirect_uri": {rpCallback}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"state-0001"}, "code_challenge": {oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier())},
			"code_challenge_method": {"S256"}}
		for k, v := range extra {
			q[k] = v
		}
		p := b.get(srv.issuer + authz.AuthorizePath + "?" + q.Encode())
		loc, err := p.resp.Location()
		if err != nil {
			t.Fatalf("%s: %d at %s, want a redirect with the error:\n%s", name, p.status, p.url, p.body)
		}
		want := map[string]string{"request": "request_not_supported", "request_uri": "request_uri_not_supported"}[name]
		if !strings.HasPrefix(loc.String(), rpCallback) || loc.Query().Get("error") != want ||
			loc.Query().Get("state") != "state-0001" || loc.Query().Get("code") != "" {
			t.Fatalf("%s: redirected to %s, want %s with the client's own state", name, loc, want)
		}

		// Pushed, the same parameter is refused at the PAR endpoint.
		form := url.Values{}
		for k, v := range q {
			form[k] = v
		}
		status, body := push(t, srv, form, attackerID, attackerSecret)
		if status != http.StatusBadRequest || body["error"] != want {
			t.Fatalf("%s pushed: %d %v, want 400 %s", name, status, body, want)
		}
	}
}

// TestReplayedRequestKeepsItsClient: an interaction belongs to the client
// that was checked when it was created. A stored request that names
// another client (written before request objects were refused, or by any
// other path) is refused at resume and at consent; nothing is issued to
// either client.
func TestReplayedRequestKeepsItsClient(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		srv := startServer(t, newStore(t))
		ctx := context.Background()
		srv.account(t, "alice@example.com", alicePass)
		victimID, _ := srv.client(t, authz.ClientSpec{Name: "Bank", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true})
		attackerID, attackerSecret := srv.client(t, authz.ClientSpec{Name: "Game", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}})

		for _, stage := range []string{"resume", "consent"} {
			rp := newRelyingParty(t, srv.issuer, attackerID, attackerSecret, oidc.ScopeOpenID)
			v := oauth2.GenerateVerifier()
			b := newBrowser(t, srv.Listener.Addr().String())
			if stage == "consent" {
				// A session first, so that the attacker's request goes to
				// the consent page (third-party client) at once.
				b.signIn(newRelyingParty(t, srv.issuer, victimID, "", oidc.ScopeOpenID).oauth.AuthCodeURL("state-0000",
					oauth2.S256ChallengeOption(v)), "alice@example.com", alicePass)
			}
			noRedirect := *b.Client
			noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
			resp, err := noRedirect.Get(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(v)))
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			next, _ := resp.Location()
			id := next.Query().Get("interaction")
			if id == "" {
				t.Fatalf("%s: no interaction in %s", stage, next)
			}
			in := storedInteraction(t, srv, b, id)
			swapped := strings.Replace(in.Request, "client_id="+url.QueryEscape(attackerID), "client_id="+url.QueryEscape(victimID), 1)
			if swapped == in.Request {
				t.Fatalf("client_id not found in %s", in.Request)
			}
			in.Request = swapped
			if err := srv.store.DeleteInteraction(ctx, id); err != nil {
				t.Fatal(err)
			}
			if err := srv.store.CreateInteraction(ctx, in); err != nil {
				t.Fatal(err)
			}

			var p *page
			if stage == "resume" {
				p = b.get(next.String())
				p = b.submit(b.submit(p, map[string]string{"identifier": "alice@example.com"}), map[string]string{"password": alicePass})
			} else {
				p = b.get(next.String())
			}
			if loc, err := p.resp.Location(); err == nil {
				t.Fatalf("%s: a request whose client changed was answered with a redirect to %s", stage, loc)
			}
			if p.status != http.StatusBadRequest {
				t.Fatalf("%s: %d at %s, want 400:\n%s", stage, p.status, p.url, p.body)
			}
		}
	})
}

// multipartBody encodes fields as multipart/form-data.
func multipartBody(t *testing.T, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}

// TestRequestObjectsRefusedInMultipart: fosite reads multipart bodies
// too, so a request object posted as multipart/form-data is refused like
// one in the query or a urlencoded body at the authorization endpoint;
// PAR refuses multipart bodies altogether.
func TestRequestObjectsRefusedInMultipart(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqltest.SQLite(t))
	victimID, _ := srv.client(t, authz.ClientSpec{Name: "Bank", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	key := newClientKey(t, jose.RS256, "k1")
	attackerID, attackerSecret := srv.client(t, authz.ClientSpec{Name: "Game", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, JWKS: key.jwks(t)})
	fields := map[string]string{"client_id": attackerID, "redirect_uri": rpCallback, "response_type": "code",
		"scope": "openid", "state": "state-0001", "code_challenge_method": "S256",
		"code_challenge": oauth2.S256ChallengeFromVerifier(oauth2.GenerateVerifier()),
		"request": unsignedRequestObject(t, map[string]any{"client_id": victimID, "redirect_uri": rpCallback,
			"response_type": "code", "scope": "openid"}),
	}
	// A POST without the browser's cookies goes round by GET first.
	b := newBrowser(t, srv.Listener.Addr().String())
	body, contentType := multipartBody(t, fields)
	resp, err := b.Post(srv.issuer+authz.AuthorizePath, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if loc, _ := resp.Location(); loc == nil || loc.Query().Get("error") != "request_not_supported" {
		t.Fatalf("multipart request object at /oauth2/auth: %d %v, want request_not_supported", resp.StatusCode, loc)
	}

	body, contentType = multipartBody(t, fields)
	req, _ := http.NewRequest(http.MethodPost, srv.issuer+authz.PARPath, body)
	req.Header.Set("Content-Type", contentType)
	req.SetBasicAuth(url.QueryEscape(attackerID), url.QueryEscape(attackerSecret))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&got)
	_ = resp.Body.Close()
	// PAR takes only application/x-www-form-urlencoded (RFC 9126 section
	// 2.1): a multipart body is refused before anything in it is read.
	if resp.StatusCode != http.StatusBadRequest || got["error"] != "invalid_request" {
		t.Fatalf("multipart request object at /oauth2/par: %d %v, want 400 invalid_request", resp.StatusCode, got)
	}
}
