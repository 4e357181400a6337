package portal

import (
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/storage"
	"foyer/storage/storagetest"
)

func TestProfileFields(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		// The store exposes one editable and one read-only attribute and
		// keeps one hidden.
		is := &storage.IdentityStore{ID: "customers", Name: "Customers", IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail},
			Attributes: []storage.AttributeDef{{Name: "address", Visible: true, Editable: true, Required: true},
				{Name: "tier", Visible: true}, {Name: "internal_score"}}}
		if err := e.store.CreateIdentityStore(ctx, is); err != nil {
			t.Fatal(err)
		}
		a := e.account(t, is.ID, "carol@example.com")
		a.Attributes = map[string]string{"tier": "gold", "internal_score": "7", "address": "Main St 1"}
		if err := e.store.UpdateAccountProfile(ctx, a); err != nil {
			t.Fatal(err)
		}
		u := e.browser(t, a, "")
		u.signIn()

		p := u.get("/account/profile")
		wantBody(t, "profile", p, `<label for="attr-given_name">First name`, `<label for="attr-middle_name">Middle name`,
			`<label for="attr-family_name">Last name`, `<label for="attr-address">address`, `value="Main St 1"`,
			`<label for="email">Email`, `<label for="phone">Phone number`, `value="gold" readonly`, ">Save changes<")
		if strings.Contains(p.body, "internal_score") {
			t.Error("hidden attribute shown")
		}
		// Errors appear next to their fields and change nothing.
		p = u.post("/account/profile", "given_name", "Carol", "address", "", "email", "carol@example.com", "phone", "12345")
		wantStatus(t, "invalid profile", p, http.StatusUnprocessableEntity)
		wantBody(t, "invalid profile", p, `id="attr-address-error"`, `id="phone-error"`, "international format")
		got, _ := e.store.GetAccount(ctx, a.ID)
		if got.Attributes["given_name"] != "" {
			t.Errorf("invalid form saved: %+v", got.Attributes)
		}
		// A valid form saves; the read-only and hidden attributes keep their
		// values whatever is posted.
		p = u.post("/account/profile", "given_name", "Carol", "family_name", "Jones", "address", "Elm St 2",
			"tier", "platinum", "internal_score", "99", "email", "carol@example.com", "phone", "")
		wantStatus(t, "save profile", p, http.StatusOK)
		wantBody(t, "saved", p, "Your changes are saved.", `value="Jones"`)
		got, _ = e.store.GetAccount(ctx, a.ID)
		want := map[string]string{"given_name": "Carol", "family_name": "Jones", "address": "Elm St 2", "tier": "gold", "internal_score": "7"}
		if !maps.Equal(got.Attributes, want) {
			t.Errorf("attributes = %v, want %v", got.Attributes, want)
		}
	})
}

// TestEmailChange: a new address stays pending until the code sent to it
// is entered; wrong codes are refused; the old address is told of the
// change.
func TestEmailChange(t *testing.T) {
	t.Parallel()
	both(t, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		u := e.signedIn(t, "alice@example.com")

		// Reset links and codes sent to the old address before the change.
		storagetest.IssueResetSecrets(t, e.store, u.account.ID, e.clock.Now())
		p := u.post("/account/profile", "email", "alice.new@example.com")
		wantBody(t, "change requested", p, "We sent a 6-digit code", "alice.new@example.com is waiting for confirmation", `<label for="code">Code`)
		msg := e.next(t, "alice.new@example.com")
		code := sixDigits.FindString(msg.Text)
		if code == "" {
			t.Fatalf("no code in %q", msg.Text)
		}
		a, _ := e.store.GetAccount(ctx, u.account.ID)
		if a.Email != "alice@example.com" {
			t.Fatalf("e-mail changed before the code: %q", a.Email)
		}
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		p = u.post("/account/profile/confirm", "kind", "email", "code", wrong)
		wantStatus(t, "wrong code", p, http.StatusUnprocessableEntity)
		wantBody(t, "wrong code", p, `id="code-error"`, "not right")
		p = u.post("/account/profile/confirm", "kind", "email", "code", code)
		wantBody(t, "right code", p, "Your contact details are changed.")
		a, _ = e.store.GetAccount(ctx, u.account.ID)
		if a.Email != "alice.new@example.com" || !a.EmailConfirmed {
			t.Fatalf("after the code: %q confirmed=%v", a.Email, a.EmailConfirmed)
		}
		if n := storagetest.UsableResetSecrets(t, e.store, u.account.ID, e.clock.Now()); n != 0 {
			t.Errorf("%d reset secrets sent to the old address still usable after the change", n)
		}
		notice := e.next(t, "alice@example.com")
		if !strings.Contains(notice.Text, "was changed") {
			t.Errorf("old address notice: %q", notice.Text)
		}
		// The code is single-use.
		p = u.post("/account/profile/confirm", "kind", "email", "code", code)
		wantStatus(t, "reused code", p, http.StatusUnprocessableEntity)
	})
}

func TestEmailCodeAttemptsLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	u := e.signedIn(t, "alice@example.com")
	u.post("/account/profile", "email", "alice.new@example.com")
	code := sixDigits.FindString(e.next(t, "alice.new@example.com").Text)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	e.clock.Advance(time.Second) // attempts count from after the code was made
	for range 5 {
		u.post("/account/profile/confirm", "kind", "email", "code", wrong)
	}
	p := u.post("/account/profile/confirm", "kind", "email", "code", code)
	wantBody(t, "sixth try", p, "Too many wrong codes")
	a, _ := e.store.GetAccount(t.Context(), u.account.ID)
	if a.Email != "alice@example.com" {
		t.Errorf("e-mail changed after the code was spent: %q", a.Email)
	}
}

// TestEmailChangeToTakenAddress: the answer is the same as for a free
// address; no code goes anywhere, so the change can never complete, and
// the other account is untouched.
func TestEmailChangeToTakenAddress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	e.account(t, "", "bob@example.com")
	u := e.signedIn(t, "alice@example.com")
	free := u.post("/account/profile", "email", "free@example.com")
	u2 := e.signedIn(t, "carol@example.com")
	taken := u2.post("/account/profile", "email", "BOB@example.com")
	if free.status != taken.status || !strings.Contains(taken.body, "We sent a 6-digit code") {
		t.Fatalf("taken address answered differently: %d vs %d\n%s", free.status, taken.status, taken.body)
	}
	list, err := e.store.ListNotifications(ctx, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range list {
		if strings.EqualFold(n.To, "bob@example.com") {
			t.Errorf("a message went to the address's owner: %q", n.Subject)
		}
	}
	if p := u2.post("/account/profile/confirm", "kind", "email", "code", "123456"); p.status != http.StatusUnprocessableEntity {
		t.Errorf("confirming a taken address: %d", p.status)
	}
	c, _ := e.store.GetAccount(ctx, u2.account.ID)
	if c.Email != "carol@example.com" {
		t.Errorf("carol's e-mail = %q", c.Email)
	}
}

// TestPhoneChange: a new phone number is stored pending, an SMS code
// confirms it, and the old number is told by SMS.
func TestPhoneChange(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	ctx := t.Context()
	u := e.signedIn(t, "alice@example.com")
	acct := *u.account
	acct.Phone, acct.PhoneConfirmed = "+4915100000001", true
	if err := e.store.UpdateAccountProfile(ctx, &acct); err != nil {
		t.Fatal(err)
	}
	p := u.post("/account/profile", "email", "alice@example.com", "phone", "+4915100000002")
	wantBody(t, "change requested", p, "4915100000002 is waiting for confirmation")
	msg := e.next(t, "+4915100000002")
	code := sixDigits.FindString(msg.Text)
	if msg.Channel != "sms" || code == "" {
		t.Fatalf("phone code message: %+v", msg)
	}
	if a, _ := e.store.GetAccount(ctx, u.account.ID); a.Phone != "+4915100000001" {
		t.Fatalf("phone changed before the code: %q", a.Phone)
	}
	p = u.post("/account/profile/confirm", "kind", "phone", "code", code)
	wantBody(t, "right code", p, "Your contact details are changed.")
	a, _ := e.store.GetAccount(ctx, u.account.ID)
	if a.Phone != "+4915100000002" || !a.PhoneConfirmed {
		t.Fatalf("after the code: %q confirmed=%v", a.Phone, a.PhoneConfirmed)
	}
	if notice := e.next(t, "+4915100000001"); notice.Channel != "sms" {
		t.Errorf("old number notice: %+v", notice)
	}
}

// TestContactChangeTooSoonKeepsForm: a second contact change before the
// re-request interval is refused (429) like any other refusal: nothing is
// saved and the page shows what was typed, so a resubmission does not put
// the old values back.
func TestContactChangeTooSoonKeepsForm(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	u := e.signedIn(t, "alice@example.com")
	u.post("/account/profile", "given_name", "Alice", "email", "alice.new@example.com")
	p := u.post("/account/profile", "given_name", "Alicia", "email", "alice.other@example.com")
	wantStatus(t, "second change too soon", p, http.StatusTooManyRequests)
	wantBody(t, "second change too soon", p, `value="Alicia"`, `value="alice.other@example.com"`, `id="email-error"`)
	if p.resp.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	a, _ := e.store.GetAccount(t.Context(), u.account.ID)
	if a.Attributes["given_name"] != "Alice" {
		t.Errorf("a refused post saved the name %q", a.Attributes["given_name"])
	}
}

// TestContactChangePortalPolicy: the code lifetime and re-request
// interval of a contact change are the portal application's, whatever
// application's look ?app= chose (it changes only the branding), so a
// look with a shorter interval does not send codes faster.
func TestContactChangePortalPolicy(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	fast := storage.DefaultSelfServicePolicy()
	fast.ReRequestInterval = time.Second
	if err := e.store.CreateApplication(t.Context(), &storage.Application{ID: "fast", StoreID: testStoreID, Name: "Fast", SelfService: fast}); err != nil {
		t.Fatal(err)
	}
	u := e.signedIn(t, "alice@example.com")
	u.get("/account/profile?app=fast")
	u.post("/account/profile", "email", "alice.new@example.com")
	e.clock.Advance(2 * time.Second)
	p := u.post("/account/profile", "email", "alice.other@example.com")
	wantStatus(t, "second code within the portal's interval under a faster look", p, http.StatusTooManyRequests)
}
