package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestFinishOIDC(t *testing.T) {
	f, c := newFake(t, func(f *fakeUpstream) { f.IDToken = idToken(f.URL) })
	id, err := finish(c, oidcProvider(f.URL), "")
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "u-1" || id.Email != "ada@example.com" || !id.EmailVerified {
		t.Errorf("identity %+v", id)
	}
	form := <-f.forms
	if form.Get("code") != "code-1" || form.Get("code_verifier") != "verifier-1" {
		t.Errorf("token request %v: want the code and the PKCE verifier", form)
	}
}

// TestFinishRefusals: every failed check is ErrDenied, every outage
// ErrUnavailable.
func TestFinishRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(f *fakeUpstream)
		iss   func(f *fakeUpstream) string
		want  error
	}{
		{"iss of another provider (RFC 9207)", func(f *fakeUpstream) {},
			func(f *fakeUpstream) string { return "https://evil.example" }, ErrDenied},
		{"iss promised but missing (RFC 9207)", func(f *fakeUpstream) { f.IssParam = true }, nil, ErrDenied},
		{"nonce mismatch", func(f *fakeUpstream) { f.IDToken["nonce"] = "n-2" }, nil, ErrDenied},
		{"expired ID token", func(f *fakeUpstream) { f.IDToken["exp"] = testNow.Add(-time.Minute).Unix() }, nil, ErrDenied},
		{"ID token of another issuer", func(f *fakeUpstream) { f.IDToken["iss"] = "https://evil.example" }, nil, ErrDenied},
		{"ID token for another client", func(f *fakeUpstream) { f.IDToken["aud"] = "client-2" }, nil, ErrDenied},
		{"no ID token", func(f *fakeUpstream) { f.IDToken = nil }, nil, ErrDenied},
		{"token endpoint 400", func(f *fakeUpstream) { f.TokenStatus = http.StatusBadRequest }, nil, ErrDenied},
		{"token endpoint 503", func(f *fakeUpstream) { f.TokenStatus = http.StatusServiceUnavailable }, nil, ErrUnavailable},
		{"discovery fails", func(f *fakeUpstream) { f.Issuer = "https://other.example" }, nil, ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, c := newFake(t, func(f *fakeUpstream) {
				f.IDToken = idToken(f.URL)
				tc.setup(f)
			})
			iss := ""
			if tc.iss != nil {
				iss = tc.iss(f)
			}
			id, err := finish(c, oidcProvider(f.URL), iss)
			if !errors.Is(err, tc.want) || id != nil {
				t.Errorf("Finish = %+v, %v; want %v", id, err, tc.want)
			}
		})
	}
}

func TestFinishIssParameterAccepted(t *testing.T) {
	f, c := newFake(t, func(f *fakeUpstream) { f.IDToken = idToken(f.URL); f.IssParam = true })
	if _, err := finish(c, oidcProvider(f.URL), f.URL); err != nil {
		t.Fatal(err)
	}
}

func TestFinishUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	_ = l.Close() // nothing listens there any more
	c := New(Config{Secrets: plainSecrets{}})
	if _, err := finish(c, oidcProvider(addr), ""); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Finish = %v, want ErrUnavailable", err)
	}
	if err := c.Check(context.Background(), oidcProvider(addr)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Check = %v, want ErrUnavailable", err)
	}
}

func TestCheck(t *testing.T) {
	f, c := newFake(t, func(f *fakeUpstream) {})
	if err := c.Check(context.Background(), oidcProvider(f.URL)); err != nil {
		t.Errorf("Check = %v", err)
	}
	gh := githubProvider(f.URL + "/user")
	gh.AuthURL, gh.TokenURL = "https://unreachable.invalid/a", "https://unreachable.invalid/t"
	if err := c.Check(context.Background(), gh); err != nil {
		t.Errorf("Check(oauth2) = %v, want nil: nothing to fetch", err)
	}
}

func TestCallbackError(t *testing.T) {
	for _, tc := range []struct {
		cb   Callback
		want error
	}{
		{Callback{Code: "c"}, nil},
		{Callback{}, ErrDenied},
		{Callback{Error: "access_denied"}, ErrDenied},
		{Callback{Error: "access_denied", Code: "c"}, ErrDenied},
		{Callback{Error: "login_required"}, ErrDenied},
		{Callback{Error: "invalid_request", ErrorDescription: "bad"}, ErrDenied},
		{Callback{Error: "temporarily_unavailable"}, ErrUnavailable},
		{Callback{Error: "server_error"}, ErrUnavailable},
	} {
		err := callbackError(tc.cb)
		if (tc.want == nil && err != nil) || !errors.Is(err, tc.want) {
			t.Errorf("callbackError(%+v) = %v, want %v", tc.cb, err, tc.want)
		}
	}
}

// TestFinishOIDCNumericSubjectKeepsDigits: an OpenID Connect provider whose
// mapping takes the subject from a numeric claim (a 64-bit user id, as in
// the ID token or the user info) keeps every digit: decoded as float64,
// ids above 2^53 round, and two people's ids would become one subject, the
// second signing in to the first's account.
func TestFinishOIDCNumericSubjectKeepsDigits(t *testing.T) {
	f, c := newFake(t, func(f *fakeUpstream) {
		f.IDToken = idToken(f.URL)
		f.IDToken["uid"] = int64(1234567890123456789)
		f.IDToken["employee"] = int64(9007199254740993)
	})
	p := oidcProvider(f.URL)
	p.ClaimMapping = map[string]string{"subject": "uid", "employee_number": "employee"}
	id, err := finish(c, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if id.Subject != "1234567890123456789" || id.Attributes["employee_number"] != "9007199254740993" {
		t.Errorf("subject %q, employee_number %q: want every digit", id.Subject, id.Attributes["employee_number"])
	}
}

// TestCheckRefusesOversizedDiscovery: go-oidc reads discovery documents,
// key sets and user info whole; an upstream answering with an endless
// document must not make Foyer hold it in memory.
func TestCheckRefusesOversizedDiscovery(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		base := "http://" + r.Host
		_, _ = fmt.Fprintf(w, `{"issuer":%q,"authorization_endpoint":%q,"token_endpoint":%q,"jwks_uri":%q,"padding":"%s"}`,
			base, base+"/authorize", base+"/token", base+"/jwks", strings.Repeat("x", 8<<20))
	}))
	defer srv.Close()
	c := New(Config{HTTPClient: srv.Client(), Secrets: plainSecrets{}, Now: func() time.Time { return testNow }})
	if err := c.Check(context.Background(), oidcProvider(srv.URL)); !errors.Is(err, ErrUnavailable) {
		t.Errorf("Check = %v; want ErrUnavailable for an 8 MiB discovery document", err)
	}
}
