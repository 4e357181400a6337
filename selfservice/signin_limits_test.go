package selfservice_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"foyer/selfservice"
	"foyer/selfservice/mfa/mfatest"
	"foyer/selfservice/password"
	"foyer/selfservice/regulate"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// cheapHash keeps the limiter tests' argon2id work small: they count
// tries, not costs.
var cheapHash = password.Params{MemoryKiB: 1024, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32}

// Client addresses (RFC 5737 documentation ranges).
const (
	attackerIP = "198.51.100.7"
	ownerIP    = "203.0.113.20"
)

func limitsEnv(t *testing.T, store storage.Store, limits selfservice.SignInLimits) *selfservicetest.Env {
	t.Helper()
	return selfservicetest.New(t, selfservicetest.Options{Store: store, Passwords: cheapHash, SignInLimits: limits})
}

// guess signs in as identifier from ip in a new browser.
func guess(t *testing.T, env *selfservicetest.Env, ip, identifier, pw string) (string, *selfservicetest.Page) {
	t.Helper()
	return env.SignIn(t, env.Browser(t).From(ip), identifier, pw, nil)
}

// refused fails unless p is a 429 with the message and Retry-After want
// (seconds; "" for any).
func refused(t *testing.T, what string, p *selfservicetest.Page, message, retryAfter string) {
	t.Helper()
	got := p.Resp.Header.Get("Retry-After")
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, message) || got == "" || (retryAfter != "" && got != retryAfter) {
		t.Fatalf("%s: %d Retry-After %q, want 429 %q Retry-After %q\n%s", what, p.Status, got, message, retryAfter, p.Body)
	}
}

func signedIn(t *testing.T, env *selfservicetest.Env, what, id string, p *selfservicetest.Page) {
	t.Helper()
	if !env.WasResumed(id) {
		t.Fatalf("%s: not signed in: %d at %s\n%s", what, p.Status, p.URL, p.Body)
	}
}

// attempts is how many tries the identifier's count from everywhere holds.
func attempts(t *testing.T, env *selfservicetest.Env, identifier string) int {
	t.Helper()
	at, err := env.Store.ListLoginAttempts(context.Background(), regulate.SignIn.Key(selfservicetest.StoreID, identifier).String(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return len(at)
}

// TestLockDoesNotExtend: ten wrong passwords from one address lock the
// identifier for that address for the window; knocking on the lock
// neither extends it nor is counted, and Retry-After says when it lifts.
func TestLockDoesNotExtend(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := limitsEnv(t, newStore(t), selfservice.SignInLimits{})
		env.Account(t, "alice@example.com", alicePass)
		for i := range 10 {
			if _, p := guess(t, env, attackerIP, "alice@example.com", "wrong password"); p.Status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d", i+1, p.Status)
			}
		}
		_, p := guess(t, env, attackerIP, "alice@example.com", alicePass)
		refused(t, "right password from the locked address", p, "Too many attempts", "900")
		env.Clock.Advance(14 * time.Minute)
		for range 5 {
			_, p := guess(t, env, attackerIP, "alice@example.com", "wrong password")
			refused(t, "knocking at minute 14", p, "Too many attempts", "60")
		}
		if n := attempts(t, env, "alice@example.com"); n != 10 {
			t.Fatalf("the identifier holds %d tries, want the 10 checked ones", n)
		}
		env.Clock.Advance(time.Minute + time.Second)
		id, p := guess(t, env, attackerIP, "alice@example.com", alicePass)
		signedIn(t, env, "after the window", id, p)
	})
}

// TestOwnerSignsInWhileGuessersAreHeld: wrong passwords from everywhere
// fill the identifier's count; it is then guarded — each other address
// gets one try, the attacker's addresses are held — but the owner's right
// password from a clean address still signs in, and tries made while
// guarded do not extend the guard.
func TestOwnerSignsInWhileGuessersAreHeld(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := limitsEnv(t, newStore(t), selfservice.SignInLimits{})
		env.Account(t, "alice@example.com", alicePass)
		// ~11 wrong passwords per 15 minutes from anywhere, for an hour.
		for round := range 4 {
			for i := range 11 {
				_, p := guess(t, env, fmt.Sprintf("198.51.100.%d", 100+i), "alice@example.com", "wrong password")
				if p.Status != http.StatusBadRequest && p.Status != http.StatusTooManyRequests {
					t.Fatalf("round %d guess %d: %d", round, i, p.Status)
				}
			}
			if n := attempts(t, env, "alice@example.com"); n > 10 {
				t.Fatalf("round %d: the identifier holds %d tries: guarded tries extended it", round, n)
			}
			id, p := guess(t, env, ownerIP, "alice@example.com", alicePass)
			signedIn(t, env, "the owner from a clean address", id, p)
			env.Clock.Advance(15 * time.Minute)
		}

		// Guarded: an address that failed for the identifier is held, with
		// the way out on the page; an unknown identifier looks the same.
		for _, who := range []string{"alice@example.com", "nobody@example.com"} {
			for range 10 {
				guess(t, env, attackerIP, who, "wrong password")
			}
			if _, p := guess(t, env, "192.0.2.1", who, "wrong password"); p.Status != http.StatusBadRequest {
				t.Fatalf("%s: a clean address's first try while guarded: %d", who, p.Status)
			}
			_, p := guess(t, env, "192.0.2.1", who, alicePass)
			refused(t, who+": second try from a guarded address", p, "sign in another way", "")
		}
		id, p := guess(t, env, ownerIP, "alice@example.com", alicePass)
		signedIn(t, env, "the owner while guarded", id, p)
	})
}

// TestCredentialStuffingRefusedPerAddress: wrong passwords across many
// identifiers from one address use its budget; then even a right password
// from it is refused with Retry-After, before the account or its password
// is read (so no argon2id work is done), while other addresses go on. An
// IPv6 /64 counts as one address.
func TestCredentialStuffingRefusedPerAddress(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			rec := sqltest.NewRecorder(selfservicetest.RequestID)
			env := limitsEnv(t, sqltest.OpenRecorded(t, sqltest.URL(t, dialect), rec), selfservice.SignInLimits{PerAddress: 5})
			env.Account(t, "alice@example.com", alicePass)
			for i := range 5 {
				if _, p := guess(t, env, attackerIP, fmt.Sprintf("user%d@example.com", i), "123456"); p.Status != http.StatusBadRequest {
					t.Fatalf("guess %d: %d", i+1, p.Status)
				}
			}
			_, p := guess(t, env, attackerIP, "alice@example.com", alicePass)
			refused(t, "the stuffer's address", p, "Too many attempts", "300")
			for _, stmt := range rec.Of(t, p.RequestID()) {
				if strings.Contains(stmt, "password_credentials") || strings.Contains(stmt, "accounts") {
					t.Fatalf("a refused try read the account or its password: %s", stmt)
				}
			}
			id, p := guess(t, env, ownerIP, "alice@example.com", alicePass)
			signedIn(t, env, "another address", id, p)

			// IPv6: a new address of one /64 for every guess is one client.
			for i := range 5 {
				guess(t, env, fmt.Sprintf("2001:db8:7:7::%x", i+1), fmt.Sprintf("v6user%d@example.com", i), "123456")
			}
			_, p = guess(t, env, "2001:db8:7:7::ffff", "alice@example.com", alicePass)
			refused(t, "another address of the stuffer's /64", p, "Too many attempts", "300")
			id, p = guess(t, env, "2001:db8:7:8::1", "alice@example.com", alicePass)
			signedIn(t, env, "the next /64", id, p)
		})
	}
}

// TestGlobalGuessBudget: past the installation's budget of wrong
// passwords every try is refused (with Retry-After) before hashing, until
// the window moves on; refused tries do not count.
func TestGlobalGuessBudget(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := limitsEnv(t, newStore(t), selfservice.SignInLimits{Global: 4})
		env.Account(t, "alice@example.com", alicePass)
		for i := range 4 {
			if _, p := guess(t, env, fmt.Sprintf("198.51.100.%d", i+1), fmt.Sprintf("user%d@example.com", i), "123456"); p.Status != http.StatusBadRequest {
				t.Fatalf("guess %d: %d", i+1, p.Status)
			}
		}
		env.Clock.Advance(30 * time.Second)
		for range 3 {
			_, p := guess(t, env, ownerIP, "alice@example.com", alicePass)
			refused(t, "past the global budget", p, "Too many attempts", "30")
		}
		env.Clock.Advance(30*time.Second + time.Second)
		id, p := guess(t, env, ownerIP, "alice@example.com", alicePass)
		signedIn(t, env, "after the minute", id, p)
	})
}

// TestBurstMailSentOnce: a burst of wrong passwords for an account is
// mailed to its owner once (in the account's language), however long it
// goes on; an unknown identifier's burst mails nobody.
func TestBurstMailSentOnce(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := limitsEnv(t, newStore(t), selfservice.SignInLimits{})
		env.Account(t, "alice@example.com", alicePass)
		env.AccountWith(t, &storage.Account{Email: "bruno@example.com", EmailConfirmed: true, Language: "de"}, alicePass)
		burst := func(who, ip string) {
			for range 10 {
				guess(t, env, ip, who, "wrong password")
			}
			env.Settle(t)
		}
		burst("alice@example.com", attackerIP)
		m := env.Inbox.Next(t, "alice@example.com")
		if m.Subject != "Many failed sign-ins to your Acme Shop account" || !strings.Contains(m.Text, "wrong password for your Acme Shop account") {
			t.Fatalf("burst mail: %q\n%s", m.Subject, m.Text)
		}
		m.Branded(t, selfservicetest.AppName)
		m.LinksAlone(t)
		// The burst goes on from elsewhere, past the identifier's window.
		env.Clock.Advance(20 * time.Minute)
		burst("alice@example.com", "192.0.2.55")
		env.Inbox.None(t, "alice@example.com")

		burst("bruno@example.com", attackerIP)
		if m := env.Inbox.Next(t, "bruno@example.com"); !strings.Contains(m.Subject, "Viele fehlgeschlagene Anmeldungen") {
			t.Fatalf("German burst mail: %q", m.Subject)
		}
		burst("nobody@example.com", "192.0.2.56")
		for _, m := range env.Inbox.All() {
			if m.To != "alice@example.com" && m.To != "bruno@example.com" {
				t.Fatalf("a burst mailed %s", m.To)
			}
		}
	})
}

// holdAlice makes alice's identifier guarded and the attacker's address
// (which the owner shares, say behind one NAT) held for her password.
func holdAlice(t *testing.T, env *selfservicetest.Env) {
	t.Helper()
	for range 10 {
		guess(t, env, attackerIP, "alice@example.com", "wrong password")
	}
	_, p := guess(t, env, attackerIP, "alice@example.com", alicePass)
	refused(t, "the held address", p, "Too many attempts", "")
}

// TestResetLinkWhileHeld: with her password refused from her address,
// the owner resets it by link from there and is signed in.
func TestResetLinkWhileHeld(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := limitsEnv(t, newStore(t), selfservice.SignInLimits{})
		env.Account(t, "alice@example.com", alicePass)
		holdAlice(t, env)
		env.Settle(t)
		if m := env.Inbox.Next(t, "alice@example.com"); !strings.Contains(m.Subject, "Many failed sign-ins") {
			t.Fatalf("first mail: %q, want the burst notice", m.Subject)
		}
		b := env.Browser(t).From(attackerIP)
		id := env.Interaction(t, b, "", nil)
		b.Submit(b.Get(env.RecoverURL(id)), map[string]string{"identifier": "alice@example.com"})
		env.Settle(t)
		m := env.Inbox.Next(t, "alice@example.com")
		form := confirmLink(t, b, m.Link(t, env.Server.URL+"/recover/reset?"))
		p := b.Submit(form, map[string]string{"password": resetPass, "password_confirm": resetPass})
		signedIn(t, env, "reset link", id, p)
	})
}

// TestSignInCodeWhileHeld: an e-mailed sign-in code (passwordless) is
// not held back by the password limits of the identifier or the address.
func TestSignInCodeWhileHeld(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := selfservicetest.New(t, selfservicetest.Options{Store: newStore(t), Passwords: cheapHash,
			App: func(a *storage.Application) {
				a.MFA = storage.MFAPolicy{Mode: storage.MFAOff, Passwordless: true, Methods: []string{storage.MethodEmailCode}}
			}})
		env.Account(t, "alice@example.com", "")
		// The password limits as a guessing spree leaves them.
		now := env.Clock.Now().UTC()
		for _, k := range []regulate.Key{regulate.SignIn.Key(selfservicetest.StoreID, "alice@example.com"),
			regulate.SignInSource.Key(selfservicetest.StoreID, attackerIP, "alice@example.com"), regulate.SignInAddress.Key(attackerIP)} {
			for range 30 {
				if _, err := env.Store.RecordLoginAttempt(context.Background(), k.String(), now, now); err != nil {
					t.Fatal(err)
				}
			}
		}
		b := env.Browser(t).From(attackerIP)
		id, p := env.Start(t, b, nil)
		p = b.Submit(p, map[string]string{"identifier": "alice@example.com"})
		env.Settle(t)
		code := sixDigits.FindString(env.Inbox.Next(t, "alice@example.com").Text)
		p = b.Submit(p, map[string]string{"code": code})
		signedIn(t, env, "e-mailed code", id, p)

		// The code's own lockout answers 429 with Retry-After too.
		b = env.Browser(t)
		_, p = env.Start(t, b, nil)
		p = b.Submit(p, map[string]string{"identifier": "alice@example.com"})
		var last *selfservicetest.Page
		for range 6 {
			last = b.Submit(p, map[string]string{"code": "000000"})
		}
		refused(t, "wrong codes", last, "Too many attempts", "")
	})
}

// TestPasskeyWhileHeld: a passkey signs in from the address whose password
// tries are held.
func TestPasskeyWhileHeld(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newMFAEnv(t, newStore(t), storage.MFAPolicy{Mode: storage.MFAOptional})
		key := mfatest.NewAuthenticator("localhost", fx.Server.URL)
		s := fx.passwordSignIn(t, "alice@example.com")
		s.post(map[string]string{"enroll": "passkey"})
		created, err := key.Create([]byte(capture(t, s.page, `data-webauthn="create" data-options="([^"]*)"`)))
		if err != nil {
			t.Fatal(err)
		}
		s.post(map[string]string{"credential": string(created), "name": "Laptop"})
		holdAlice(t, fx.Env)
		s = &signIn{b: fx.Browser(t).From(attackerIP)}
		s.id, s.page = fx.Start(t, s.b, nil)
		assertion, err := key.Get([]byte(capture(t, s.page, `data-conditional="1" data-options="([^"]*)"`)))
		if err != nil {
			t.Fatal(err)
		}
		s.post(map[string]string{"credential": string(assertion)})
		signedIn(t, fx.Env, "passkey", s.id, s.page)
	})
}

// TestPhoneSpacingSharesTheLock: a phone number typed with its digits
// grouped differently names the same account, so it is the same
// identifier to the lock: ten wrong passwords as "+41790000001" are not
// followed by ten more as "+41 79 000 00 01".
func TestPhoneSpacingSharesTheLock(t *testing.T) {
	t.Parallel()
	env := selfservicetest.New(t, selfservicetest.Options{Passwords: cheapHash, IdentityStore: func(s *storage.IdentityStore) {
		s.IdentifierTypes = []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone}
	}})
	env.AccountWith(t, &storage.Account{Phone: "+41790000001", PhoneConfirmed: true}, alicePass)
	for i := range 10 {
		if _, p := guess(t, env, attackerIP, "+41790000001", "wrong password"); p.Status != http.StatusBadRequest {
			t.Fatalf("guess %d: %d", i+1, p.Status)
		}
	}
	for _, typed := range []string{"+41 79 000 00 01", "+4179 000 0001"} {
		_, p := guess(t, env, attackerIP, typed, "wrong password")
		refused(t, "the same number spaced as "+typed, p, "Too many attempts", "")
	}
}
