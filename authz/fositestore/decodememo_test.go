package fositestore

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"

	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// TestCodeRecordDecodes: a code exchange's four reads, made as fosite
// makes them, give within a request exactly what they give without one;
// a different session object is decoded into in full, no two requesters
// share a slice, and reading the code again decodes nothing (counted in
// allocations, which do not vary from run to run).
func TestCodeRecordDecodes(t *testing.T) {
	ctx := context.Background()
	db := sqltest.SQLite(t)
	if err := db.CreateClient(ctx, &storage.Client{ID: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	sig := func(_ context.Context, code string) string { return "sig-of-" + code }
	s := New(db, nil, sig)
	sess := openid.NewDefaultSession()
	sess.Subject, sess.Claims.Subject, sess.Claims.Extra = "alice", "alice", map[string]any{"sid": "sso-1"}
	sess.SetExpiresAt(fosite.AuthorizeCode, time.Now().Add(time.Minute).UTC())
	stored := func(form url.Values) *fosite.Request {
		req := fosite.NewRequest()
		req.ID, req.Client = "request-1", NewClient(&storage.Client{ID: "shop"})
		req.RequestedScope, req.GrantedScope = fosite.Arguments{"openid"}, fosite.Arguments{"openid"}
		req.Form, req.Session = form, sess
		return req
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Each record keeps its own part of the form, as the authorization
	// endpoint stores them.
	must(s.CreateAuthorizeCodeSession(ctx, "sig-of-code", stored(url.Values{"redirect_uri": {"https://shop/cb"}})))
	must(s.CreatePKCERequestSession(ctx, "sig-of-code", stored(url.Values{"code_challenge": {"abc"}})))
	must(s.CreateOpenIDConnectSession(ctx, "code", stored(url.Values{"nonce": {"n-1"}})))

	// exchange reads as fosite's token endpoint does, setting the new
	// tokens' expiries after the first read, and returns the session and
	// the four requesters.
	exchange := func(ctx context.Context) (fosite.Session, []fosite.Requester) {
		t.Helper()
		sess := openid.NewDefaultSession()
		code, err := s.GetAuthorizeCodeSession(ctx, "sig-of-code", sess)
		must(err)
		code.GetSession().SetExpiresAt(fosite.AccessToken, time.Unix(2000000000, 0).UTC())
		pkce, err := s.GetPKCERequestSession(ctx, "sig-of-code", code.GetSession())
		must(err)
		again, err := s.GetAuthorizeCodeSession(ctx, "sig-of-code", code.GetSession())
		must(err)
		access := fosite.NewAccessRequest(code.GetSession())
		oidc, err := s.GetOpenIDConnectSession(ctx, "code", access)
		must(err)
		return code.GetSession(), []fosite.Requester{code, pkce, again, oidc}
	}
	encode := func(v any) string {
		b, err := json.Marshal(v)
		must(err)
		return string(b)
	}
	plainSession, plain := exchange(ctx)
	rctx, finish := s.BeginRequest(ctx)
	defer func() { _ = finish() }()
	memoSession, memo := exchange(rctx)
	if encode(memoSession) != encode(plainSession) {
		t.Fatalf("within a request the session is\n%s\nwithout one\n%s", encode(memoSession), encode(plainSession))
	}
	for i := range plain {
		if got, want := memo[i].GetRequestForm().Encode(), plain[i].GetRequestForm().Encode(); got != want {
			t.Errorf("read %d: form %q within a request, %q without", i, got, want)
		}
		if got, want := encode(memo[i].GetGrantedScopes()), encode(plain[i].GetGrantedScopes()); got != want {
			t.Errorf("read %d: granted scopes %s within a request, %s without", i, got, want)
		}
	}
	if memoSession.GetExpiresAt(fosite.AccessToken).IsZero() {
		t.Fatal("a later read lost the access token's expiry set after the first")
	}
	// The two reads of the code share no slice or form.
	memo[0].GetRequestForm().Set("redirect_uri", "changed")
	memo[0].(*fosite.Request).GrantedScope[0] = "changed"
	if memo[2].GetRequestForm().Get("redirect_uri") != "https://shop/cb" || memo[2].GetGrantedScopes()[0] != "openid" {
		t.Fatalf("the second read of the code shares the first one's form or scopes: %v %v", memo[2].GetRequestForm(), memo[2].GetGrantedScopes())
	}

	// Another session object is filled, not skipped.
	other := openid.NewDefaultSession()
	if _, err := s.GetAuthorizeCodeSession(rctx, "sig-of-code", other); err != nil || other.GetSubject() != "alice" {
		t.Fatalf("a second session object: subject %q (%v), want alice", other.GetSubject(), err)
	}

	// A read of the code again, into the session it filled: from the memo
	// a copy of the request (7 allocations), where decoding it again costs
	// about 40.
	again := testing.AllocsPerRun(20, func() {
		if _, err := s.GetAuthorizeCodeSession(rctx, "sig-of-code", memoSession); err != nil {
			t.Fatal(err)
		}
	})
	if again > 20 {
		t.Fatalf("reading the code again within the request: %.0f allocations, want at most 20 (no decode)", again)
	}
	t.Logf("allocations of a repeated read within a request: %.0f", again)
}
