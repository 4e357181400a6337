package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestPortalDeleteAccount: deletion demands a fresh sign-in and a
// confirmation, tells relying parties by back-channel logout, removes
// everything of the account and keeps one event without its id.
func TestPortalDeleteAccount(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		received := make(chan string, 4)
		bc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ParseForm() == nil && r.PostForm.Get("logout_token") != "" {
				received <- r.PostForm.Get("logout_token")
			}
		}))
		t.Cleanup(bc.Close)
		srv, ahead := freshServer(t, newStore(t))
		ctx := t.Context()
		alice := srv.account(t, "alice@example.com", alicePass)
		clientID, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
			GrantTypes: []string{"authorization_code"}, FirstParty: true, BackchannelLogoutURI: bc.URL + "/bc"})
		rp := newRelyingParty(t, srv.issuer, clientID, secret, oidc.ScopeOpenID)
		u := &portalUser{srv: srv, b: newBrowser(t, srv.Listener.Addr().String()), account: alice}
		verifier := oauth2.GenerateVerifier()
		u.b.signIn(rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(verifier)), "alice@example.com", alicePass)
		// Single sign-on: the portal opens without a password.
		if p := u.get("/account"); p.url.Path != "/account/apps" {
			t.Fatalf("portal with an SSO session: %d at %s", p.status, p.url)
		}
		if _, err := srv.store.SaveGrant(ctx, alice.ID, clientID, []string{"openid"}); err != nil {
			t.Fatal(err)
		}

		ahead.Store(int64(staleSignInAge))
		wantBody(t, "stale settings", u.get("/account/settings"), "sign in again before you do this", ">Sign in again<")
		if p := u.post("/account/delete", "confirm", "yes"); !strings.Contains(p.body, `name="password"`) && !strings.Contains(p.body, `name="identifier"`) {
			t.Fatalf("stale deletion: expected a sign-in page, got %d at %s", p.status, p.url)
		}
		if _, err := srv.store.GetAccount(ctx, alice.ID); err != nil {
			t.Fatalf("account gone after a stale deletion: %v", err)
		}
		ahead.Store(0)
		p := signInAgain(t, u, u.get("/account/login?fresh=1&next=/account/settings"), alicePass)
		wantStatus(t, "fresh settings", p, http.StatusOK)
		p = u.post("/account/delete")
		wantStatus(t, "unconfirmed deletion", p, http.StatusUnprocessableEntity)
		wantBody(t, "unconfirmed deletion", p, `id="confirm-error"`)

		p = u.post("/account/delete", "confirm", "yes")
		wantBody(t, "deleted", p, "Your account is deleted.")
		select {
		case <-received:
		case <-time.After(10 * time.Second):
			t.Error("no back-channel logout token for the deleted account's session")
		}
		if _, err := srv.store.GetAccount(ctx, alice.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("account after deletion: %v", err)
		}
		checkNothingLeft(t, srv, alice.ID)
		anon, err := srv.store.ListEvents(ctx, "", 10)
		if err != nil || len(anon) == 0 || anon[0].Kind != "account.deleted" || anon[0].AccountID != "" ||
			strings.Contains(anon[0].Actor+strings.Join(mapValues(anon[0].Data), ""), alice.ID) {
			t.Errorf("anonymised deletion event: %+v, %v", anon, err)
		}
		// Signing in again fails.
		b := newBrowser(t, srv.Listener.Addr().String())
		p = b.get(srv.issuer + "/account")
		p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
		if strings.Contains(p.body, `name="password"`) {
			p = b.submit(p, map[string]string{"password": alicePass})
		}
		if p.url.Path == "/account/apps" {
			t.Fatal("signed in to a deleted account")
		}
	})
}

func checkNothingLeft(t *testing.T, srv *testServer, id string) {
	t.Helper()
	ctx := t.Context()
	sessions, _ := srv.store.ListSessionsByAccount(ctx, id)
	grants, _ := srv.store.ListGrants(ctx, id)
	events, _ := srv.store.ListEvents(ctx, id, 10)
	tokens, _ := srv.store.RevokeTokensBySubject(ctx, id)
	_, pwErr := srv.store.GetPassword(ctx, id)
	if len(sessions)+len(grants)+len(events) != 0 || tokens != 0 || !errors.Is(pwErr, storage.ErrNotFound) {
		t.Errorf("left after deletion: %d sessions, %d grants, %d events, %d tokens, password %v",
			len(sessions), len(grants), len(events), tokens, pwErr)
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
