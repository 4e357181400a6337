package selfservicetest

import (
	"context"
	"net/url"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/storage"
)

// seed stores the identity store, the application and its clients.
func (e *Env) seed(t testing.TB, o Options) {
	t.Helper()
	ctx := context.Background()
	is := &storage.IdentityStore{ID: StoreID, Name: "Customers",
		IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername}}
	if o.IdentityStore != nil {
		o.IdentityStore(is)
	}
	if err := e.Store.CreateIdentityStore(ctx, is); err != nil {
		t.Fatal(err)
	}
	app := &storage.Application{ID: AppID, StoreID: StoreID, Name: AppName}
	if o.App != nil {
		o.App(app)
	}
	if err := e.Store.CreateApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*storage.Client{
		{ID: ClientID, Name: "Shop", RedirectURIs: []string{"https://shop.example/callback"}},
		{ID: PortalClientID, Name: "Account portal", RedirectURIs: []string{"https://id.example/account/callback"}},
	} {
		c.ApplicationID, c.Public, c.FirstParty = AppID, true, true
		c.GrantTypes, c.ResponseTypes, c.Scopes = []string{"authorization_code"}, []string{"code"}, []string{"openid", "email"}
		if c.ID == ClientID && o.Client != nil {
			o.Client(c)
		}
		if err := e.Store.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
}

// Account creates an enabled account in the identity store with a
// confirmed e-mail address and, unless pw is empty, a password.
func (e *Env) Account(t testing.TB, email, pw string) *storage.Account {
	t.Helper()
	return e.AccountWith(t, &storage.Account{Email: email, EmailConfirmed: true}, pw)
}

// AccountWith stores a (its store and status defaulted) with password pw,
// if any.
func (e *Env) AccountWith(t testing.TB, a *storage.Account, pw string) *storage.Account {
	t.Helper()
	ctx := context.Background()
	if a.StoreID == "" {
		a.StoreID = StoreID
	}
	if a.Status == "" {
		a.Status = storage.AccountEnabled
	}
	if err := e.Store.CreateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if pw != "" {
		hash, err := e.Hasher.Hash(ctx, pw)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Store.SetPassword(ctx, a.ID, hash); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

// Interaction creates an interaction of the client (ClientID when empty)
// for the authorization request params, bound to browser b as authz's
// authorization endpoint binds it, and returns its id.
func (e *Env) Interaction(t testing.TB, b *Browser, clientID string, params map[string]string) string {
	t.Helper()
	if clientID == "" {
		clientID = ClientID
	}
	q := make(map[string][]string, len(params)+3)
	q["client_id"], q["response_type"], q["scope"] = []string{clientID}, []string{"code"}, []string{"openid email"}
	for k, v := range params {
		q[k] = []string{v}
	}
	now := e.Clock.Now().UTC()
	in := &storage.Interaction{ID: randomID(), ClientID: clientID, Request: encode(q), CreatedAt: now,
		ExpiresAt: now.Add(30 * time.Minute)}
	if b != nil {
		in.Browser = b.Binding()
	}
	if err := e.Store.CreateInteraction(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// Start creates an interaction of ClientID for browser b with the
// authorization request params and opens its sign-in page.
func (e *Env) Start(t testing.TB, b *Browser, params map[string]string) (string, *Page) {
	t.Helper()
	id := e.Interaction(t, b, "", params)
	return id, b.Get(e.LoginURL(id))
}

// SignIn starts a sign-in in b and answers the identifier and password
// pages; it returns the interaction and the page the password led to (the
// resume stub's when the flow finished).
func (e *Env) SignIn(t testing.TB, b *Browser, identifier, pw string, params map[string]string) (string, *Page) {
	t.Helper()
	id, p := e.Start(t, b, params)
	if p.Status != 200 || !p.Has("identifier") {
		t.Fatalf("expected the identifier page, got %d at %s:\n%s", p.Status, p.URL, p.Body)
	}
	p = b.Submit(p, map[string]string{"identifier": identifier})
	if !p.Has("password") {
		t.Fatalf("expected the password page, got %d at %s:\n%s", p.Status, p.URL, p.Body)
	}
	return id, b.Submit(p, map[string]string{"password": pw})
}

// RegisterURL is the signed link to the registration page of interaction
// id (the sign-in page's "Create an account").
func (e *Env) RegisterURL(id string) string {
	return e.Server.URL + selfservice.RegisterPath + "?" + url.Values{"interaction": {id}, "sig": {e.Steps.Sign(id, "register")}}.Encode()
}

// RecoverURL is the signed link to the password-reset page of interaction
// id (the sign-in page's "Forgot your password?").
func (e *Env) RecoverURL(id string) string {
	return e.Server.URL + selfservice.RecoverPath + "?" + url.Values{"interaction": {id}, "sig": {e.Steps.Sign(id, "recover")}}.Encode()
}
