package selfservice_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"foyer/selfservice"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// storeEnv is an Env whose identity store has the given identifier types
// and attributes, with activation on or off.
func storeEnv(t *testing.T, activation bool, types []storage.IdentifierType, attrs []storage.AttributeDef) *selfservicetest.Env {
	t.Helper()
	return selfservicetest.New(t, selfservicetest.Options{
		IdentityStore: func(s *storage.IdentityStore) { s.IdentifierTypes, s.Attributes = types, attrs },
		App: func(a *storage.Application) {
			a.SelfService = storage.DefaultSelfServicePolicy()
			a.SelfService.ActivationEnabled = activation
		},
	})
}

var allTypes = []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone}

func withFields(base map[string]string, extra ...string) map[string]string {
	for i := 0; i+1 < len(extra); i += 2 {
		base[extra[i]] = extra[i+1]
	}
	return base
}

// registered expects p to be the end of a registration handed back to
// authz for interaction id.
func registered(t *testing.T, env *selfservicetest.Env, id string, p *selfservicetest.Page) selfservicetest.Resumption {
	t.Helper()
	if p.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("registration did not finish: %d at %s\n%s", p.Status, p.URL, p.Body)
	}
	return env.Resumed(t, id)
}

// The store's identifier types and visible attributes become fields;
// username and phone are optional next to an e-mail; attributes land in
// the account.
func TestRegistrationFieldsFromStore(t *testing.T) {
	t.Parallel()
	attrs := []storage.AttributeDef{{Name: "given_name", Required: true, Visible: true, Editable: true},
		{Name: "loyalty_no", Visible: true, Editable: true}, {Name: "internal", Required: true}}
	env := storeEnv(t, false, allTypes, attrs)
	_, _, p := registerPage(t, env)
	for _, want := range []string{`name="email"`, `name="username"`, `name="phone"`, `name="attr.given_name"`,
		`name="attr.loyalty_no"`, `>loyalty_no (optional)</label>`, `Username (optional)`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("registration page lacks %s", want)
		}
	}
	if strings.Contains(p.Body, "attr.internal") {
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
			_, b, p := registerPage(t, env)
			if got := b.Submit(p, tc.fields); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, tc.want) {
				t.Errorf("%d, want 400 with %q:\n%s", got.Status, tc.want, got.Body)
			}
		})
	}
	id, b, p := registerPage(t, env)
	registered(t, env, id, b.Submit(p, withFields(regFields("full@example.com", newcomerPass), "attr.given_name", "Frida",
		"username", "frida", "phone", "+41 79 123 45 67")))
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierUsername, "frida")
	if err != nil || acct.Phone != "+41791234567" || acct.Email != "full@example.com" || acct.Attributes["given_name"] != "Frida" {
		t.Fatalf("account = %+v, %v", acct, err)
	}
	// Without activation, taken identifiers are field errors.
	for field, value := range map[string]string{"username": "Frida", "phone": "+41791234567"} {
		_, b, p := registerPage(t, env)
		got := b.Submit(p, withFields(regFields(field+"@example.com", newcomerPass), "attr.given_name", "X", field, value))
		if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, `id="`+field+`-error"`) {
			t.Errorf("taken %s: %d\n%s", field, got.Status, got.Body)
		}
	}
}

// A username-only store: the username is required and no address is asked.
func TestRegistrationUsernameOnlyStore(t *testing.T) {
	t.Parallel()
	env := storeEnv(t, false, []storage.IdentifierType{storage.IdentifierUsername}, nil)
	_, b, p := registerPage(t, env)
	if p.Has("email") || !p.Has("username") || strings.Contains(p.Body, "Username (optional)") {
		t.Fatalf("username-only registration page:\n%s", p.Body)
	}
	fields := map[string]string{"password": newcomerPass, "password_confirm": newcomerPass, "accept_terms": "on"}
	if got := b.Submit(p, fields); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "Choose a username.") {
		t.Fatalf("missing username: %d\n%s", got.Status, got.Body)
	}
	id, b, p := registerPage(t, env)
	registered(t, env, id, b.Submit(p, withFields(fields, "username", "kiosk-kim")))
}

// With activation on, a taken username or phone gets the same page as a
// new registration; only the typed address is written to.
func TestRegistrationTakenIdentifiersWithActivation(t *testing.T) {
	t.Parallel()
	env := storeEnv(t, true, allTypes, nil)
	holder := env.AccountWith(t, &storage.Account{Email: "holder@example.com", Username: "taken", Phone: "+41790000000"}, "")
	_, b, p := registerPage(t, env)
	fresh := b.Submit(p, withFields(regFields("new@example.com", newcomerPass), "username", "fresh"))
	for field, value := range map[string]string{"username": "TAKEN", "phone": "+41790000000"} {
		_, b, p := registerPage(t, env)
		got := b.Submit(p, withFields(regFields(field+"@example.com", newcomerPass), field, value))
		// The page names the address typed, and otherwise is the same.
		same := func(p *selfservicetest.Page, typed string) string {
			return hiddenValues.ReplaceAllString(strings.ReplaceAll(p.Body, typed, "ADDRESS"), "")
		}
		if got.Status != fresh.Status || same(got, field+"@example.com") != same(fresh, "new@example.com") {
			t.Errorf("taken %s answered differently:\n%s\n---\n%s", field, fresh.Body, got.Body)
		}
		if n := len(queued(t, env, "notice", field+"@example.com")); n != 1 {
			t.Errorf("%d notices to the registrant of a taken %s, want 1", n, field)
		}
	}
	// Typed again and again, the address gets one such notice per interval.
	for range 3 {
		_, b, p := registerPage(t, env)
		b.Submit(p, withFields(regFields("username@example.com", newcomerPass), "username", "taken"))
	}
	if n := len(queued(t, env, "notice", "username@example.com")); n != 1 {
		t.Errorf("%d notices after registering again and again, want 1 per interval", n)
	}
	list, _ := env.Store.ListNotifications(context.Background(), 100)
	for _, n := range list {
		if n.To == holder.Email || n.To == holder.Phone {
			t.Errorf("the holder was told: %+v", n)
		}
	}
}

var resendForm = regexp.MustCompile(`(?s)<form method="post" action="` + selfservice.ResendActivationPath + `">.*?</form>`)

// "Send a new link" on the not-activated page: a new link that activates,
// throttled per account, refused without the proved password.
func TestResendActivation(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	ctx := context.Background()
	// A pending account whose first link is long gone (no secret left).
	late := env.AccountWith(t, &storage.Account{Status: storage.AccountPending, Email: "late@example.com"}, newcomerPass)

	b := env.Browser(t)
	id, login := env.Start(t, b, nil)
	p := b.Submit(login, map[string]string{"identifier": "late@example.com"})
	// Before the password there is no button.
	if strings.Contains(p.Body, selfservice.ResendActivationPath) {
		t.Fatalf("resend offered before the password:\n%s", p.Body)
	}
	p = b.Submit(p, map[string]string{"password": newcomerPass})
	form := resendForm.FindString(p.Body)
	if p.Status != http.StatusForbidden || form == "" {
		t.Fatalf("pending page without the resend button: %d\n%s", p.Status, p.Body)
	}
	resendPage := &selfservicetest.Page{Status: p.Status, Body: form, URL: p.URL}
	if sent := b.Submit(resendPage, nil); sent.Status != http.StatusOK || !strings.Contains(sent.Body, "We sent a new activation link") {
		t.Fatalf("resend: %d\n%s", sent.Status, sent.Body)
	}
	if again := b.Submit(resendPage, nil); again.Status != http.StatusTooManyRequests || !strings.Contains(again.Body, "sent moments ago") {
		t.Fatalf("second resend: %d\n%s", again.Status, again.Body)
	}
	mails := queued(t, env, "activation", "late@example.com")
	if len(mails) != 1 {
		t.Fatalf("%d activation mails, want 1", len(mails))
	}
	events, _ := env.Store.ListEvents(ctx, late.ID, 20)
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
	_, values := selfservicetest.Form(t, login.Body)
	other := env.Browser(t)
	otherID, fresh := env.Start(t, other, nil)
	for name, fields := range map[string]map[string]string{
		"login signature": {"interaction": id, "sig": values.Get("sig")},
		"unproved flow":   {"interaction": otherID, "sig": env.Steps.Sign(otherID, "resend")},
	} {
		forged := &selfservicetest.Page{Body: `<form method="post" action="` + selfservice.ResendActivationPath + `"></form>`, URL: fresh.URL}
		if got := other.Submit(forged, fields); got.Status != http.StatusBadRequest {
			t.Errorf("%s: %d\n%s", name, got.Status, got.Body)
		}
	}
	if n := len(queued(t, env, "activation", "late@example.com")); n != 1 {
		t.Errorf("forged requests sent mail: %d", n)
	}

	// The new link activates and resumes the request that asked for it.
	link := ""
	for _, line := range strings.Split(mails[0].Text, "\n") {
		if strings.HasPrefix(line, env.Server.URL+selfservice.ActivatePath+"?token=") {
			link = strings.TrimSpace(line)
		}
	}
	sec, _ := env.Store.LatestOneTimeSecret(ctx, late.ID, "activation")
	if sec.Data != id {
		t.Fatalf("latest secret resumes %q, want %q", sec.Data, id)
	}
	if done := confirmLink(t, b, link); done.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("the new link: %d at %s\n%s", done.Status, done.URL, done.Body)
	}
	if r := env.Resumed(t, id); r.AccountID != late.ID {
		t.Fatalf("handed back %+v, want late's account", r)
	}
}
