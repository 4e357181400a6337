package main

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/authz/keys"
	"foyer/selfservice/password"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// newStoreSetup is a registration setup whose application lives in its
// own identity store with the given identifier types and attributes.
func newStoreSetup(t *testing.T, activation bool, types []storage.IdentifierType, attrs []storage.AttributeDef) *regSetup {
	t.Helper()
	store := sqltest.SQLite(t)
	srv := startServer(t, store)
	ctx := context.Background()
	if err := store.CreateIdentityStore(ctx, &storage.IdentityStore{ID: "shop-store", Name: "Shop", IdentifierTypes: types, Attributes: attrs}); err != nil {
		t.Fatal(err)
	}
	pol := storage.DefaultSelfServicePolicy()
	pol.ActivationEnabled = activation
	if err := store.CreateApplication(ctx, &storage.Application{ID: "shop", StoreID: "shop-store", Name: "Shop", SelfService: pol}); err != nil {
		t.Fatal(err)
	}
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", ApplicationID: "shop", RedirectURIs: []string{rpCallback},
		FirstParty: true, GrantTypes: []string{"authorization_code"}})
	return &regSetup{srv: srv, rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID, "email")}
}

var allTypes = []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone}

func withFields(base map[string]string, extra ...string) map[string]string {
	for i := 0; i+1 < len(extra); i += 2 {
		base[extra[i]] = extra[i+1]
	}
	return base
}

// The store's identifier types and visible attributes become fields;
// username and phone are optional next to an e-mail; attributes land in
// the account.
func TestRegistrationFieldsFromStore(t *testing.T) {
	t.Parallel()
	attrs := []storage.AttributeDef{{Name: "given_name", Required: true, Visible: true},
		{Name: "loyalty_no", Visible: true}, {Name: "internal", Required: true}}
	s := newStoreSetup(t, false, allTypes, attrs)
	_, p, _ := s.registerPage(t, "state-fields")
	for _, want := range []string{`name="email"`, `name="username"`, `name="phone"`, `name="attr.given_name"`,
		`name="attr.loyalty_no"`, `>loyalty_no (optional)</label>`, `Username (optional)`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("registration page lacks %s", want)
		}
	}
	if strings.Contains(p.body, "attr.internal") {
		t.Error("an invisible attribute is on the page")
	}
	for name, tc := range map[string]struct {
		fields map[string]string
		want   string
	}{
		"attribute required": {regFields("x@example.com", newcomerPass), "Fill in this field."},
		"phone not E.164":    {withFields(regFields("x@example.com", newcomerPass), "attr.given_name", "X", "phone", "0791234567"), "international format"},
		"username with @":    {withFields(regFields("x@example.com", newcomerPass), "attr.given_name", "X", "username", "a@b"), "without spaces"},
		"username like an id": {withFields(regFields("x@example.com", newcomerPass), "attr.given_name", "X",
			"username", "0123456789ABCDEF0123456789abcdef"), "This username is reserved."},
	} {
		t.Run(name, func(t *testing.T) {
			b, p, _ := s.registerPage(t, "state-"+name)
			got := b.submit(p, tc.fields)
			if got.status != http.StatusBadRequest || !strings.Contains(got.body, tc.want) {
				t.Errorf("%d, want 400 with %q:\n%s", got.status, tc.want, got.body)
			}
		})
	}
	b, p, verifier := s.registerPage(t, "state-full")
	s.exchange(t, b.submit(p, withFields(regFields("full@example.com", newcomerPass), "attr.given_name", "Frida",
		"username", "frida", "phone", "+41 79 123 45 67")), verifier, "state-full")
	acct, err := s.srv.store.FindAccountByIdentifier(context.Background(), "shop-store", storage.IdentifierUsername, "frida")
	if err != nil || acct.Phone != "+41791234567" || acct.Email != "full@example.com" || acct.Attributes["given_name"] != "Frida" {
		t.Fatalf("account = %+v, %v", acct, err)
	}
	// Without activation, taken identifiers are field errors.
	for field, value := range map[string]string{"username": "Frida", "phone": "+41791234567"} {
		b, p, _ := s.registerPage(t, "state-taken-"+field)
		got := b.submit(p, withFields(regFields(field+"@example.com", newcomerPass), "attr.given_name", "X", field, value))
		if got.status != http.StatusBadRequest || !strings.Contains(got.body, `id="`+field+`-error"`) {
			t.Errorf("taken %s: %d\n%s", field, got.status, got.body)
		}
	}
}

// A username-only store: the username is required and no address is asked.
func TestRegistrationUsernameOnlyStore(t *testing.T) {
	t.Parallel()
	s := newStoreSetup(t, false, []storage.IdentifierType{storage.IdentifierUsername}, nil)
	b, p, _ := s.registerPage(t, "state-names")
	if strings.Contains(p.body, `name="email"`) || !strings.Contains(p.body, `name="username"`) || strings.Contains(p.body, "Username (optional)") {
		t.Fatalf("username-only registration page:\n%s", p.body)
	}
	fields := map[string]string{"password": newcomerPass, "password_confirm": newcomerPass, "accept_terms": "on"}
	if got := b.submit(p, fields); got.status != http.StatusBadRequest || !strings.Contains(got.body, "Choose a username.") {
		t.Fatalf("missing username: %d\n%s", got.status, got.body)
	}
	b, p, verifier := s.registerPage(t, "state-names2")
	s.exchange(t, b.submit(p, withFields(fields, "username", "kiosk-kim")), verifier, "state-names2")
}

// With activation on, a taken username or phone gets the same page as a
// new registration; only the typed address is written to.
func TestRegistrationTakenIdentifiersWithActivation(t *testing.T) {
	t.Parallel()
	s := newStoreSetup(t, true, allTypes, nil)
	holder := &storage.Account{StoreID: "shop-store", Email: "holder@example.com", Username: "taken", Phone: "+41790000000"}
	if err := s.srv.store.CreateAccount(context.Background(), holder); err != nil {
		t.Fatal(err)
	}
	hidden := regexp.MustCompile(`name="(interaction|sig)" value="[^"]*"`)
	b, p, _ := s.registerPage(t, "state-new")
	fresh := b.submit(p, withFields(regFields("new@example.com", newcomerPass), "username", "fresh"))
	for field, value := range map[string]string{"username": "TAKEN", "phone": "+41790000000"} {
		b, p, _ := s.registerPage(t, "state-"+field)
		got := b.submit(p, withFields(regFields(field+"@example.com", newcomerPass), field, value))
		if got.status != fresh.status || hidden.ReplaceAllString(got.body, "") != hidden.ReplaceAllString(fresh.body, "") {
			t.Errorf("taken %s answered differently:\n%s\n---\n%s", field, fresh.body, got.body)
		}
		if n := len(s.mails(t, "notice", field+"@example.com")); n != 1 {
			t.Errorf("%d notices to the registrant of a taken %s, want 1", n, field)
		}
	}
	// Typed again and again, the address gets one such notice per interval.
	for range 3 {
		b, p, _ := s.registerPage(t, "state-again")
		b.submit(p, withFields(regFields("username@example.com", newcomerPass), "username", "taken"))
	}
	if n := len(s.mails(t, "notice", "username@example.com")); n != 1 {
		t.Errorf("%d notices after registering again and again, want 1 per interval", n)
	}
	list, _ := s.srv.store.ListNotifications(context.Background(), 100)
	for _, n := range list {
		if n.To == holder.Email || n.To == holder.Phone {
			t.Errorf("the holder was told: %+v", n)
		}
	}
}

// "Send a new link" on the not-activated page: a new link that activates,
// throttled per account, refused without the proved password.
func TestResendActivation(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	// A pending account whose first link is long gone (no secret left).
	late := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountPending, Email: "late@example.com"}
	if err := s.srv.store.CreateAccount(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	hash, err := password.NewHasher(password.OWASP).Hash(context.Background(), newcomerPass)
	if err != nil || s.srv.store.SetPassword(context.Background(), late.ID, hash) != nil {
		t.Fatal(err)
	}

	b2 := newBrowser(t, s.srv.Listener.Addr().String())
	verifier := oauth2.GenerateVerifier()
	p2 := b2.get(s.rp.oauth.AuthCodeURL("state-resend", oauth2.S256ChallengeOption(verifier)))
	login := p2
	p2 = b2.submit(p2, map[string]string{"identifier": "late@example.com"})
	// Before the password there is no button.
	if strings.Contains(p2.body, "/register/resend") {
		t.Fatalf("resend offered before the password:\n%s", p2.body)
	}
	p2 = b2.submit(p2, map[string]string{"password": newcomerPass})
	form := regexp.MustCompile(`(?s)<form method="post" action="/register/resend">.*?</form>`).FindString(p2.body)
	if p2.status != http.StatusForbidden || form == "" {
		t.Fatalf("pending page without the resend button: %d\n%s", p2.status, p2.body)
	}
	resendPage := &page{status: p2.status, body: form, url: p2.url}
	sent := b2.submit(resendPage, nil)
	if sent.status != http.StatusOK || !strings.Contains(sent.body, "We sent a new activation link") {
		t.Fatalf("resend: %d\n%s", sent.status, sent.body)
	}
	again := b2.submit(resendPage, nil)
	if again.status != http.StatusTooManyRequests || !strings.Contains(again.body, "sent moments ago") {
		t.Fatalf("second resend: %d\n%s", again.status, again.body)
	}
	mails := s.mails(t, "activation", "late@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d activation mails, want 1", len(mails))
	}
	acct := s.registered(t, "late@example.com")
	events, _ := s.srv.store.ListEvents(context.Background(), acct.ID, 20)
	resent := 0
	for _, e := range events {
		if e.Kind == "account.activation_resent" {
			resent++
		}
	}
	if resent != 1 {
		t.Errorf("%d account.activation_resent events, want 1", resent)
	}

	// Forged: the sign-in signature, and a valid resend signature of a flow
	// that never proved the password.
	in := regexp.MustCompile(`name="interaction" value="([^"]+)"`).FindStringSubmatch(login.body)[1]
	loginSig := regexp.MustCompile(`name="sig" value="([^"]+)"`).FindStringSubmatch(login.body)[1]
	other := newBrowser(t, s.srv.Listener.Addr().String())
	fresh := other.get(s.rp.oauth.AuthCodeURL("state-other", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	otherIn := regexp.MustCompile(`name="interaction" value="([^"]+)"`).FindStringSubmatch(fresh.body)[1]
	signer := session.NewStepSigner(keys.DeriveKey([]byte(testSecret), "flow-steps"))
	for name, fields := range map[string]map[string]string{
		"login signature": {"interaction": in, "sig": loginSig},
		"unproved flow":   {"interaction": otherIn, "sig": signer.Sign(otherIn, "resend")},
	} {
		got := other.submit(&page{body: `<form method="post" action="/register/resend"></form>`, url: fresh.url}, fields)
		if got.status != http.StatusBadRequest {
			t.Errorf("%s: %d\n%s", name, got.status, got.body)
		}
	}
	if n := len(s.mails(t, "activation", "late@example.com")); n != 1 {
		t.Errorf("forged requests sent mail: %d", n)
	}

	// The new link activates and resumes the request that asked for it.
	link := ""
	for _, line := range strings.Split(mails[len(mails)-1].Text, "\n") {
		if strings.HasPrefix(line, s.srv.issuer+"/register/activate?token=") {
			link = strings.TrimSpace(line)
		}
	}
	sec, _ := s.srv.store.LatestOneTimeSecret(context.Background(), acct.ID, "activation")
	if sec.Data != in {
		t.Fatalf("latest secret resumes %q, want %q", sec.Data, in)
	}
	s.exchange(t, confirmLink(t, b2, link), verifier, "state-resend")
}
