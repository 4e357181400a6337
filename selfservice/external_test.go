package selfservice

import (
	"slices"
	"testing"

	"foyer/storage"
)

// externalCases are the pages of sign-in with upstream providers.
func externalCases() []pageCase {
	button := []externalButton{{Action: "/start-acme", Name: "Acme ID", Hidden: map[string]string{"interaction": "ix-1"}}}
	return []pageCase{
		{"login, identifier with providers", "login", &loginData{pageForm: testForm("/login-action"), Step: "identifier", External: button},
			[]string{`action="/start-acme"`, `name="interaction" value="ix-1"`, `aria-label="`, "Acme ID", // the name's place in the words differs by language
				`class="divider"`}},
		{"login, password of a pending link", "login", &loginData{pageForm: testForm("/login-action"), Step: "password",
			Identifier: "ada@example.com", LinkEmail: "ada@example.com", LinkProvider: "Acme ID"},
			[]string{`alert-info" role="status">`, "Acme ID", `name="use_code" value="1"`}},
		{"register, providers", "register", &registerData{pageForm: testForm("/register-action"), ShowEmail: true, External: button},
			[]string{`action="/start-acme"`, `name="password"`}},
		{"register, external mode", "register", &registerData{pageForm: testForm("/register-action"), ShowEmail: true,
			Email: "ada@example.com", EmailReadOnly: true, EmailVouched: true, ExternalProvider: "Acme ID"},
			[]string{`role="status">`, "Acme ID", `id="email-hint"`, `value="ada@example.com" required readonly`}},
		{"external, failed", "external", &externalData{Kind: "failed", Provider: "Acme ID", AppName: "Shop",
			RetryURL: "/retry-url", RefuseURL: "/refuse-url"},
			[]string{"<h1>", "Acme ID", `href="/retry-url">`, `href="/refuse-url">`, "Shop"}},
		{"external, unavailable", "external", &externalData{Kind: "unavailable", Provider: "Acme ID", RetryURL: "/retry-url"},
			[]string{"Acme ID", `href="/retry-url"`}},
		{"external, no account", "external", &externalData{Kind: "no_account", Provider: "Acme ID", RetryURL: "/back-url"},
			[]string{"Acme ID", `href="/back-url"`}},
		{"external, invitation", "external", &externalData{Kind: "invitation", Email: "ada@example.com", RetryURL: "/back-url"},
			[]string{"<h1>", "ada@example.com"}},
	}
}

func TestTrustedMFA(t *testing.T) {
	t.Parallel()
	pol := storage.ExternalSignIn{Providers: []string{"up", "other"}, TrustMFA: []string{"up"}}
	for _, c := range []struct {
		provider string
		amr      []string
		want     bool
	}{
		{"up", []string{"pwd", "otp", "mfa"}, true},
		{"up", []string{"mfa"}, true},
		{"up", []string{"pwd", "hwk"}, true},
		{"up", []string{"face", "swk"}, true},
		{"up", []string{"pwd"}, false},
		{"up", []string{"sms", "otp"}, false}, // two held factors: one kind
		{"up", []string{"pwd", "pin"}, false},
		{"up", nil, false},
		{"other", []string{"pwd", "otp", "mfa"}, false}, // not trusted
	} {
		if got := trustedMFA(pol, c.provider, c.amr); got != c.want {
			t.Errorf("trustedMFA(%s, %v) = %v, want %v", c.provider, c.amr, got, c.want)
		}
	}
}

// TestExternalFirstFactor: the amr is "ext", with "mfa" and the second
// factor done only when trusted.
func TestExternalFirstFactor(t *testing.T) {
	t.Parallel()
	pol := storage.ExternalSignIn{Providers: []string{"up"}, TrustMFA: []string{"up"}}
	var s State
	s.MFA.Proofs = []string{"email:x"}
	externalFirstFactor(&s, "acct", pol, "up", []string{"pwd", "otp", "mfa"})
	if s.AccountID != "acct" || !slices.Equal(s.AMR, []string{"ext", "mfa"}) || !s.MFA.Done || len(s.MFA.Proofs) != 0 {
		t.Fatalf("trusted: %+v", s)
	}
	externalFirstFactor(&s, "acct", storage.ExternalSignIn{Providers: []string{"up"}}, "up", []string{"mfa"})
	if !slices.Equal(s.AMR, []string{"ext"}) || s.MFA.Done {
		t.Fatalf("untrusted: %+v", s)
	}
	if acrFor(s.AMR) == acrFor([]string{"ext", "mfa"}) {
		t.Fatal("acr does not tell one factor from two")
	}
}

func TestOffered(t *testing.T) {
	t.Parallel()
	app := &storage.Application{StoreID: "s1"}
	app.SelfService.External.Providers = []string{"p1"}
	for _, c := range []struct {
		p    storage.UpstreamProvider
		want bool
	}{
		{storage.UpstreamProvider{ID: "p1", StoreID: "s1", Enabled: true}, true},
		{storage.UpstreamProvider{ID: "p1", StoreID: "s1"}, false},                // disabled
		{storage.UpstreamProvider{ID: "p1", StoreID: "s2", Enabled: true}, false}, // another store's
		{storage.UpstreamProvider{ID: "p2", StoreID: "s1", Enabled: true}, false}, // not in the policy
	} {
		if got := offered(app, &c.p); got != c.want {
			t.Errorf("offered(%+v) = %v, want %v", c.p, got, c.want)
		}
	}
}
