package partnerlookup_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"foyer/authz/netguard"
	"foyer/selfservice/partnerlookup"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

const code = "7KQ2-M9XD-4TWB-P0ZR-H3CE"

// TestResolvePartner runs the client against real TLS webhooks, with the
// webhook configuration in a real store of each dialect.
func TestResolvePartner(t *testing.T) {
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		store := newStore(t)
		for name, fn := range map[string]func(*testing.T, storage.Store){
			"answer":              testAnswer,
			"unknown":             testUnknown,
			"no webhook":          testNoWebhook,
			"server error":        testServerError,
			"timeout":             testTimeout,
			"redirect":            testRedirectNotFollowed,
			"body size":           testBodySize,
			"bad answers":         testBadAnswers,
			"guard":               testGuard,
			"plain http":          testPlainHTTP,
			"secret of other app": testSecretOfAnotherApplication,
		} {
			t.Run(name, func(t *testing.T) { fn(t, store) })
		}
	})
}

// testAnswer: the webhook receives a signed POST it can verify and its
// answer comes back tidied.
func testAnswer(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	verified := make(chan error, 1)
	ts, _ := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		verified <- receive(r, f.secret, f.appID)
		_, _ = io.WriteString(w, `{"name":"  Acme Partners GmbH ","domains":["Acme.example"," acme.example","acme.de"],`+
			`"attributes":{"vat_id":"DE123456789","city":"Köln"},"extra":"ignored"}`)
	})
	f.configure(t, ts.URL+"/partners/lookup?tenant=1", 2*time.Second)
	got, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	if err != nil {
		t.Fatalf("ResolvePartner: %v", err)
	}
	if err := <-verified; err != nil {
		t.Errorf("the receiver's checks: %v", err)
	}
	want := &partnerlookup.PartnerDetails{Name: "Acme Partners GmbH", Domains: []string{"acme.example", "acme.de"},
		Attributes: map[string]string{"vat_id": "DE123456789", "city": "Köln"}}
	if got.Name != want.Name || !slices.Equal(got.Domains, want.Domains) || len(got.Attributes) != 2 ||
		got.Attributes["vat_id"] != "DE123456789" || got.Attributes["city"] != "Köln" {
		t.Errorf("details = %+v, want %+v", got, want)
	}
}

// receive is what a partner's webhook checks: method, content type, the
// signature over the raw body, and the body's fields.
func receive(r *http.Request, secret []byte, appID string) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		return errors.New("not a JSON POST: " + r.Method + " " + r.Header.Get("Content-Type"))
	}
	signed, err := partnerlookup.Verify(secret, r.Header.Get(partnerlookup.SignatureHeader), body, time.Now(), 5*time.Minute)
	if err != nil {
		return err
	}
	if _, err := partnerlookup.Verify([]byte("another secret"), r.Header.Get(partnerlookup.SignatureHeader), body,
		time.Now(), 5*time.Minute); !errors.Is(err, partnerlookup.ErrSignature) {
		return errors.New("the signature verifies under another secret")
	}
	var req struct {
		Code          string `json:"code"`
		ApplicationID string `json:"application_id"`
		Timestamp     int64  `json:"timestamp"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return err
	}
	if req.Code != code || req.ApplicationID != appID || req.Timestamp != signed.Unix() {
		return errors.New("unexpected body " + string(body))
	}
	return nil
}

// testUnknown: 404 is an unknown code, not a failure, and is not logged.
func testUnknown(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	ts, hits := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) })
	f.configure(t, ts.URL, 0)
	_, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	if !errors.Is(err, partnerlookup.ErrPartnerUnknown) || errors.Is(err, partnerlookup.ErrPartnerLookupFailed) || hits.Load() != 1 {
		t.Errorf("404: err %v after %d requests, want ErrPartnerUnknown after 1", err, hits.Load())
	}
	if f.log.String() != "" {
		t.Errorf("an unknown code was logged: %s", f.log)
	}
}

// testNoWebhook: an application without a webhook knows no partner, and
// blank or overlong codes are unknown without asking the webhook.
func testNoWebhook(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	_, err := f.client(nil).ResolvePartner(t.Context(), f.appID, code)
	if !errors.Is(err, partnerlookup.ErrPartnerUnknown) {
		t.Errorf("no webhook: %v, want ErrPartnerUnknown", err)
	}
	ts, hits := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"name":"Acme"}`) })
	f.configure(t, ts.URL, 0)
	for _, c := range []string{"", "   ", strings.Repeat("A", partnerlookup.MaxCodeBytes+1)} {
		if _, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, c); !errors.Is(err, partnerlookup.ErrPartnerUnknown) {
			t.Errorf("code of %d bytes: %v, want ErrPartnerUnknown", len(c), err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("blank or overlong codes reached the webhook %d times", hits.Load())
	}
}

// testServerError: any other status fails, and the log says why without
// the code or the secret.
func testServerError(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	ts, _ := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "database down", http.StatusInternalServerError)
	})
	f.configure(t, ts.URL, 0)
	_, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "500", err, "answered 500")
	logged := f.log.String()
	if !strings.Contains(logged, "partner lookup failed") || !strings.Contains(logged, f.appID) || !strings.Contains(logged, "500") {
		t.Errorf("log = %q, want the failure with the application and the status", logged)
	}
	if strings.Contains(logged, code) || strings.Contains(logged, string(f.secret)) || strings.Contains(err.Error(), code) {
		t.Errorf("the code or the secret leaked: log %q, error %q", logged, err)
	}
}

// testTimeout: a webhook that never answers fails after the configured
// timeout; the handler blocks until the client gives up.
func testTimeout(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	// The server notices the client hanging up only once the body is
	// read; done frees the handler should it not, so Close cannot hang.
	done := make(chan struct{})
	ts, _ := tlsServer(t, func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-done:
		}
	})
	t.Cleanup(func() { close(done) })
	f.configure(t, ts.URL, 100*time.Millisecond)
	_, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "timeout", err, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v, want context.DeadlineExceeded in the chain", err)
	}
}

// testRedirectNotFollowed: a redirect is a failed lookup and its target
// is never asked.
func testRedirectNotFollowed(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	var elsewhere int
	ts, _ := tlsServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			elsewhere++
			_, _ = io.WriteString(w, `{"name":"Mallory"}`)
			return
		}
		http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
	})
	f.configure(t, ts.URL+"/lookup", 0)
	_, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "redirect", err, "answered 307")
	if elsewhere != 0 {
		t.Errorf("the redirect was followed %d times", elsewhere)
	}
}

// testBodySize: an answer of 64 KiB is read, one byte more is refused.
func testBodySize(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	var size int
	ts, _ := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) {
		prefix := `{"name":"Acme","padding":"`
		_, _ = io.WriteString(w, prefix+strings.Repeat("x", size-len(prefix)-2)+`"}`)
	})
	f.configure(t, ts.URL, 0)
	c := f.client(ts, partnerlookup.AllowLoopback())
	size = partnerlookup.MaxBodyBytes
	if got, err := c.ResolvePartner(t.Context(), f.appID, code); err != nil || got.Name != "Acme" {
		t.Errorf("an answer of exactly %d bytes: %+v, %v", size, got, err)
	}
	size = partnerlookup.MaxBodyBytes + 1
	_, err := c.ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "oversized", err, "larger than")
}

// testBadAnswers: a 200 whose body is not valid details fails.
func testBadAnswers(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	var body string
	ts, _ := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, body) })
	f.configure(t, ts.URL, 0)
	c := f.client(ts, partnerlookup.AllowLoopback())
	body = `{"name":"` + strings.Repeat("é", partnerlookup.MaxNameRunes) + `"}`
	if got, err := c.ResolvePartner(t.Context(), f.appID, code); err != nil || got.Name != strings.Repeat("é", 200) {
		t.Errorf("a name of %d characters: %v", partnerlookup.MaxNameRunes, err)
	}
	for _, bad := range []string{
		`<html>Partner found</html>`,
		`{"name":"Acme"`,
		`{"name":"Acme"} {"name":"Other"}`,
		`null`,
		`{"name":"   "}`,
		`{"name":"` + strings.Repeat("a", partnerlookup.MaxNameRunes+1) + `"}`,
		`{"name":"Acme\nInc"}`,
		`{"name":["Acme"]}`,
		`{"name":"Acme","domains":["https://acme.example/"]}`,
		`{"name":"Acme","domains":["acme..example"]}`,
		`{"name":"Acme","attributes":{"employees":250}}`,
		`{"name":"Acme","attributes":{"":"x"}}`,
	} {
		body = bad
		_, err := c.ResolvePartner(t.Context(), f.appID, code)
		wantFailed(t, bad, err, "")
	}
}

// testGuard: private, link-local and (without the test option) loopback
// destinations are refused before a connection is made.
func testGuard(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	for _, u := range []string{"https://10.0.0.1/lookup", "https://169.254.169.254/latest/meta-data", "https://[fd00::1]/"} {
		f.configure(t, u, 0)
		_, err := f.client(nil, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
		wantFailed(t, u, err, "")
		if !errors.Is(err, netguard.ErrRefused) {
			t.Errorf("%s: %v, want netguard.ErrRefused", u, err)
		}
	}
	ts, hits := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"name":"Acme"}`) })
	f.configure(t, ts.URL, 0)
	_, err := f.client(ts).ResolvePartner(t.Context(), f.appID, code)
	if !errors.Is(err, netguard.ErrRefused) || !errors.Is(err, partnerlookup.ErrPartnerLookupFailed) || hits.Load() != 0 {
		t.Errorf("loopback without AllowLoopback: %v after %d requests, want refused before any", err, hits.Load())
	}
}

// testPlainHTTP: http:// is refused unless the development option allows it.
func testPlainHTTP(t *testing.T, store storage.Store) {
	f := newFixture(t, store)
	var hits int
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits++
		_, _ = io.WriteString(w, `{"name":"Acme"}`)
	}))
	t.Cleanup(ts.Close)
	f.configure(t, ts.URL, 0)
	_, err := f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "http://", err, "not https")
	if hits != 0 {
		t.Errorf("the http webhook was asked %d times", hits)
	}
	got, err := f.client(ts, partnerlookup.AllowLoopback(), partnerlookup.AllowHTTP()).ResolvePartner(t.Context(), f.appID, code)
	if err != nil || got.Name != "Acme" {
		t.Errorf("http:// with AllowHTTP: %+v, %v", got, err)
	}
}

// testSecretOfAnotherApplication: a sealed secret copied from another
// application's row does not open, and nothing is sent.
func testSecretOfAnotherApplication(t *testing.T, store storage.Store) {
	f, other := newFixture(t, store), newFixture(t, store)
	ts, hits := tlsServer(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"name":"Acme"}`) })
	other.sealer = f.sealer
	other.configure(t, ts.URL, 0)
	l, err := store.GetPartnerLookup(t.Context(), other.appID)
	if err != nil {
		t.Fatal(err)
	}
	l.ApplicationID = f.appID
	if err := store.SetPartnerLookup(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	_, err = f.client(ts, partnerlookup.AllowLoopback()).ResolvePartner(t.Context(), f.appID, code)
	wantFailed(t, "moved secret", err, "does not open")
	if hits.Load() != 0 {
		t.Errorf("the webhook was asked %d times with a secret that does not open", hits.Load())
	}
}

func wantFailed(t *testing.T, what string, err error, reason string) {
	t.Helper()
	if !errors.Is(err, partnerlookup.ErrPartnerLookupFailed) || errors.Is(err, partnerlookup.ErrPartnerUnknown) {
		t.Errorf("%s: %v, want ErrPartnerLookupFailed", what, err)
		return
	}
	if !strings.Contains(err.Error(), reason) {
		t.Errorf("%s: %v, want the reason %q", what, err, reason)
	}
}
