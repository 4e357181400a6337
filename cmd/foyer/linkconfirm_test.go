package main

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/password"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// confirmLink opens a link from a message like a customer does: the GET
// shows a confirmation page, and its button posts the token.
func confirmLink(t *testing.T, b *browser, link string) *page {
	t.Helper()
	p := b.get(link)
	if p.status != http.StatusOK || !strings.Contains(p.body, `<form method="post"`) || !strings.Contains(p.body, `name="token"`) {
		t.Fatalf("GET %s: no confirmation form: %d\n%s", link, p.status, p.body)
	}
	return b.submit(p, nil)
}

// deadLink opens a used, expired or forged link: the GET says so at once
// with no confirmation button, and a confirmation page opened while the
// link was live, submitted now, gets the same answer. It returns the GET's
// page after checking both carry want with status 400.
func deadLink(t *testing.T, b *browser, link, want string) *page {
	t.Helper()
	opened := b.get(link)
	if opened.status != http.StatusBadRequest || !strings.Contains(opened.body, want) || strings.Contains(opened.body, `name="token"`) {
		t.Errorf("GET %s: %d, want 400 with %q and no confirmation form\n%s", link, opened.status, want, opened.body)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, u.Scheme+"://"+u.Host+u.Path, strings.NewReader(u.Query().Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	resp, err := b.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u.Path, err)
	}
	confirmed := readPage(t, resp)
	if confirmed.status != http.StatusBadRequest || !strings.Contains(confirmed.body, want) {
		t.Errorf("confirming %s: %d, want 400 with %q\n%s", link, confirmed.status, want, confirmed.body)
	}
	return opened
}

// A link resumes the sign-in request only in the browser that started it.
// Opened elsewhere it still activates or resets, but signs nobody in: an
// attacker who registers with their own address and mails the link to a
// victim must not get the victim's browser signed in to the attacker's
// account, and the waiting request is not answered there.
func TestLinksResumeOnlyInTheStartingBrowser(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	host := s.srv.Listener.Addr().String()

	attacker, p, _ := s.registerPage(t, "state-attacker")
	attacker.submit(p, regFields("attacker@example.com", newcomerPass))
	victim := newBrowser(t, host)
	got := confirmLink(t, victim, s.activationLink(t, "attacker@example.com"))
	if got.status != http.StatusOK || !strings.Contains(got.body, "Your account is active") {
		t.Fatalf("activation in another browser: %d\n%s", got.status, got.body)
	}
	for _, c := range victim.Jar.Cookies(got.url) {
		if c.Name == session.CookieName {
			t.Fatal("activation in another browser signed that browser in")
		}
	}
	if acct := s.registered(t, "attacker@example.com"); acct.Status != storage.AccountEnabled {
		t.Fatalf("account after activation elsewhere: %+v", acct)
	}

	s.srv.account(t, "alice@example.com", alicePass)
	b, p, verifier := s.recoverPage(t, "state-reset-elsewhere")
	b.submit(p, map[string]string{"identifier": "alice@example.com"})
	other := newBrowser(t, host)
	form := confirmLink(t, other, s.resetLink(t, "alice@example.com"))
	done := other.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
	if done.status != http.StatusOK || !strings.Contains(done.body, "Your password was changed") {
		t.Fatalf("reset in another browser: %d\n%s", done.status, done.body)
	}
	// The starting browser signs in with the new password.
	p = b.get(s.rp.oauth.AuthCodeURL("state-after-reset", oauth2.S256ChallengeOption(verifier)))
	p = b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s.exchange(t, b.submit(p, map[string]string{"password": resetPass}), verifier, "state-after-reset")
}

// Mail scanners prefetch links: opening a link, even many times and from
// elsewhere, spends nothing; the confirmation button does.
func TestLinksSurvivePrefetch(t *testing.T) {
	t.Parallel()
	s := newRegSetup(t, sqltest.SQLite(t), nil, authz.ClientSpec{})
	scanner := newBrowser(t, s.srv.Listener.Addr().String())

	b, p, verifier := s.registerPage(t, "state-scanned")
	b.submit(p, regFields("scanned@example.com", newcomerPass))
	link := s.activationLink(t, "scanned@example.com")
	for range 3 {
		if got := scanner.get(link); got.status != http.StatusOK || !strings.Contains(got.body, "Activate my account") {
			t.Fatalf("prefetched activation link: %d\n%s", got.status, got.body)
		}
	}
	s.exchange(t, confirmLink(t, b, link), verifier, "state-scanned")

	s.srv.account(t, "alice@example.com", alicePass)
	b, p, verifier = s.recoverPage(t, "state-reset-scanned")
	b.submit(p, map[string]string{"identifier": "alice@example.com"})
	link = s.resetLink(t, "alice@example.com")
	for range 3 {
		if got := scanner.get(link); got.status != http.StatusOK || !strings.Contains(got.body, "Continue to set a new password") {
			t.Fatalf("prefetched reset link: %d\n%s", got.status, got.body)
		}
	}
	form := confirmLink(t, b, link)
	if !strings.Contains(form.body, `name="password_confirm"`) {
		t.Fatalf("reset link after prefetch: %d\n%s", form.status, form.body)
	}
	s.exchange(t, b.submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass}), verifier, "state-reset-scanned")

	// A link without a token says so at once.
	for _, path := range []string{"/register/activate", "/recover/reset?token="} {
		if got := scanner.get(s.srv.URL + path); got.status != http.StatusBadRequest || !strings.Contains(got.body, "invalid") {
			t.Errorf("GET %s: %d\n%s", path, got.status, got.body)
		}
	}
}

// parallelSubmit posts every page's first form at once (plus fields) and
// returns the answers' status codes. Many nodes answering one customer's
// repeated clicks look like this.
func parallelSubmit(t *testing.T, bs []*browser, ps []*page, fields map[string]string) []int {
	t.Helper()
	reqs := make([]*http.Request, len(ps))
	for i, p := range ps {
		action, values := parseForm(t, p.body)
		for k, v := range fields {
			values.Set(k, v)
		}
		u, err := url.Parse(html.UnescapeString(action))
		if err != nil {
			t.Fatal(err)
		}
		reqs[i], _ = http.NewRequest(http.MethodPost, p.url.ResolveReference(u).String(), strings.NewReader(values.Encode()))
		reqs[i].Header.Set("Content-Type", "application/x-www-form-urlencoded")
		reqs[i].Header.Set("Origin", p.url.Scheme+"://"+p.url.Host)
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
		s := newRegSetup(t, newStore(t), nil, authz.ClientSpec{})
		a := s.phoneAccount(t, storage.Account{Username: "racer", Email: "racer@example.com", EmailConfirmed: true,
			Phone: "+41790000042", PhoneConfirmed: true})

		bs, ps := make([]*browser, n), make([]*page, n)
		for i := range n {
			bs[i], ps[i], _ = s.recoverPage(t, "state-race-reset")
		}
		for _, st := range parallelSubmit(t, bs, ps, map[string]string{"identifier": a.Email}) {
			if st != http.StatusOK {
				t.Errorf("parallel reset request: %d", st)
			}
		}
		if got := len(s.mails(t, "password_reset", a.Email)); got != 1 {
			t.Errorf("%d reset links from %d parallel requests, want 1", got, n)
		}

		for i := range n {
			b, p, _ := s.recoverPage(t, "state-race-reminder")
			m := regexp.MustCompile(`href="(/recover/username\?[^"]+)"`).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no username reminder link:\n%s", p.body)
			}
			bs[i], ps[i] = b, b.get(s.srv.URL+html.UnescapeString(m[1]))
		}
		for _, st := range parallelSubmit(t, bs, ps, map[string]string{"email": a.Email}) {
			if st != http.StatusOK {
				t.Errorf("parallel reminder request: %d", st)
			}
		}
		if got := len(s.mails(t, "username_reminder", a.Email)); got != 1 {
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
		s := newRegSetup(t, newStore(t), nil, authz.ClientSpec{})
		ctx := context.Background()
		late := &storage.Account{StoreID: defaultStoreID, Status: storage.AccountPending, Email: "late-race@example.com"}
		if err := s.srv.store.CreateAccount(ctx, late); err != nil {
			t.Fatal(err)
		}
		hash, err := password.NewHasher(password.OWASP).Hash(ctx, newcomerPass)
		if err != nil || s.srv.store.SetPassword(ctx, late.ID, hash) != nil {
			t.Fatal(err)
		}
		bs, ps := make([]*browser, n), make([]*page, n)
		for i := range n {
			bs[i] = newBrowser(t, s.srv.Listener.Addr().String())
			p := bs[i].get(s.rp.oauth.AuthCodeURL("state-race-resend", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
			p = bs[i].submit(p, map[string]string{"identifier": late.Email})
			p = bs[i].submit(p, map[string]string{"password": newcomerPass})
			form := regexp.MustCompile(`(?s)<form method="post" action="/register/resend">.*?</form>`).FindString(p.body)
			if form == "" {
				t.Fatalf("pending page without the resend button: %d\n%s", p.status, p.body)
			}
			ps[i] = &page{status: p.status, body: form, url: p.url}
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
		if got := len(s.mails(t, "activation", late.Email)); got != 1 || sent != 1 {
			t.Errorf("%d activation mails and %d \"sent\" answers from %d parallel requests, want 1 and 1", got, sent, n)
		}
	})
}
