package selfservice_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"foyer/selfservice"
	"foyer/selfservice/selfservicetest"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// activationLink is the link of the newest activation mail queued to to.
func activationLink(t *testing.T, env *selfservicetest.Env, to string) string {
	t.Helper()
	list := queued(t, env, "activation", to)
	if len(list) == 0 {
		t.Fatalf("no activation mail to %s", to)
	}
	for _, line := range strings.Split(list[0].Text, "\n") {
		if strings.HasPrefix(line, env.Server.URL+selfservice.ActivatePath+"?token=") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("no activation link in:\n%s", list[0].Text)
	return ""
}

// A link resumes the sign-in request only in the browser that started it.
// Opened elsewhere it still activates or resets, but signs nobody in: an
// attacker who registers with their own address and mails the link to a
// victim must not get the victim's browser signed in to the attacker's
// account, and the waiting request is not answered there.
func TestLinksResumeOnlyInTheStartingBrowser(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	attackerID, attacker, p := registerPage(t, env)
	attacker.Submit(p, regFields("attacker@example.com", newcomerPass))
	victim := env.Browser(t)
	got := confirmLink(t, victim, activationLink(t, env, "attacker@example.com"))
	if got.Status != http.StatusOK || !strings.Contains(got.Body, "Your account is active") {
		t.Fatalf("activation in another browser: %d\n%s", got.Status, got.Body)
	}
	for _, c := range victim.Jar.Cookies(got.URL) {
		if c.Name == session.CookieName {
			t.Fatal("activation in another browser signed that browser in")
		}
	}
	if env.WasResumed(attackerID) {
		t.Fatal("the attacker's request was answered in the victim's browser")
	}
	acct, err := env.Store.FindAccountByIdentifier(context.Background(), selfservicetest.StoreID, storage.IdentifierEmail, "attacker@example.com")
	if err != nil || acct.Status != storage.AccountEnabled {
		t.Fatalf("account after activation elsewhere: %+v, %v", acct, err)
	}

	env.Account(t, "alice@example.com", alicePass)
	b, _ := requestReset(t, env, "alice@example.com")
	other := env.Browser(t)
	form := confirmLink(t, other, resetLink(t, env, "alice@example.com"))
	done := other.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if done.Status != http.StatusOK || !strings.Contains(done.Body, "Your password was changed") {
		t.Fatalf("reset in another browser: %d\n%s", done.Status, done.Body)
	}
	// The starting browser signs in with the new password.
	if id, p := env.SignIn(t, b, "alice@example.com", resetPass, nil); !env.WasResumed(id) {
		t.Fatalf("the new password in the starting browser: %d\n%s", p.Status, p.Body)
	}
}

// Mail scanners prefetch links: opening a link, even many times and from
// elsewhere, spends nothing; the confirmation button does.
func TestLinksSurvivePrefetch(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	scanner := env.Browser(t)

	id, b, p := registerPage(t, env)
	b.Submit(p, regFields("scanned@example.com", newcomerPass))
	link := activationLink(t, env, "scanned@example.com")
	for range 3 {
		if got := scanner.Get(link); got.Status != http.StatusOK || !strings.Contains(got.Body, "Activate my account") {
			t.Fatalf("prefetched activation link: %d\n%s", got.Status, got.Body)
		}
	}
	if done := confirmLink(t, b, link); done.URL.Path != selfservicetest.ResumePath || !env.WasResumed(id) {
		t.Fatalf("activation after prefetch: %d at %s\n%s", done.Status, done.URL, done.Body)
	}

	env.Account(t, "alice@example.com", alicePass)
	b = env.Browser(t)
	id = env.Interaction(t, b, "", nil)
	b.Submit(b.Get(env.RecoverURL(id)), map[string]string{"identifier": "alice@example.com"})
	link = resetLink(t, env, "alice@example.com")
	for range 3 {
		if got := scanner.Get(link); got.Status != http.StatusOK || !strings.Contains(got.Body, "Continue to set a new password") {
			t.Fatalf("prefetched reset link: %d\n%s", got.Status, got.Body)
		}
	}
	form := confirmLink(t, b, link)
	if !form.Has("password_confirm") {
		t.Fatalf("reset link after prefetch: %d\n%s", form.Status, form.Body)
	}
	if done := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}); !env.WasResumed(id) {
		t.Fatalf("reset after prefetch: %d at %s\n%s", done.Status, done.URL, done.Body)
	}

	// A link without a token says so at once.
	for _, path := range []string{selfservice.ActivatePath, selfservice.ResetPath + "?token="} {
		if got := scanner.Get(env.Server.URL + path); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "invalid") {
			t.Errorf("GET %s: %d\n%s", path, got.Status, got.Body)
		}
	}
}

// parallelSubmit posts every page's first form at once (plus fields) and
// returns the answers' status codes. Many nodes answering one customer's
// repeated clicks look like this.
func parallelSubmit(t *testing.T, bs []*selfservicetest.Browser, ps []*selfservicetest.Page, fields map[string]string) []int {
	t.Helper()
	reqs := make([]*http.Request, len(ps))
	for i, p := range ps {
		action, values := selfservicetest.Form(t, p.Body)
		for k, v := range fields {
			values.Set(k, v)
		}
		u, err := url.Parse(html.UnescapeString(action))
		if err != nil {
			t.Fatal(err)
		}
		reqs[i], _ = http.NewRequest(http.MethodPost, p.URL.ResolveReference(u).String(), strings.NewReader(values.Encode()))
		reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs[i].Header.Set("Origin", p.URL.Scheme+"://"+p.URL.Host)
	}
	statuses, errs := make([]int, len(reqs)), make([]error, len(reqs))
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Go(func() {
			resp, err := bs[i].Do(reqs[i])
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			_, errs[i] = io.Copy(io.Discard, resp.Body)
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return statuses
}

// Parallel re-requests for one account and channel send exactly one
// message, and every request gets the answer it got before.
func TestReRequestThrottleParallel(t *testing.T) {
	t.Parallel()
	const n = 6
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		env := selfservicetest.New(t, selfservicetest.Options{Store: newStore(t),
			App: func(a *storage.Application) { a.SelfService = storage.DefaultSelfServicePolicy() }})
		a := env.AccountWith(t, &storage.Account{Username: "racer", Email: "racer@example.com", EmailConfirmed: true,
			Phone: "+41790000042", PhoneConfirmed: true}, alicePass)

		bs, ps := make([]*selfservicetest.Browser, n), make([]*selfservicetest.Page, n)
		for i := range n {
			bs[i] = env.Browser(t)
			ps[i] = bs[i].Get(env.RecoverURL(env.Interaction(t, bs[i], "", nil)))
		}
		for _, st := range parallelSubmit(t, bs, ps, map[string]string{"identifier": a.Email}) {
			if st != http.StatusOK {
				t.Errorf("parallel reset request: %d", st)
			}
		}
		if got := len(queued(t, env, "password_reset", a.Email)); got != 1 {
			t.Errorf("%d reset links from %d parallel requests, want 1", got, n)
		}

		for i := range n {
			b := env.Browser(t)
			p := b.Get(env.RecoverURL(env.Interaction(t, b, "", nil)))
			m := reminderLink.FindStringSubmatch(p.Body)
			if m == nil {
				t.Fatalf("no username reminder link:\n%s", p.Body)
			}
			bs[i], ps[i] = b, b.Get(env.Server.URL+html.UnescapeString(m[1]))
		}
		for _, st := range parallelSubmit(t, bs, ps, map[string]string{"email": a.Email}) {
			if st != http.StatusOK {
				t.Errorf("parallel reminder request: %d", st)
			}
		}
		if got := len(queued(t, env, "username_reminder", a.Email)); got != 1 {
			t.Errorf("%d reminders from %d parallel requests, want 1", got, n)
		}
	})
}

// Parallel "Send a new activation link" clicks send one link: one answer
// says it was sent, the others that one went out moments ago.
func TestResendActivationParallel(t *testing.T) {
	t.Parallel()
	const n = 5
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		env := selfservicetest.New(t, selfservicetest.Options{Store: newStore(t),
			App: func(a *storage.Application) { a.SelfService = storage.DefaultSelfServicePolicy() }})
		late := env.AccountWith(t, &storage.Account{Status: storage.AccountPending, Email: "late-race@example.com"}, newcomerPass)
		bs, ps := make([]*selfservicetest.Browser, n), make([]*selfservicetest.Page, n)
		for i := range n {
			bs[i] = env.Browser(t)
			_, p := env.SignIn(t, bs[i], late.Email, newcomerPass, nil)
			form := resendForm.FindString(p.Body)
			if form == "" {
				t.Fatalf("pending page without the resend button: %d\n%s", p.Status, p.Body)
			}
			ps[i] = &selfservicetest.Page{Status: p.Status, Body: form, URL: p.URL}
		}
		sent := 0
		for _, st := range parallelSubmit(t, bs, ps, nil) {
			switch st {
			case http.StatusOK:
				sent++
			case http.StatusTooManyRequests:
			default:
				t.Errorf("parallel resend: %d", st)
			}
		}
		if got := len(queued(t, env, "activation", late.Email)); got != 1 || sent != 1 {
			t.Errorf("%d activation mails and %d \"sent\" answers from %d parallel requests, want 1 and 1", got, sent, n)
		}
	})
}
