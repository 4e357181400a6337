package selfservice_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// portalEnv is an Env with activation on whose client (ClientID) has a
// brand portal at portal (its initiate_login_uri).
func portalEnv(t *testing.T, portal string) *selfservicetest.Env {
	t.Helper()
	return selfservicetest.New(t, selfservicetest.Options{
		App:    func(a *storage.Application) { a.SelfService = storage.DefaultSelfServicePolicy() },
		Client: func(c *storage.Client) { c.InitiateLoginURI = portal },
	})
}

// setSelfRegistered marks the client as registered by itself (RFC 7591)
// or, with on false, by the operator again.
func setSelfRegistered(t *testing.T, env *selfservicetest.Env, on bool) {
	t.Helper()
	ctx := context.Background()
	c, err := env.Store.GetClient(ctx, selfservicetest.ClientID)
	if err != nil {
		t.Fatal(err)
	}
	c.RegistrationTokenHash = nil
	if on {
		c.RegistrationTokenHash = []byte("digest")
	}
	if err := env.Store.UpdateClient(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// registerFor registers email in a new browser and returns the
// registration's interaction and its activation link.
func registerFor(t *testing.T, env *selfservicetest.Env, email string) (string, string) {
	t.Helper()
	id, b, p := registerPage(t, env)
	if got := b.Submit(p, regFields(email, newcomerPass)); got.Status != http.StatusOK || !strings.Contains(got.Body, "Check your email") {
		t.Fatalf("registering %s: %d\n%s", email, got.Status, got.Body)
	}
	return id, activationLink(t, env, email)
}

// Forged and expired links get a clear page; a link whose request was
// answered meanwhile goes to the client's brand portal with the address as
// login_hint (unless the client registered itself); a link whose request
// is gone says the account is active.
func TestActivationLinks(t *testing.T) {
	t.Parallel()
	env := portalEnv(t, "http://127.0.0.1:9/portal")
	ctx := context.Background()
	const invalid = "activation link is invalid"
	deadLink(t, env.Browser(t), env.Server.URL+selfservice.ActivatePath+"?token=forged", invalid)

	pending := env.AccountWith(t, &storage.Account{Status: storage.AccountPending, Email: "late@example.com"}, "")
	now := env.Clock.Now()
	sum := sha256.Sum256([]byte("expired-token"))
	if err := env.Store.CreateOneTimeSecret(ctx, &storage.OneTimeSecret{Purpose: "activation", Hash: sum[:],
		AccountID: pending.ID, ExpiresAt: now.Add(-time.Minute), CreatedAt: now.Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	deadLink(t, env.Browser(t), env.Server.URL+selfservice.ActivatePath+"?token=expired-token", invalid)

	// The request was answered meanwhile: the client's brand portal, with
	// the address as login_hint and the issuer.
	id, link := registerFor(t, env, "portal@example.com")
	in, err := env.Store.GetInteraction(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	in.SessionID = "answered-elsewhere"
	if err := env.Store.UpdateInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	sent := confirmLink(t, env.Browser(t), link)
	loc, err := url.Parse(sent.Resp.Header.Get("Location"))
	if err != nil || sent.Status != http.StatusSeeOther || loc.Host != "127.0.0.1:9" || loc.Path != "/portal" ||
		loc.Query().Get("login_hint") != "portal@example.com" || loc.Query().Get("iss") != env.Server.URL {
		t.Errorf("activation after the request was answered: %d to %q (%v)\n%s", sent.Status, loc, err, sent.Body)
	}
	if acct := findAccount(t, env, "portal@example.com"); acct.Status != storage.AccountEnabled || !acct.EmailConfirmed {
		t.Errorf("after activation through the portal: %+v", acct)
	}

	// A self-registered client's initiate_login_uri is no portal the
	// operator vouched for: no redirect there, the "account is active" page.
	setSelfRegistered(t, env, true)
	_, link = registerFor(t, env, "selfreg@example.com")
	if p := confirmLink(t, env.Browser(t), link); p.Status != http.StatusOK || !strings.Contains(p.Body, "Your account is active") {
		t.Errorf("activation for a self-registered client: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	setSelfRegistered(t, env, false)

	// The request is gone: a page saying the account is active.
	id, link = registerFor(t, env, "gone@example.com")
	if err := env.Store.DeleteInteraction(ctx, id); err != nil {
		t.Fatal(err)
	}
	if p := confirmLink(t, env.Browser(t), link); p.Status != http.StatusOK || !strings.Contains(p.Body, "Your account is active") {
		t.Errorf("activation without its request: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
}

// findAccount is the account of the store with the address.
func findAccount(t *testing.T, env *selfservicetest.Env, email string) *storage.Account {
	t.Helper()
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, email)
	if err != nil {
		t.Fatalf("account %s: %v", email, err)
	}
	return acct
}

// When the client has a brand portal, the "someone tried to sign up" mail
// links to a sign-in there (authz's initiated login), address filled in;
// a self-registered client's portal gets no link, the account portal's
// instead.
func TestSignupAttemptLinksToThePortal(t *testing.T) {
	t.Parallel()
	env := portalEnv(t, "https://portal.example/login")
	for _, owner := range []string{"owner@example.com", "other@example.com"} {
		env.Account(t, owner, newcomerPass)
	}
	_, b, p := registerPage(t, env)
	b.Submit(p, regFields("owner@example.com", "a-new-and-long-password"))
	mails := queued(t, env, "signup_attempt_existing", "owner@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d signup-attempt mails, want 1", len(mails))
	}
	want := env.Server.URL + selfservicetest.InitiatePath + "?" +
		url.Values{"client_id": {selfservicetest.ClientID}, "login_hint": {"owner@example.com"}}.Encode()
	if !strings.Contains(mails[0].Text, "\n"+want+"\n") {
		t.Fatalf("the mail does not link to a sign-in at the portal (%s):\n%s", want, mails[0].Text)
	}
	if got := env.Browser(t).Get(want); got.Status != http.StatusOK ||
		!slices.Equal(env.Initiated(), []selfservicetest.Initiation{{ClientID: selfservicetest.ClientID, LoginHint: "owner@example.com"}}) {
		t.Errorf("following the link: %d, initiated %+v", got.Status, env.Initiated())
	}

	setSelfRegistered(t, env, true)
	_, b, p = registerPage(t, env)
	b.Submit(p, regFields("other@example.com", "a-new-and-long-password"))
	mails = queued(t, env, "signup_attempt_existing", "other@example.com")
	if len(mails) != 1 || strings.Contains(mails[0].Text, selfservicetest.InitiatePath) || strings.Contains(mails[0].Text, "portal.example") {
		t.Errorf("%d signup-attempt mails for a self-registered client, want 1 without a portal link: %+v", len(mails), mails)
	}
	// Instead, the account portal (the harness's one store has the portal
	// client PortalClientID, so no ?store=).
	if len(mails) == 1 && !strings.Contains(mails[0].Text, "\n"+env.Server.URL+selfservicetest.AccountPath+"\n") {
		t.Errorf("the mail does not link to the account portal:\n%s", mails[0].Text)
	}
}
