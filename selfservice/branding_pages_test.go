package selfservice_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestPagesWearTheApplicationsBranding: the sign-in steps and the
// registration page of a request say whose sign-in it is ("to continue to
// Acme Shop"), in the heading's subtitle, the title and the header, and
// never Foyer's name.
func TestPagesWearTheApplicationsBranding(t *testing.T) {
	t.Parallel()
	env := registerEnv(t, nil)
	id, b, reg := registerPage(t, env)
	login := b.Get(env.LoginURL(id))
	password := b.Submit(login, map[string]string{"identifier": "someone@example.com"})
	for name, p := range map[string]string{"sign-in": login.Body, "password step": password.Body, "registration": reg.Body} {
		for _, want := range []string{"to continue to Acme Shop", " · Acme Shop</title>", `<span class="brand-name">Acme Shop</span>`} {
			if !strings.Contains(p, want) {
				t.Errorf("%s page lacks %q:\n%s", name, want, p)
			}
		}
		if strings.Contains(p, "to continue to Foyer") || strings.Contains(p, " · Foyer</title>") {
			t.Errorf("%s page names Foyer instead of the application:\n%s", name, p)
		}
	}
	if password.Status != http.StatusOK {
		t.Fatalf("password step: %d", password.Status)
	}
}
