package selfservice_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
)

// sendAgain posts the page's "Send again" form (the one whose action is
// path) and returns the answer.
func sendAgain(t *testing.T, b *selfservicetest.Browser, p *selfservicetest.Page, path string) *selfservicetest.Page {
	t.Helper()
	form := regexp.MustCompile(`(?s)<form method="post" action="` + regexp.QuoteMeta(path) + `"[^>]*>.*?</form>`).FindString(p.Body)
	if form == "" || !strings.Contains(form, ">Send again</button>") {
		t.Fatalf("no Send again button posting to %s: %d\n%s", path, p.Status, p.Body)
	}
	return b.Submit(&selfservicetest.Page{Status: p.Status, Body: form, URL: p.URL}, nil)
}

// sameBut fails when a and b differ other than by the anti-forgery values
// and the addresses named.
func sameBut(t *testing.T, what string, a, b *selfservicetest.Page, addrA, addrB string) {
	t.Helper()
	norm := func(p *selfservicetest.Page, addr string) string {
		body := p.Body
		if addr != "" {
			body = strings.ReplaceAll(body, addr, "ADDRESS")
		}
		return hiddenValues.ReplaceAllString(body, "")
	}
	if a.Status != b.Status || norm(a, addrA) != norm(b, addrB) {
		t.Fatalf("%s answers differently:\n%d %s\n---\n%d %s", what, a.Status, a.Body, b.Status, b.Body)
	}
}

// "Send again" after a registration with activation: the same page for a
// new and a taken address; a second activation link once the re-request
// interval has passed, which activates; the throttle, the per-recipient
// cap and the sign-up notice's window hold; the button is bound to its
// interaction.
func TestRegisterSendAgain(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	env.Account(t, "owner@example.com", newcomerPass)
	id, b, p := registerPage(t, env)
	newPage := b.Submit(p, regFields("newcomer@example.com", newcomerPass))
	_, ob, p := registerPage(t, env)
	takenPage := ob.Submit(p, regFields("owner@example.com", "a-new-and-long-password"))
	sameBut(t, "registration", newPage, takenPage, "newcomer@example.com", "owner@example.com")
	env.Settle(t)
	first := env.Inbox.Next(t, "newcomer@example.com").Link(t, env.Server.URL+"/register/activate?token=")
	env.Inbox.Next(t, "owner@example.com") // the sign-up attempt notice

	// Moments later: the same page, nothing sent (the re-request throttle).
	again := sendAgain(t, b, newPage, selfservice.RegisterSendAgainPath)
	taken := sendAgain(t, ob, takenPage, selfservice.RegisterSendAgainPath)
	if again.Status != http.StatusOK || !strings.Contains(again.Body, "We are sending it again") ||
		!strings.Contains(again.Body, "Sent to newcomer@example.com") {
		t.Fatalf("send again: %d\n%s", again.Status, again.Body)
	}
	sameBut(t, "send again", again, taken, "newcomer@example.com", "owner@example.com")
	env.Settle(t)
	env.Inbox.None(t, "newcomer@example.com")
	env.Inbox.None(t, "owner@example.com")

	// Past the interval: a new link; the owner hears nothing more (the
	// notice's own window).
	env.Clock.Advance(21 * time.Second)
	again = sendAgain(t, b, again, selfservice.RegisterSendAgainPath)
	taken = sendAgain(t, ob, taken, selfservice.RegisterSendAgainPath)
	sameBut(t, "send again later", again, taken, "newcomer@example.com", "owner@example.com")
	env.Settle(t)
	second := env.Inbox.Next(t, "newcomer@example.com").Link(t, env.Server.URL+"/register/activate?token=")
	env.Inbox.None(t, "owner@example.com")
	if second == first {
		t.Fatal("the resend carries the first link")
	}
	expectEventKinds(t, env, "newcomer@example.com", "account.activation_resent")

	// The per-recipient cap: five sends an hour (the first resend counted).
	to := func() (n int) {
		for _, m := range env.Inbox.All() {
			if m.To == "newcomer@example.com" {
				n++
			}
		}
		return n
	}
	before := to()
	for range 6 {
		env.Clock.Advance(21 * time.Second)
		again = sendAgain(t, b, again, selfservice.RegisterSendAgainPath)
		env.Settle(t)
	}
	if sent := to() - before; sent != 4 {
		t.Errorf("%d resends delivered under the hourly cap, want 4", sent)
	}

	// The new link activates and resumes the interaction that registered.
	if done := confirmLink(t, b, second); done.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("the resent link: %d at %s\n%s", done.Status, done.URL, done.Body)
	}
	if r := env.Resumed(t, id); r.AccountID == "" {
		t.Fatalf("handed back %+v", r)
	}
}

// The registration's button works only with its signature and only for
// an interaction that registered an address.
func TestRegisterSendAgainForged(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	id, b, p := registerPage(t, env)
	_, values := selfservicetest.Form(t, p.Body) // the registration form's signature
	other := env.Browser(t)
	otherID, fresh := env.Start(t, other, nil)
	for name, tc := range map[string]struct {
		b      *selfservicetest.Browser
		page   *selfservicetest.Page
		fields map[string]string
	}{
		"registration signature": {b, p, map[string]string{"interaction": id, "sig": values.Get("sig")}},
		"nothing registered":     {other, fresh, map[string]string{"interaction": otherID, "sig": env.Steps.Sign(otherID, "register_send_again")}},
	} {
		forged := &selfservicetest.Page{Body: `<form method="post" action="` + selfservice.RegisterSendAgainPath + `"></form>`, URL: tc.page.URL}
		if got := tc.b.Submit(forged, tc.fields); got.Status != http.StatusBadRequest {
			t.Errorf("%s: %d\n%s", name, got.Status, got.Body)
		}
	}
	if n, err := env.Store.CountDeferredRequests(context.Background()); err != nil || n != 0 {
		t.Errorf("forged requests queued %d deferred requests (%v)", n, err)
	}
}

// "Send again" after a reset request: the same page for a known and an
// unknown identifier; a second link after the re-request interval, none
// before it; the button is bound to the interaction.
func TestRecoverSendAgain(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	b, known := requestReset(t, env, "alice@example.com")
	ub, unknown := requestReset(t, env, "nobody@example.com")
	env.Settle(t)
	first := env.Inbox.Next(t, "alice@example.com")

	known = sendAgain(t, b, known, selfservice.RecoverSendAgainPath)
	unknown = sendAgain(t, ub, unknown, selfservice.RecoverSendAgainPath)
	if known.Status != http.StatusOK || !strings.Contains(known.Body, "We are sending it again") {
		t.Fatalf("send again: %d\n%s", known.Status, known.Body)
	}
	sameBut(t, "reset send again", known, unknown, "", "")
	env.Settle(t)
	env.Inbox.None(t, "alice@example.com")

	env.Clock.Advance(21 * time.Second)
	known = sendAgain(t, b, known, selfservice.RecoverSendAgainPath)
	unknown = sendAgain(t, ub, unknown, selfservice.RecoverSendAgainPath)
	sameBut(t, "reset send again later", known, unknown, "", "")
	env.Settle(t)
	second := env.Inbox.Next(t, "alice@example.com")
	if second.Text == first.Text {
		t.Fatal("the resend carries the first link")
	}

	// Another interaction's signature does not carry this one's request.
	_, values := selfservicetest.Form(t, known.Body)
	other := env.Browser(t)
	otherID := env.Interaction(t, other, "", nil)
	forged := &selfservicetest.Page{Body: `<form method="post" action="` + selfservice.RecoverSendAgainPath + `"></form>`, URL: known.URL}
	if got := other.Submit(forged, map[string]string{"interaction": otherID, "sig": values.Get("sig")}); got.Status != http.StatusBadRequest {
		t.Errorf("foreign signature: %d\n%s", got.Status, got.Body)
	}
	if got := other.Submit(forged, map[string]string{"interaction": otherID, "sig": env.Steps.Sign(otherID, "recover")}); got.Status != http.StatusBadRequest {
		t.Errorf("no reset requested: %d\n%s", got.Status, got.Body)
	}
}

// expectEventKinds checks the account with the address has an event of
// each kind.
func expectEventKinds(t *testing.T, env *selfservicetest.Env, email string, kinds ...string) {
	t.Helper()
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, email)
	if err != nil {
		t.Fatal(err)
	}
	expectEvents(t, env, acct.ID, kinds...)
}

// "Send again" runs the same statements, in the same order, for a known
// and an unknown address or identifier (the per-account work is the
// deferred worker's), on both databases.
func TestSendAgainSameWork(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			env, rec := recordedEnv(t, dialect)
			env.Account(t, "alice@example.com", alicePass)
			reset := func(who string) *selfservicetest.Page {
				b, p := requestReset(t, env, who)
				return sendAgain(t, b, p, selfservice.RecoverSendAgainPath)
			}
			register := func(email string) *selfservicetest.Page {
				_, b, p := registerPage(t, env)
				got := sendAgain(t, b, b.Submit(p, regFields(email, newcomerPass)), selfservice.RegisterSendAgainPath)
				got.Body = strings.ReplaceAll(got.Body, email, "ADDRESS")
				return got
			}
			known, unknown := reset("alice@example.com"), reset("nobody@example.com")
			sameAnswer(t, "reset send again", known, unknown)
			sameStatements(t, rec, "reset send again", known, unknown)
			known, unknown = register("alice@example.com"), register("newcomer@example.com")
			sameAnswer(t, "registration send again", known, unknown)
			sameStatements(t, rec, "registration send again", known, unknown)
			// Moments after the first messages, the resends are held back.
			for kind, to := range map[string]string{"password_reset": "alice@example.com",
				"signup_attempt_existing": "alice@example.com", "activation": "newcomer@example.com"} {
				if n := len(queued(t, env, kind, to)); n != 1 {
					t.Errorf("%d %s messages to %s, want 1", n, kind, to)
				}
			}
		})
	}
}
