package selfservice_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"foyer/selfservice/password"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const alicePass = "correct horse battery staple"

// A password sign-in starts an SSO session for the account and hands the
// interaction back with amr pwd and acr 1.
func TestPasswordSignInHandsBackSession(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := selfservicetest.New(t, selfservicetest.Options{Store: newStore(t)})
		alice := env.Account(t, "alice@example.com", alicePass)
		b := env.Browser(t)
		id, p := env.SignIn(t, b, "Alice@Example.com", alicePass, nil)
		if p.Status != http.StatusOK || p.URL.Path != selfservicetest.ResumePath {
			t.Fatalf("sign-in ended at %d %s:\n%s", p.Status, p.URL, p.Body)
		}
		got := env.Resumed(t, id)
		if got.AccountID != alice.ID || !slices.Equal(got.AMR, []string{"pwd"}) || got.ACR != "1" {
			t.Fatalf("handed back %+v, want alice with amr [pwd] and acr 1", got)
		}
		acct, err := env.Store.GetAccount(context.Background(), alice.ID)
		if err != nil || acct.LastLoginAt == nil || !acct.LastLoginAt.Equal(env.Clock.Now().UTC()) {
			t.Fatalf("last login %v (%v), want the clock's now", acct.LastLoginAt, err)
		}
	})
}

// TestPasswordRehashedWhenParametersChange: a hash made with older
// parameters is replaced by an OWASP-parameter hash at the next sign-in.
func TestPasswordRehashedWhenParametersChange(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	ctx := context.Background()
	alice := env.Account(t, "alice@example.com", "")
	weak, err := password.NewHasher(password.Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}).Hash(ctx, alicePass)
	if err != nil {
		t.Fatal(err)
	}
	if err := env.Store.SetPassword(ctx, alice.ID, weak); err != nil {
		t.Fatal(err)
	}
	id, _ := env.SignIn(t, env.Browser(t), "alice@example.com", alicePass, nil)
	if !env.WasResumed(id) {
		t.Fatal("sign-in with an old-parameter hash failed")
	}
	cred, err := env.Store.GetPassword(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(cred.Hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash not upgraded: %s", cred.Hash)
	}
}

// TestLockoutAfterRepeatedFailures: ten attempts without success lock the
// identifier for the window — an existing account (even with the right
// password now) and an unknown identifier alike, so the lockout reveals
// nothing — and parallel guesses get no more than ten tries.
func TestLockoutAfterRepeatedFailures(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	env.Account(t, "bob@example.com", alicePass)
	passwordPage := func(identifier string) (*selfservicetest.Browser, *selfservicetest.Page) {
		b := env.Browser(t)
		_, p := env.Start(t, b, nil)
		return b, b.Submit(p, map[string]string{"identifier": identifier})
	}
	try := func(identifier, pw string) *selfservicetest.Page {
		b, p := passwordPage(identifier)
		return b.Submit(p, map[string]string{"password": pw})
	}
	var locked []*selfservicetest.Page
	for _, id := range []string{"alice@example.com", "nobody@example.com"} {
		for i := range 10 {
			if p := try(id, "wrong password"); p.Status != http.StatusBadRequest {
				t.Fatalf("%s attempt %d: status %d", id, i+1, p.Status)
			}
		}
		p := try(id, alicePass)
		if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "Too many") {
			t.Fatalf("%s after 10 failures: %d", id, p.Status)
		}
		locked = append(locked, p)
	}
	if locked[0].Status != locked[1].Status || locked[0].Alert() != locked[1].Alert() {
		t.Fatal("the lockout of an existing account looks different from an unknown identifier's")
	}

	// parallel guesses for bob: at most ten are checked
	const parallel = 24
	pages := make([]*selfservicetest.Page, parallel)
	browsers := make([]*selfservicetest.Browser, parallel)
	for i := range parallel {
		browsers[i], pages[i] = passwordPage("bob@example.com")
	}
	statuses := make(chan int, parallel)
	var wg sync.WaitGroup
	for i := range parallel {
		wg.Go(func() {
			statuses <- browsers[i].Submit(pages[i], map[string]string{"password": "wrong password"}).Status
		})
	}
	wg.Wait()
	close(statuses)
	checked := 0
	for st := range statuses {
		if st == http.StatusBadRequest {
			checked++
		}
	}
	if checked > 10 {
		t.Fatalf("%d of %d parallel guesses were checked, want at most 10", checked, parallel)
	}
}

// The lockout lasts the window: once the clock passes it, the right
// password signs in again.
func TestLockoutEndsAfterTheWindow(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	for range 10 {
		env.SignIn(t, env.Browser(t), "alice@example.com", "wrong password", nil)
	}
	if _, p := env.SignIn(t, env.Browser(t), "alice@example.com", alicePass, nil); p.Status != http.StatusTooManyRequests {
		t.Fatalf("after ten failures: %d", p.Status)
	}
	env.Clock.Advance(16 * 60e9)
	if id, p := env.SignIn(t, env.Browser(t), "alice@example.com", alicePass, nil); !env.WasResumed(id) {
		t.Fatalf("after the window: %d\n%s", p.Status, p.Body)
	}
}

// One sign-in request takes ten wrong answers; after that it tells the
// user to start again from the application, since waiting will not help.
func TestSignInRequestEndsAfterTenFailures(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	b := env.Browser(t)
	_, p := env.Start(t, b, nil)
	for i := range 10 {
		if got := b.Submit(p, map[string]string{"identifier": ""}); got.Status != http.StatusBadRequest {
			t.Fatalf("empty identifier %d: %d\n%s", i+1, got.Status, got.Body)
		}
	}
	got := b.Submit(p, map[string]string{"identifier": "alice@example.com"})
	if got.Status != http.StatusTooManyRequests || !strings.Contains(got.Body, "Go back to the application and start signing in again") {
		t.Fatalf("after ten failures: %d\n%s", got.Status, got.Body)
	}
}

// TestNewSignInReplacesTheSession: signing in again in the same browser
// (another account, or prompt=login) ends the previous SSO session.
func TestNewSignInReplacesTheSession(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	ctx := context.Background()
	alice := env.Account(t, "alice@example.com", alicePass)
	bob := env.Account(t, "bob@example.com", alicePass)
	b := env.Browser(t)
	env.SignIn(t, b, "alice@example.com", alicePass, nil)
	env.SignIn(t, b, "bob@example.com", alicePass, map[string]string{"prompt": "login"})
	if left, err := env.Store.ListSessionsByAccount(ctx, alice.ID); err != nil || len(left) != 0 {
		t.Fatalf("alice's session survived bob's sign-in in the same browser: %d sessions, %v", len(left), err)
	}
	if now, err := env.Store.ListSessionsByAccount(ctx, bob.ID); err != nil || len(now) != 1 {
		t.Fatalf("bob has %d sessions, %v; want 1", len(now), err)
	}
}

// A sign-in page opened in another browser than the one that started the
// interaction (a link sent to someone: login CSRF) does not continue it.
func TestSignInStaysInItsBrowser(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.Account(t, "alice@example.com", alicePass)
	id := env.Interaction(t, env.Browser(t), "", nil)
	other := env.Browser(t)
	if p := other.Get(env.LoginURL(id)); p.Status != http.StatusBadRequest || p.Has("identifier") {
		t.Fatalf("another browser opened the sign-in: %d\n%s", p.Status, p.Body)
	}
	unbound := env.Interaction(t, nil, "", nil)
	if p := other.Get(env.LoginURL(unbound)); p.Status != http.StatusBadRequest {
		t.Fatalf("an interaction bound to no browser opened: %d", p.Status)
	}
}

// Wrong and unknown answers look alike: a wrong password, an unknown
// identifier and an identifier of a type the store does not take all get
// the same page.
func TestInvalidCredentialsLookAlike(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{IdentityStore: func(s *storage.IdentityStore) {
		s.IdentifierTypes = []storage.IdentifierType{storage.IdentifierEmail}
	}})
	env.AccountWith(t, &storage.Account{Email: "alice@example.com", EmailConfirmed: true, Username: "alice"}, alicePass)
	var alerts []string
	for _, tc := range []struct{ identifier, pw string }{
		{"alice@example.com", "wrong password"},
		{"nobody@example.com", alicePass},
		{"alice", alicePass}, // usernames are not this store's
	} {
		id, p := env.SignIn(t, env.Browser(t), tc.identifier, tc.pw, nil)
		if p.Status != http.StatusBadRequest || env.WasResumed(id) {
			t.Fatalf("%s: %d", tc.identifier, p.Status)
		}
		alerts = append(alerts, p.Alert())
	}
	if alerts[0] == "" || alerts[0] != alerts[1] || alerts[1] != alerts[2] {
		t.Fatalf("the failures differ: %q", alerts)
	}
}

// The account's status is told only after the right password: pending
// and disabled accounts are refused with 403.
func TestStatusToldOnlyAfterThePassword(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{})
	env.AccountWith(t, &storage.Account{Email: "pending@example.com", Status: storage.AccountPending}, alicePass)
	env.AccountWith(t, &storage.Account{Email: "off@example.com", Status: storage.AccountDisabled, EmailConfirmed: true}, alicePass)
	for _, who := range []string{"pending@example.com", "off@example.com"} {
		if _, p := env.SignIn(t, env.Browser(t), who, "wrong password", nil); p.Status != http.StatusBadRequest {
			t.Errorf("%s, wrong password: %d, want 400 like any wrong password", who, p.Status)
		}
		if id, p := env.SignIn(t, env.Browser(t), who, alicePass, nil); p.Status != http.StatusForbidden || env.WasResumed(id) {
			t.Errorf("%s, right password: %d, want 403", who, p.Status)
		}
	}
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)
