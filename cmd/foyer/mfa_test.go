package main

import (
	"context"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/authz"
	"foyer/selfservice/mfa"
	"foyer/selfservice/mfa/mfatest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// mfaFixture is a server whose default application has the given MFA
// policy, a first-party relying party and alice.
type mfaFixture struct {
	srv   *testServer
	rp    *relyingParty
	alice *storage.Account
}

func newMFAFixture(t *testing.T, store storage.Store, pol storage.MFAPolicy, configure func(*Config), opts ...serverOption) *mfaFixture {
	t.Helper()
	if configure == nil {
		configure = func(*Config) {}
	}
	srv := startServerWith(t, store, configure, opts...)
	if err := srv.store.SetMFAPolicy(context.Background(), defaultApplicationID, pol); err != nil {
		t.Fatal(err)
	}
	alice := srv.account(t, "alice@example.com", alicePass)
	id, secret := srv.client(t, authz.ClientSpec{Name: "Shop", RedirectURIs: []string{rpCallback},
		GrantTypes: []string{"authorization_code"}, FirstParty: true})
	return &mfaFixture{srv: srv, alice: alice, rp: newRelyingParty(t, srv.issuer, id, secret, oidc.ScopeOpenID)}
}

// signIn is one sign-in attempt: a browser, the PKCE verifier, and the page
// after identifier and password.
type signIn struct {
	b        *browser
	verifier string
	page     *page
}

func (fx *mfaFixture) passwordSignIn(t *testing.T, extra ...oauth2.AuthCodeOption) *signIn {
	t.Helper()
	s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	opts := append([]oauth2.AuthCodeOption{oauth2.S256ChallengeOption(s.verifier)}, extra...)
	p := s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", opts...))
	p = s.b.submit(p, map[string]string{"identifier": "alice@example.com"})
	s.page = s.b.submit(p, map[string]string{"password": alicePass})
	return s
}

// post submits the page's first form with fields and keeps the result.
func (s *signIn) post(fields map[string]string) *page {
	s.page = s.b.submit(s.page, fields)
	return s.page
}

// claims exchanges the code the sign-in ended with and returns the ID
// token's acr and amr.
func (fx *mfaFixture) claims(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	cb := s.page.location(t)
	if cb.Query().Get("code") == "" {
		t.Fatalf("sign-in did not end at the client with a code: %s\n%s", cb, s.page.body)
	}
	tok, err := fx.rp.oauth.Exchange(context.Background(), cb.Query().Get("code"), oauth2.VerifierOption(s.verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := fx.rp.verifier.Verify(context.Background(), raw)
	if err != nil {
		t.Fatalf("verify ID token: %v", err)
	}
	var c struct {
		ACR string   `json:"acr"`
		AMR []string `json:"amr"`
	}
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	checkRegisteredAMR(t, "ID token", c.AMR)
	return c.ACR, c.AMR
}

// buttonValue finds the value of a button name= whose value starts with prefix.
func buttonValue(t *testing.T, p *page, name, prefix string) string {
	t.Helper()
	re := regexp.MustCompile(`name="` + name + `" value="(` + regexp.QuoteMeta(prefix) + `[^"]*)"`)
	m := re.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no %s button %q on the page (%d):\n%s", name, prefix, p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

func capture(t *testing.T, p *page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("%s not on the page (%d):\n%s", pattern, p.status, p.body)
	}
	return html.UnescapeString(m[1])
}

var recoveryCodePattern = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)

// enrollTOTP enrolls an authenticator app at the enrollment step and
// returns its secret and the recovery codes shown.
func enrollTOTP(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	return enrollTOTPAt(t, s, time.Now())
}

// enrollTOTPAt is enrollTOTP for a server whose clock reads now.
func enrollTOTPAt(t *testing.T, s *signIn, now time.Time) (string, []string) {
	t.Helper()
	s.post(map[string]string{"enroll": "totp"})
	secret := capture(t, s.page, `<code class="secret">([A-Z2-7]+)</code>`)
	if !strings.Contains(s.page.body, `src="data:image/png;base64,`) {
		t.Fatalf("no server-rendered QR code:\n%s", s.page.body)
	}
	code, err := mfa.TOTPCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	s.post(map[string]string{"code": code})
	var codes []string
	for _, m := range recoveryCodePattern.FindAllStringSubmatch(s.page.body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("want %d recovery codes shown once, got %d:\n%s", mfa.RecoveryCodeCount, len(codes), s.page.body)
	}
	s.post(map[string]string{"continue": "1"})
	return secret, codes
}

// TestMFARequiredTOTP: with MFA required, the first sign-in enrolls an
// authenticator app (QR code, code) and shows ten recovery codes once; the
// relying party gets amr pwd+otp+mfa and acr 2. Later sign-ins ask for a
// TOTP code; a replayed code, a wrong one and a used recovery code are
// refused and change nothing; a recovery code works once.
func TestMFARequiredTOTP(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		fx := newMFAFixture(t, newStore(t), storage.MFAPolicy{Mode: storage.MFARequired}, nil)
		s := fx.passwordSignIn(t)
		if !strings.Contains(s.page.body, `name="enroll" value="totp"`) || strings.Contains(s.page.body, `name="skip"`) {
			t.Fatalf("required MFA did not ask to enroll (without a skip button):\n%s", s.page.body)
		}
		if p := s.b.submit(s.page, map[string]string{"skip": "1"}); !strings.Contains(p.body, "required") {
			t.Fatalf("skipping required enrollment was not refused:\n%s", p.body)
		}
		secret, recovery := enrollTOTP(t, s)
		acr, amr := fx.claims(t, s)
		if acr != "2" || !slices.Contains(amr, "pwd") || !slices.Contains(amr, "otp") || !slices.Contains(amr, "mfa") {
			t.Fatalf("after enrollment acr %q amr %v, want 2 and pwd, otp, mfa", acr, amr)
		}

		// The next sign-in asks for the app's code. The enrollment used the
		// current step, so the code of the next one is the fresh one.
		next, _ := mfa.TOTPCode(secret, time.Now().Add(30*time.Second))
		s = fx.passwordSignIn(t)
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
		if p := s.b.submit(s.page, map[string]string{"code": "000000"}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "not right") {
			t.Fatalf("wrong TOTP code: %d\n%s", p.status, p.body)
		}
		s.post(map[string]string{"code": next})
		if acr, _ := fx.claims(t, s); acr != "2" {
			t.Fatalf("TOTP sign-in acr %q", acr)
		}
		// The same code again, in another sign-in within its window: replay.
		s = fx.passwordSignIn(t)
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
		if p := s.post(map[string]string{"code": next}); p.status != http.StatusBadRequest {
			t.Fatalf("replayed TOTP code accepted: %d", p.status)
		}
		// A recovery code works once.
		s.post(map[string]string{"other": "1"})
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "recovery|")})
		s.post(map[string]string{"code": strings.ToUpper(recovery[0])})
		if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "mfa") {
			t.Fatalf("recovery code sign-in acr %q amr %v", acr, amr)
		}
		s = fx.passwordSignIn(t)
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "recovery|")})
		if p := s.post(map[string]string{"code": recovery[0]}); p.status != http.StatusBadRequest {
			t.Fatalf("used recovery code accepted again: %d", p.status)
		}
		left, err := fx.srv.store.CountUsableOneTimeSecrets(context.Background(), fx.alice.ID, "recovery_code", time.Now())
		if err != nil || left != mfa.RecoveryCodeCount-1 {
			t.Fatalf("recovery codes left %d (%v), want %d", left, err, mfa.RecoveryCodeCount-1)
		}
		events, _ := fx.srv.store.ListEvents(context.Background(), fx.alice.ID, 100)
		kinds := map[string]bool{}
		for _, e := range events {
			kinds[e.Kind] = true
		}
		for _, k := range []string{"mfa.enrolled", "mfa.succeeded", "mfa.failed", "mfa.recovery_code_used"} {
			if !kinds[k] {
				t.Errorf("no %s event in the activity log", k)
			}
		}
	})
}

// TestMFALockout: tries of a method are counted in the database before
// the check, across sign-ins; more than 5 in 5 minutes, 10 in an hour or
// 20 in a day lock the method, so the wait grows with the failures: after
// five misses the right code is refused until five minutes pass, after
// eleven an hour, and then it works.
func TestMFALockout(t *testing.T) {
	t.Parallel()
	// The clock starts two hours back and moves towards now: the sign-in
	// requests themselves (made by authz on the real clock) stay fresh.
	clock := &testClock{at: time.Now().Add(-2 * time.Hour)}
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired}, nil, withSelfServiceClock(clock.now))
	secret, _ := enrollTOTPAt(t, fx.passwordSignIn(t), clock.now())
	totpPage := func() *signIn {
		s := fx.passwordSignIn(t) // a new sign-in does not reset the count
		s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "totp|")})
		return s
	}
	try := func(s *signIn, code string, want int) {
		t.Helper()
		if p := s.b.submit(s.page, map[string]string{"code": code}); p.status != want {
			t.Fatalf("code %s at %v: status %d, want %d", code, clock.now().Format(time.TimeOnly), p.status, want)
		}
	}
	right := func() string {
		code, _ := mfa.TOTPCode(secret, clock.now())
		return code
	}
	s := totpPage()
	for range 5 {
		try(s, "123456", http.StatusBadRequest)
	}
	clock.advance(time.Minute)
	try(totpPage(), right(), http.StatusTooManyRequests) // sixth try in five minutes

	clock.advance(6 * time.Minute) // the five-minute tier has passed
	s = totpPage()
	for range 4 {
		try(s, "123456", http.StatusBadRequest) // tries 7 to 10 in the hour
	}
	try(s, right(), http.StatusTooManyRequests) // the eleventh in an hour
	clock.advance(6 * time.Minute)
	try(totpPage(), right(), http.StatusTooManyRequests) // still within the hour

	clock.advance(time.Hour)
	s = totpPage()
	s.post(map[string]string{"code": right()})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("after the hour the right code: acr %q", acr)
	}
}

// TestMFACodesByEmailAndPhone: enrolling e-mail codes sends a code to the
// account's address; enrolling a phone number confirms it; at sign-in a
// code goes by the picked channel, five wrong tries spend it, and a
// re-request within the interval sends nothing.
func TestMFACodesByEmailAndPhone(t *testing.T) {
	t.Parallel()
	in, configure := withInbox(t)
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodVoiceCode}}, configure)
	ctx := context.Background()
	s := fx.passwordSignIn(t)
	s.post(map[string]string{"enroll": "phone"})
	if p := s.b.submit(s.page, map[string]string{"phone": "12345"}); p.status != http.StatusBadRequest {
		t.Fatalf("a malformed phone number was taken: %d", p.status)
	}
	s.post(map[string]string{"phone": "+4915112345678", "channel": "sms"})
	sms := in.Next(t, "+4915112345678")
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(sms.Text)
	if sms.Channel != "sms" || code == nil {
		t.Fatalf("enrollment SMS: %+v", sms)
	}
	if p := s.b.submit(s.page, map[string]string{"code": "000000"}); p.status != http.StatusBadRequest {
		t.Fatalf("wrong enrollment code accepted: %d", p.status)
	}
	s.post(map[string]string{"code": code[1]})
	s.post(map[string]string{"continue": "1"})
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "sms") {
		t.Fatalf("after phone enrollment acr %q amr %v", acr, amr)
	}
	acct, _ := fx.srv.store.GetAccount(ctx, fx.alice.ID)
	if acct.Phone != "+4915112345678" || !acct.PhoneConfirmed {
		t.Fatalf("enrolled phone not confirmed on the account: %+v", acct)
	}

	// Sign in with a voice code; the re-request within the interval waits.
	s = fx.passwordSignIn(t)
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "voice|")})
	call := in.Next(t, "+4915112345678")
	digits := strings.ReplaceAll(regexp.MustCompile(`is ((\d ){5}\d)`).FindStringSubmatch(call.Text)[1], " ", "")
	if call.Channel != "voice" || len(digits) != 6 {
		t.Fatalf("voice call: %+v", call)
	}
	if p := s.b.submit(s.page, map[string]string{"resend": "sms"}); !strings.Contains(p.body, "moment ago") {
		t.Fatalf("re-request within the interval was not held:\n%s", p.body)
	}
	in.None(t, "+4915112345678")
	for i := range 5 {
		if p := s.b.submit(s.page, map[string]string{"code": "999999"}); p.status != http.StatusBadRequest {
			t.Fatalf("wrong code %d: %d", i+1, p.status)
		}
	}
	// The fifth wrong try spent the code itself (the method's lockout would
	// refuse a sixth try anyway, so look at the code).
	sec, err := fx.srv.store.LatestOneTimeSecret(ctx, fx.alice.ID, "mfa_code")
	if err != nil || sec.UsedAt == nil {
		t.Fatalf("after five wrong tries the code is not spent: %+v %v", sec, err)
	}
	if p := s.b.submit(s.page, map[string]string{"code": digits}); p.status == http.StatusSeeOther || p.status == http.StatusFound {
		t.Fatal("the right code worked after five wrong ones")
	}

	// Enrolling a number other than the account's own phone adds a factor
	// but leaves the account's phone (a sign-in and recovery channel) as
	// it was.
	bob, err := createAccount(ctx, fx.srv.store, accountSpec{Email: "bob@example.com", Password: alicePass, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	bob.Phone = "+4915100000009"
	if err := fx.srv.store.UpdateAccountProfile(ctx, bob); err != nil {
		t.Fatal(err)
	}
	b := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	p := b.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(b.verifier)))
	p = b.b.submit(p, map[string]string{"identifier": "bob@example.com"})
	b.page = b.b.submit(p, map[string]string{"password": alicePass})
	b.post(map[string]string{"enroll": "phone"})
	b.post(map[string]string{"phone": "+4915100000010", "channel": "sms"})
	b.post(map[string]string{"code": regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(in.Next(t, "+4915100000010").Text)[1]})
	b.post(map[string]string{"continue": "1"})
	fx.claims(t, b)
	bob, _ = fx.srv.store.GetAccount(ctx, bob.ID)
	if bob.Phone != "+4915100000009" || bob.PhoneConfirmed {
		t.Fatalf("enrolling another number changed the account's phone: %q confirmed %v", bob.Phone, bob.PhoneConfirmed)
	}
}

// TestPasskeys: a passkey enrolled at sign-in (optional MFA) signs in
// alone from the identifier page, user-verified, with amr swk+mfa and acr
// 2. Hostile assertions are refused and change nothing: another account's
// passkey at the MFA step, a wrong origin, a wrong RP ID, a tampered
// clientDataJSON, a sign count going backwards.
func TestPasskeys(t *testing.T) {
	t.Parallel()
	fx := newMFAFixture(t, sqltest.SQLite(t), storage.MFAPolicy{Mode: storage.MFAOptional}, nil)
	ctx := context.Background()
	key := mfatest.NewAuthenticator("localhost", fx.srv.issuer)
	s := fx.passwordSignIn(t)
	if !strings.Contains(s.page.body, `name="skip"`) {
		t.Fatalf("optional MFA did not offer enrollment with a skip:\n%s", s.page.body)
	}
	s.post(map[string]string{"enroll": "passkey"})
	created, err := key.Create([]byte(capture(t, s.page, `data-webauthn="create" data-options="([^"]*)"`)))
	if err != nil {
		t.Fatal(err)
	}
	s.post(map[string]string{"credential": string(created), "name": "Laptop"})
	s.post(map[string]string{"continue": "1"})
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("after passkey enrollment acr %q amr %v", acr, amr)
	}

	passkeySignIn := func(a *mfatest.Authenticator, edit func([]byte) []byte) (*signIn, *page) {
		s := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
		s.page = s.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(s.verifier)))
		assertion, err := a.Get([]byte(capture(t, s.page, `data-conditional="1" data-options="([^"]*)"`)))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			assertion = edit(assertion)
		}
		return s, s.post(map[string]string{"credential": string(assertion)})
	}
	s, _ = passkeySignIn(key, nil)
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "swk") || !slices.Contains(amr, "mfa") || slices.Contains(amr, "pwd") {
		t.Fatalf("passkey sign-in acr %q amr %v, want 2 and swk+mfa without pwd", acr, amr)
	}

	refused := func(what string, p *page) {
		t.Helper()
		if p.status != http.StatusBadRequest || !strings.Contains(p.body, "passkey could not sign you in") {
			t.Errorf("%s: status %d, want the passkey refused\n%s", what, p.status, p.body)
		}
	}
	key.SetOrigin("http://evil.example")
	_, p := passkeySignIn(key, nil)
	refused("wrong origin", p)
	key.SetOrigin(fx.srv.issuer)
	key.SetRPID("evil.example")
	_, p = passkeySignIn(key, nil)
	refused("wrong RP ID", p)
	key.SetRPID("localhost")
	_, p = passkeySignIn(key, func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"clientDataJSON":"ey`, `"clientDataJSON":"ez`, 1))
	})
	refused("tampered clientDataJSON", p)
	key.SetSignCount(1)
	_, p = passkeySignIn(key, nil)
	refused("sign count going backwards", p)
	auths, _ := fx.srv.store.ListAuthenticators(ctx, fx.alice.ID)
	if len(auths) != 1 || auths[0].Name != "Laptop" || auths[0].Counter != 2 {
		t.Fatalf("refused assertions changed the passkey: %+v", auths)
	}

	// Bob's passkey, enrolled at his own sign-in, does not pass alice's MFA
	// step even when his authenticator is made to answer her challenge.
	fx.srv.account(t, "bob@example.com", alicePass)
	bobKey := mfatest.NewAuthenticator("localhost", fx.srv.issuer)
	b := &signIn{b: newBrowser(t, fx.srv.Listener.Addr().String()), verifier: oauth2.GenerateVerifier()}
	p = b.b.get(fx.rp.oauth.AuthCodeURL("state-0001", oauth2.S256ChallengeOption(b.verifier)))
	p = b.b.submit(p, map[string]string{"identifier": "bob@example.com"})
	b.page = b.b.submit(p, map[string]string{"password": alicePass})
	b.post(map[string]string{"enroll": "passkey"})
	created, err = bobKey.Create([]byte(capture(t, b.page, `data-webauthn="create" data-options="([^"]*)"`)))
	if err != nil {
		t.Fatal(err)
	}
	b.post(map[string]string{"credential": string(created)})
	s = fx.passwordSignIn(t)
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", "passkey|")})
	opts := strings.Replace(capture(t, s.page, `data-webauthn="get" data-options="([^"]*)"`), `"allowCredentials"`, `"ignored"`, 1)
	assertion, err := bobKey.Get([]byte(opts))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.post(map[string]string{"credential": string(assertion)}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "That passkey could not confirm") {
		t.Fatalf("bob's passkey at alice's MFA step: %d\n%s", p.status, p.body)
	}
}

// getLink opens a link from a message in the browser.
func (s *signIn) getLink(t *testing.T, link string) *page {
	t.Helper()
	s.page = s.b.get(link)
	return s.page
}

// enrollEmailCodes enrolls alice's address for e-mail codes at a sign-in
// that requires a second factor.
func enrollEmailCodes(t *testing.T, fx *mfaFixture, in *inbox) {
	t.Helper()
	s := fx.passwordSignIn(t)
	s.post(map[string]string{"enroll": "email"})
	s.post(map[string]string{"code": sixDigits.FindStringSubmatch(in.Next(t, "alice@example.com").Text)[1]})
	s.post(map[string]string{"continue": "1"})
	fx.claims(t, s)
	in.factorNotice(t, "alice@example.com", "added")
}
