package selfservice_test

import (
	"context"
	"encoding/base64"
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/selfservice/mfa"
	"foyer/selfservice/mfa/mfatest"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// mfaEnv is an Env whose application has an MFA policy, with alice.
type mfaEnv struct {
	*selfservicetest.Env
	alice *storage.Account
}

func newMFAEnv(t *testing.T, store storage.Store, pol storage.MFAPolicy) *mfaEnv {
	t.Helper()
	env := selfservicetest.New(t, selfservicetest.Options{Store: store, App: func(a *storage.Application) { a.MFA = pol }})
	return &mfaEnv{Env: env, alice: env.Account(t, "alice@example.com", alicePass)}
}

// signIn is one sign-in: its browser, interaction and latest page.
type signIn struct {
	b    *selfservicetest.Browser
	id   string
	page *selfservicetest.Page
}

// passwordSignIn starts a sign-in as who in a new browser and answers the
// identifier and password pages.
func (fx *mfaEnv) passwordSignIn(t *testing.T, who string) *signIn {
	t.Helper()
	s := &signIn{b: fx.Browser(t)}
	s.id, s.page = fx.SignIn(t, s.b, who, alicePass, nil)
	return s
}

// post submits the page's first form with fields and keeps the result.
func (s *signIn) post(fields map[string]string) *selfservicetest.Page {
	s.page = s.b.Submit(s.page, fields)
	return s.page
}

// try submits fields without keeping the result (a refused answer).
func (s *signIn) try(fields map[string]string) *selfservicetest.Page {
	return s.b.Submit(s.page, fields)
}

// claims returns the acr and amr the finished sign-in handed back to authz.
func (fx *mfaEnv) claims(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	if s.page.URL.Path != selfservicetest.ResumePath {
		t.Fatalf("sign-in did not finish: %d at %s\n%s", s.page.Status, s.page.URL, s.page.Body)
	}
	r := fx.Resumed(t, s.id)
	return r.ACR, r.AMR
}

// next delivers what is due and takes the next message to to.
func (fx *mfaEnv) next(t *testing.T, to string) string {
	t.Helper()
	fx.Settle(t)
	return fx.Inbox.Next(t, to).Text
}

// buttonValue finds the value of a button name= whose value starts with prefix.
// choose picks the MFA method whose chooser button starts with prefix; a
// page already at the account's only method (no chooser) is left as it is.
func (s *signIn) choose(t *testing.T, prefix string) {
	t.Helper()
	if !s.page.Has("choose") && prefix != "recovery|" {
		return
	}
	s.chooser(t)
	s.post(map[string]string{"choose": buttonValue(t, s.page, "choose", prefix)})
}

// chooser follows "Try another method" when the page went straight to the
// account's only method.
func (s *signIn) chooser(t *testing.T) {
	t.Helper()
	if !s.page.Has("choose") && s.page.Has("other") {
		s.post(map[string]string{"other": "1"})
	}
}

func buttonValue(t *testing.T, p *selfservicetest.Page, name, prefix string) string {
	t.Helper()
	return capture(t, p, `name="`+name+`" value="(`+regexp.QuoteMeta(prefix)+`[^"]*)"`)
}

func capture(t *testing.T, p *selfservicetest.Page, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(pattern).FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("%s not on the page (%d):\n%s", pattern, p.Status, p.Body)
	}
	return html.UnescapeString(m[1])
}

var recoveryCodePattern = regexp.MustCompile(`<li><code>([0-9a-z]{5}-[0-9a-z]{5})</code></li>`)

// enrollTOTP enrolls an authenticator app at the enrollment step and
// returns its secret and the recovery codes shown.
func (fx *mfaEnv) enrollTOTP(t *testing.T, s *signIn) (string, []string) {
	t.Helper()
	s.post(map[string]string{"enroll": "totp"})
	secret := capture(t, s.page, `<code class="secret" data-copy="([A-Z2-7]+)">`)
	// The key shown in blocks of four, and the link phones open.
	if grouped := capture(t, s.page, `<code class="secret" data-copy="[A-Z2-7]+">([A-Z2-7 ]+)</code>`); strings.ReplaceAll(grouped, " ", "") != secret ||
		!regexp.MustCompile(`^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$`).MatchString(grouped) {
		t.Fatalf("the key %q is not shown in blocks of four: %q", secret, grouped)
	}
	if link := capture(t, s.page, `<a class="button button-secondary" href="(otpauth://totp/[^"]+)">Open in authenticator app</a>`); !strings.Contains(link, "secret="+secret) {
		t.Fatalf("the otpauth link %q does not carry the key", link)
	}
	if !strings.Contains(s.page.Body, `src="data:image/png;base64,`) {
		t.Fatalf("no server-rendered QR code:\n%s", s.page.Body)
	}
	code, err := mfa.TOTPCode(secret, fx.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	s.post(map[string]string{"code": code})
	var codes []string
	for _, m := range recoveryCodePattern.FindAllStringSubmatch(s.page.Body, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) != mfa.RecoveryCodeCount {
		t.Fatalf("want %d recovery codes shown once, got %d:\n%s", mfa.RecoveryCodeCount, len(codes), s.page.Body)
	}
	// The same codes to copy, and as a text file to download.
	text := strings.Join(codes, "\n") + "\n"
	if !strings.Contains(s.page.Body, `data-copy="`+text+`"`) {
		t.Fatalf("the recovery codes have no copy text:\n%s", s.page.Body)
	}
	file := capture(t, s.page, `<a class="button button-secondary" href="data:text/plain;charset=utf-8;base64,([^"]+)" download="recovery-codes.txt">Download as a text file</a>`)
	if got, err := base64.StdEncoding.DecodeString(file); err != nil || string(got) != text {
		t.Fatalf("the download holds %q (%v), want %q", got, err, text)
	}
	s.post(map[string]string{"continue": "1"})
	return secret, codes
}

// TestMFARequiredTOTP: with MFA required, the first sign-in enrolls an
// authenticator app (QR code, code) and shows ten recovery codes once;
// the sign-in ends with amr pwd+otp+mfa and acr 2. Later sign-ins ask for
// a TOTP code; a replayed code, a wrong one and a used recovery code are
// refused and change nothing; a recovery code works once.
func TestMFARequiredTOTP(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		t.Parallel()
		mfaRequiredTOTP(t, newMFAEnv(t, newStore(t), storage.MFAPolicy{Mode: storage.MFARequired}))
	})
}

func mfaRequiredTOTP(t *testing.T, fx *mfaEnv) {
	s := fx.passwordSignIn(t, "alice@example.com")
	if !strings.Contains(s.page.Body, `name="enroll" value="totp"`) || s.page.Has("skip") {
		t.Fatalf("required MFA did not ask to enroll (without a skip button):\n%s", s.page.Body)
	}
	if p := s.try(map[string]string{"skip": "1"}); !strings.Contains(p.Body, "required") {
		t.Fatalf("skipping required enrollment was not refused:\n%s", p.Body)
	}
	secret, recovery := fx.enrollTOTP(t, s)
	acr, amr := fx.claims(t, s)
	if acr != "2" || !hasAll(amr, "pwd", "otp", "mfa") {
		t.Fatalf("after enrollment acr %q amr %v, want 2 and pwd, otp, mfa", acr, amr)
	}

	// The next sign-in, a step later, asks for the app's code.
	fx.Clock.Advance(30 * time.Second)
	next, _ := mfa.TOTPCode(secret, fx.Clock.Now())
	s = fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "totp|")
	if p := s.try(map[string]string{"code": "000000"}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "not right") {
		t.Fatalf("wrong TOTP code: %d\n%s", p.Status, p.Body)
	}
	s.post(map[string]string{"code": next})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("TOTP sign-in acr %q", acr)
	}
	// The same code again, in another sign-in within its window: replay.
	s = fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "totp|")
	if p := s.post(map[string]string{"code": next}); p.Status != http.StatusBadRequest {
		t.Fatalf("replayed TOTP code accepted: %d", p.Status)
	}
	// A recovery code works once.
	s.post(map[string]string{"other": "1"})
	s.choose(t, "recovery|")
	s.post(map[string]string{"code": strings.ToUpper(recovery[0])})
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "mfa") {
		t.Fatalf("recovery code sign-in acr %q amr %v", acr, amr)
	}
	s = fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "recovery|")
	if p := s.post(map[string]string{"code": recovery[0]}); p.Status != http.StatusBadRequest {
		t.Fatalf("used recovery code accepted again: %d", p.Status)
	}
	ctx := context.Background()
	left, err := fx.Store.CountUsableOneTimeSecrets(ctx, fx.alice.ID, "recovery_code", fx.Clock.Now())
	if err != nil || left != mfa.RecoveryCodeCount-1 {
		t.Fatalf("recovery codes left %d (%v), want %d", left, err, mfa.RecoveryCodeCount-1)
	}
	fx.Settle(t)
	events, _ := fx.Store.ListEvents(ctx, fx.alice.ID, 100)
	kinds := map[string]bool{}
	for _, e := range events {
		kinds[e.Kind] = true
	}
	for _, k := range []string{"mfa.enrolled", "mfa.succeeded", "mfa.failed", "mfa.recovery_code_used"} {
		if !kinds[k] {
			t.Errorf("no %s event in the activity log", k)
		}
	}
}

// TestMFALockout: tries of a method are counted in the database before
// the check, across sign-ins; more than 5 in 5 minutes, 10 in an hour or
// 20 in a day lock the method, so the wait grows with the failures: after
// five misses the right code is refused until five minutes pass, after
// eleven an hour, and then it works.
func TestMFALockout(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired})
	secret, _ := fx.enrollTOTP(t, fx.passwordSignIn(t, "alice@example.com"))
	totpPage := func() *signIn {
		s := fx.passwordSignIn(t, "alice@example.com") // a new sign-in does not reset the count
		s.choose(t, "totp|")
		return s
	}
	try := func(s *signIn, code string, want int) {
		t.Helper()
		if p := s.try(map[string]string{"code": code}); p.Status != want {
			t.Fatalf("code %s at %v: status %d, want %d", code, fx.Clock.Now().Format(time.TimeOnly), p.Status, want)
		}
	}
	right := func() string {
		code, _ := mfa.TOTPCode(secret, fx.Clock.Now())
		return code
	}
	s := totpPage()
	for range 5 {
		try(s, "123456", http.StatusBadRequest)
	}
	fx.Clock.Advance(time.Minute)
	try(totpPage(), right(), http.StatusTooManyRequests) // sixth try in five minutes

	fx.Clock.Advance(6 * time.Minute) // the five-minute tier has passed
	s = totpPage()
	for range 4 {
		try(s, "123456", http.StatusBadRequest) // tries 7 to 10 in the hour
	}
	try(s, right(), http.StatusTooManyRequests) // the eleventh in an hour
	fx.Clock.Advance(6 * time.Minute)
	try(totpPage(), right(), http.StatusTooManyRequests) // still within the hour

	fx.Clock.Advance(time.Hour)
	s = totpPage()
	s.post(map[string]string{"code": right()})
	if acr, _ := fx.claims(t, s); acr != "2" {
		t.Fatalf("after the hour the right code: acr %q", acr)
	}
}

// TestMFACodesByEmailAndPhone: enrolling a phone number confirms it; at
// sign-in a code goes by the picked channel, five wrong tries spend it,
// and a re-request within the interval sends nothing. Enrolling a number
// other than the account's phone leaves the account's phone alone.
func TestMFACodesByEmailAndPhone(t *testing.T) {
	t.Parallel()
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFARequired,
		Methods: []string{storage.MethodEmailCode, storage.MethodSMSCode, storage.MethodVoiceCode}})
	ctx := context.Background()
	s := fx.passwordSignIn(t, "alice@example.com")
	s.post(map[string]string{"enroll": "phone"})
	if p := s.try(map[string]string{"phone": "12345"}); p.Status != http.StatusBadRequest {
		t.Fatalf("a malformed phone number was taken: %d", p.Status)
	}
	s.post(map[string]string{"phone": "+4915112345678", "channel": "sms"})
	fx.Settle(t)
	sms := fx.Inbox.Next(t, "+4915112345678")
	code := sixDigits.FindString(sms.Text)
	if sms.Channel != "sms" || code == "" {
		t.Fatalf("enrollment SMS: %+v", sms)
	}
	if p := s.try(map[string]string{"code": "000000"}); p.Status != http.StatusBadRequest {
		t.Fatalf("wrong enrollment code accepted: %d", p.Status)
	}
	s.post(map[string]string{"code": code})
	s.post(map[string]string{"continue": "1"})
	if acr, amr := fx.claims(t, s); acr != "2" || !slices.Contains(amr, "sms") {
		t.Fatalf("after phone enrollment acr %q amr %v", acr, amr)
	}
	acct, _ := fx.Store.GetAccount(ctx, fx.alice.ID)
	if acct.Phone != "+4915112345678" || !acct.PhoneConfirmed {
		t.Fatalf("enrolled phone not confirmed on the account: %+v", acct)
	}

	// Sign in with a voice code; the re-request within the interval waits.
	s = fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "voice|")
	fx.Settle(t)
	call := fx.Inbox.Next(t, "+4915112345678")
	spoken := regexp.MustCompile(`is ((\d ){5}\d)`).FindStringSubmatch(call.Text)
	if call.Channel != "voice" || spoken == nil {
		t.Fatalf("voice call: %+v", call)
	}
	digits := strings.ReplaceAll(spoken[1], " ", "")
	if p := s.try(map[string]string{"resend": "sms"}); !strings.Contains(p.Body, "moment ago") {
		t.Fatalf("re-request within the interval was not held:\n%s", p.Body)
	}
	fx.Settle(t)
	fx.Inbox.None(t, "+4915112345678")
	for i := range 5 {
		if p := s.try(map[string]string{"code": "999999"}); p.Status != http.StatusBadRequest {
			t.Fatalf("wrong code %d: %d", i+1, p.Status)
		}
	}
	// The fifth wrong try spent the code itself (the method's lockout would
	// refuse a sixth try anyway, so look at the code).
	sec, err := fx.Store.LatestOneTimeSecret(ctx, fx.alice.ID, "mfa_code")
	if err != nil || sec.UsedAt == nil {
		t.Fatalf("after five wrong tries the code is not spent: %+v %v", sec, err)
	}
	if p := s.try(map[string]string{"code": digits}); p.URL.Path == selfservicetest.ResumePath {
		t.Fatal("the right code worked after five wrong ones")
	}

	// Enrolling a number other than the account's own phone adds a factor
	// but leaves the account's phone (a sign-in and recovery channel) as
	// it was.
	bob := fx.AccountWith(t, &storage.Account{Email: "bob@example.com", EmailConfirmed: true, Phone: "+4915100000009"}, alicePass)
	b := fx.passwordSignIn(t, "bob@example.com")
	b.post(map[string]string{"enroll": "phone"})
	b.post(map[string]string{"phone": "+4915100000010", "channel": "sms"})
	b.post(map[string]string{"code": sixDigits.FindString(fx.next(t, "+4915100000010"))})
	b.post(map[string]string{"continue": "1"})
	fx.claims(t, b)
	bob, _ = fx.Store.GetAccount(ctx, bob.ID)
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
	fx := newMFAEnv(t, nil, storage.MFAPolicy{Mode: storage.MFAOptional})
	ctx := context.Background()
	origin := fx.Server.URL
	key := mfatest.NewAuthenticator("localhost", origin)
	s := fx.passwordSignIn(t, "alice@example.com")
	if !s.page.Has("skip") {
		t.Fatalf("optional MFA did not offer enrollment with a skip:\n%s", s.page.Body)
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

	passkeySignIn := func(a *mfatest.Authenticator, edit func([]byte) []byte) *signIn {
		s := &signIn{b: fx.Browser(t)}
		s.id, s.page = fx.Start(t, s.b, nil)
		assertion, err := a.Get([]byte(capture(t, s.page, `data-conditional="1" data-options="([^"]*)"`)))
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			assertion = edit(assertion)
		}
		s.post(map[string]string{"credential": string(assertion)})
		return s
	}
	s = passkeySignIn(key, nil)
	if acr, amr := fx.claims(t, s); acr != "2" || !hasAll(amr, "swk", "mfa") || slices.Contains(amr, "pwd") {
		t.Fatalf("passkey sign-in acr %q amr %v, want 2 and swk+mfa without pwd", acr, amr)
	}

	refused := func(what string, s *signIn) {
		t.Helper()
		if p := s.page; p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "passkey could not sign you in") {
			t.Errorf("%s: status %d, want the passkey refused\n%s", what, p.Status, p.Body)
		}
	}
	key.SetOrigin("http://evil.example")
	refused("wrong origin", passkeySignIn(key, nil))
	key.SetOrigin(origin)
	key.SetRPID("evil.example")
	refused("wrong RP ID", passkeySignIn(key, nil))
	key.SetRPID("localhost")
	refused("tampered clientDataJSON", passkeySignIn(key, func(b []byte) []byte {
		return []byte(strings.Replace(string(b), `"clientDataJSON":"ey`, `"clientDataJSON":"ez`, 1))
	}))
	key.SetSignCount(1)
	refused("sign count going backwards", passkeySignIn(key, nil))
	auths, _ := fx.Store.ListAuthenticators(ctx, fx.alice.ID)
	if len(auths) != 1 || auths[0].Name != "Laptop" || auths[0].Counter != 2 {
		t.Fatalf("refused assertions changed the passkey: %+v", auths)
	}

	// Bob's passkey, enrolled at his own sign-in, does not pass alice's MFA
	// step even when his authenticator is made to answer her challenge.
	fx.Account(t, "bob@example.com", alicePass)
	bobKey := mfatest.NewAuthenticator("localhost", origin)
	b := fx.passwordSignIn(t, "bob@example.com")
	b.post(map[string]string{"enroll": "passkey"})
	created, err = bobKey.Create([]byte(capture(t, b.page, `data-webauthn="create" data-options="([^"]*)"`)))
	if err != nil {
		t.Fatal(err)
	}
	b.post(map[string]string{"credential": string(created)})
	s = fx.passwordSignIn(t, "alice@example.com")
	s.choose(t, "passkey|")
	opts := strings.Replace(capture(t, s.page, `data-webauthn="get" data-options="([^"]*)"`), `"allowCredentials"`, `"ignored"`, 1)
	assertion, err := bobKey.Get([]byte(opts))
	if err != nil {
		t.Fatal(err)
	}
	if p := s.post(map[string]string{"credential": string(assertion)}); p.Status != http.StatusBadRequest || !strings.Contains(p.Body, "That passkey could not confirm") {
		t.Fatalf("bob's passkey at alice's MFA step: %d\n%s", p.Status, p.Body)
	}
}
