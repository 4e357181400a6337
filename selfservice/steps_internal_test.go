package selfservice

import (
	"slices"
	"strings"
	"testing"

	"foyer/selfservice/regulate"
	"foyer/selfservice/session"
	"foyer/storage"
)

// The first-factor sequence: the default, the application's own, and
// passwordless mode replacing the password step (and only it).
func TestBaseSteps(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		app  storage.Application
		want []string
	}{
		{"default", storage.Application{}, []string{"identifier", "password"}},
		{"own steps", storage.Application{LoginSteps: []string{"identifier", "password", "mfa"}}, []string{"identifier", "password", "mfa"}},
		{"passwordless", storage.Application{MFA: storage.MFAPolicy{Passwordless: true}}, []string{"identifier", stepPasswordless}},
		{"passwordless, own steps", storage.Application{LoginSteps: []string{"identifier", "password", "password"},
			MFA: storage.MFAPolicy{Passwordless: true}}, []string{"identifier", stepPasswordless, stepPasswordless}},
	}
	for _, tt := range tests {
		got := baseSteps(&tt.app)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		// The result is the flow's own: changing it leaves the defaults
		// and the application alone.
		got[0] = "changed"
		if defaultSteps[0] != "identifier" || (len(tt.app.LoginSteps) > 0 && tt.app.LoginSteps[0] != "identifier") {
			t.Fatalf("%s: baseSteps returned shared storage", tt.name)
		}
	}
}

// acr_values asks for a second factor only with Foyer's "2" among its
// space-separated values; the acr reported follows the amr's "mfa".
func TestACR(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		acrValues []string
		want      bool
	}{
		{nil, false},
		{[]string{"1"}, false},
		{[]string{"2"}, true},
		{[]string{"urn:x 2"}, true},
		{[]string{"1", "2"}, true},
		{[]string{"22"}, false},
	} {
		if got := (session.MFADemand{Mode: storage.MFAOff, ACRValues: tt.acrValues}).Required(); got != tt.want {
			t.Errorf("acr_values %q: second factor required = %v", tt.acrValues, got)
		}
	}
	for _, tt := range []struct {
		amr  []string
		want string
	}{
		{[]string{"pwd"}, "1"},
		{[]string{"otp"}, "1"},
		{[]string{"pwd", "otp", "mfa"}, "2"},
		{[]string{"hwk", "mfa"}, "2"},
	} {
		if got := acrFor(tt.amr); got != tt.want {
			t.Errorf("acrFor(%v) = %q, want %q", tt.amr, got, tt.want)
		}
	}
}

// RFC 8176 values only: e-mail is "otp", SMS "sms", voice "tel".
func TestAMROf(t *testing.T) {
	t.Parallel()
	for method, want := range map[string]string{
		storage.MethodTOTP: "otp", storage.MethodEmailCode: "otp", storage.MethodEmailLink: "otp",
		storage.MethodSMSCode: "sms", storage.MethodSMSLink: "sms", storage.MethodVoiceCode: "tel",
		methodRecovery: "otp",
	} {
		if got := amrOf(method); got != want {
			t.Errorf("amrOf(%s) = %q, want %q", method, got, want)
		}
	}
}

// What an identifier box accepts before any lookup.
func TestTypedOK(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"alice@example.com", true},
		{"alice", true},
		{"+4915100000000", true},
		{"Zoë", true},
		{"", false},
		{"a\x00b", false},
		{"tab\there", false},
		{"\xff", false},
		{strings.Repeat("a", 320), true},
		{strings.Repeat("a", 321), false},
	} {
		if got := typedOK(tt.in); got != tt.want {
			t.Errorf("typedOK(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// The attempt counter's key folds case (one count for "Alice" and
// "alice"), separates stores, and holds no identifier.
func TestAttemptKey(t *testing.T) {
	t.Parallel()
	attemptKey := func(store, typed string) string { return regulate.SignIn.Key(store, typed).String() }
	k := attemptKey("store", "Alice@Example.com")
	if k != attemptKey("store", "alice@example.com") {
		t.Error("case makes another count")
	}
	if k == attemptKey("other", "alice@example.com") {
		t.Error("two stores share a count")
	}
	if strings.Contains(k, "alice") || len(k) != 64 {
		t.Errorf("key %q is not a digest", k)
	}
}

// Masked addresses on the MFA step show enough to recognise, no more.
func TestMasking(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"alice@example.com": "a***@example.com",
		"a@b.c":             "a***@b.c",
		"@example.com":      "***",
		"no-at-sign":        "***",
	} {
		if got := maskEmail(in); got != want {
			t.Errorf("maskEmail(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"+4915100000123": "••••••••••0123",
		"1234":           "***",
		"":               "***",
	} {
		if got := maskPhone(in); got != want {
			t.Errorf("maskPhone(%q) = %q, want %q", in, got, want)
		}
	}
}

// A factor used for the first step (a reset link to the mailbox) names
// the enrolled authenticator of that address, whatever its case, and no
// other.
func TestUsedEnrolledFactor(t *testing.T) {
	t.Parallel()
	auths := []storage.Authenticator{
		{ID: "a1", Kind: storage.AuthenticatorEmail, Address: "Alice@Example.com"},
		{ID: "a2", Kind: storage.AuthenticatorPhone, Address: "+4915100000123"},
		{ID: "a3", Kind: storage.AuthenticatorTOTP},
	}
	acct := &storage.Account{Email: "ALICE@example.com", Phone: "+4915100000123"}
	for _, tt := range []struct {
		proofs []string
		want   bool
	}{
		{nil, false},
		{[]string{mailboxProof(acct, false)}, true},
		{[]string{mailboxProof(acct, true)}, true},
		{[]string{"email:bob@example.com"}, false},
		{[]string{"totp:a3"}, true},
		{[]string{"totp:a9"}, false},
	} {
		if got := usedEnrolledFactor(auths, tt.proofs); got != tt.want {
			t.Errorf("usedEnrolledFactor(%v) = %v, want %v", tt.proofs, got, tt.want)
		}
	}
}

// firstFactor starts the MFA state afresh; addProof adds each amr and
// proof once.
func TestFirstFactorAndProofs(t *testing.T) {
	t.Parallel()
	s := State{AMR: []string{"otp", "mfa"}, MFA: mfaState{Done: true, Proofs: []string{"email:x"}}}
	firstFactor(&s, "acct", amrPassword, "")
	if s.AccountID != "acct" || !slices.Equal(s.AMR, []string{"pwd"}) || s.MFA.Done || len(s.MFA.Proofs) != 0 {
		t.Fatalf("after firstFactor: %+v", s)
	}
	firstFactor(&s, "acct", amrOTP, "email:a@b.c")
	addProof(&s, amrOTP, "email:a@b.c")
	addProof(&s, amrSMS, "phone:+49")
	if !slices.Equal(s.AMR, []string{"otp", "sms"}) || !slices.Equal(s.MFA.Proofs, []string{"email:a@b.c", "phone:+49"}) {
		t.Fatalf("after the proofs: amr %v proofs %v", s.AMR, s.MFA.Proofs)
	}
}
