package selfservice_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"foyer/selfservice"
)

// TestCheckEmailOffersNextStep: the page after a registration with
// activation names the address the message went to and offers the way to
// a new link: signing in again in the same request with the password
// chosen (where the sign-in offers "send a new activation link").
func TestCheckEmailOffersNextStep(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	id, b, p := registerPage(t, env)
	got := b.Submit(p, regFields("new@example.com", newcomerPass))
	for _, want := range []string{"Check your email", "Sent to new@example.com", "sign in with the password you chose"} {
		if !strings.Contains(got.Body, want) {
			t.Fatalf("check-your-email page lacks %q:\n%s", want, got.Body)
		}
	}
	m := regexp.MustCompile(`<a class="button button-secondary" href="([^"]+)">Sign in</a>`).FindStringSubmatch(got.Body)
	if m == nil || !strings.Contains(m[1], "restart=1") || !strings.Contains(m[1], "interaction="+id) {
		t.Fatalf("check-your-email page without a sign-in link into the same request:\n%s", got.Body)
	}
	again := b.Get(env.Server.URL + html.UnescapeString(m[1]))
	if again.Status != http.StatusOK || !again.Has("identifier") {
		t.Fatalf("the sign-in link: %d\n%s", again.Status, again.Body)
	}
}

// TestDeadEndsOfferNextStep: a link that can no longer be used and an
// expired sign-in request each offer to sign in again (through the
// account portal); a bad request offers nothing it cannot keep.
func TestDeadEndsOfferNextStep(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	b := env.Browser(t)
	signIn := `href="` + env.Server.URL + `/account">Sign in again</a>`
	for name, link := range map[string]string{
		"activation link": env.Server.URL + selfservice.ActivatePath + "?token=forged",
		"sign-in link":    env.Server.URL + selfservice.MagicLinkPath + "?token=forged",
		"expired request": env.LoginURL("gone"),
	} {
		p := b.Get(link)
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, signIn) {
			t.Errorf("%s: %d, want 400 with %q\n%s", name, p.Status, signIn, p.Body)
		}
	}
	if p := b.Get(env.Server.URL + selfservice.LoginPath + "?interaction=gone&sig=forged"); strings.Contains(p.Body, "Sign in again") {
		t.Errorf("a forged request offers a next step:\n%s", p.Body)
	}
}
