package upstream

import (
	"errors"
	"net/http"
	"testing"

	"foyer/storage"
)

// githubProvider is the GitHub preset with its endpoints at a fake.
func githubProvider(userInfoURL string) *storage.UpstreamProvider {
	base := userInfoURL[:len(userInfoURL)-len("/user")]
	return &storage.UpstreamProvider{ID: "gh", Name: "GitHub", Kind: storage.UpstreamOAuth2, Preset: storage.PresetGitHub,
		AuthURL: base + "/authorize", TokenURL: base + "/token", UserInfoURL: userInfoURL, ClientID: "client-1",
		ClientSecretSealed: []byte("secret-1")}
}

func TestGitHubEmails(t *testing.T) {
	user := map[string]any{"id": 5832310001, "login": "octocat", "email": "public@example.com"}
	emails := func(list ...map[string]any) []map[string]any { return list }
	addr := func(email string, primary, verified bool) map[string]any {
		return map[string]any{"email": email, "primary": primary, "verified": verified, "visibility": nil}
	}
	for _, tc := range []struct {
		name         string
		emails       any
		wantEmail    string
		wantVerified bool
		err          error
	}{
		{"primary verified", emails(addr("other@example.com", false, true), addr("primary@example.com", true, true)),
			"primary@example.com", true, nil},
		{"primary unverified", emails(addr("primary@example.com", true, false), addr("other@example.com", false, true)),
			"public@example.com", false, nil},
		{"no addresses", emails(), "public@example.com", false, nil},
		{"list not allowed (404)", http.StatusNotFound, "public@example.com", false, nil},
		{"list down (503)", http.StatusServiceUnavailable, "", false, ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t, func(f *fakeUpstream) {
				f.JSON = map[string]any{"/user": user, "/user/emails": tc.emails}
			})
			id, err := finish(c, githubProvider(f.URL+"/user"), "")
			if !errors.Is(err, tc.err) || (tc.err == nil && err != nil) {
				t.Fatalf("Finish error %v, want %v", err, tc.err)
			}
			if err != nil {
				return
			}
			if id.Subject != "5832310001" || id.Username != "octocat" || id.Email != tc.wantEmail || id.EmailVerified != tc.wantVerified {
				t.Errorf("identity %+v, want e-mail %q verified %v", id, tc.wantEmail, tc.wantVerified)
			}
		})
	}
}

// TestOAuth2UserInfoErrors: a refused user-info call is ErrDenied, a
// failed one ErrUnavailable; a generic OAuth 2.0 provider reads no e-mails.
func TestOAuth2UserInfoErrors(t *testing.T) {
	for _, tc := range []struct {
		answer any
		want   error
	}{
		{http.StatusUnauthorized, ErrDenied},
		{http.StatusBadGateway, ErrUnavailable},
		{map[string]any{"login": "no id"}, ErrDenied},
	} {
		f, c := newFake(t, func(f *fakeUpstream) { f.JSON = map[string]any{"/user": tc.answer} })
		p := githubProvider(f.URL + "/user")
		p.Preset = ""
		if _, err := finish(c, p, ""); !errors.Is(err, tc.want) {
			t.Errorf("user info %v: Finish = %v, want %v", tc.answer, err, tc.want)
		}
	}
	f, c := newFake(t, func(f *fakeUpstream) {
		f.JSON = map[string]any{"/user": map[string]any{"id": 7, "email": "a@example.com", "email_verified": true}}
	})
	p := githubProvider(f.URL + "/user")
	p.Preset = ""
	id, err := finish(c, p, "")
	if err != nil || id.Subject != "7" || !id.EmailVerified {
		t.Errorf("generic OAuth 2.0: %+v, %v", id, err)
	}
}
