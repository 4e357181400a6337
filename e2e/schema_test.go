//go:build e2e

package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"foyer/admin/manage"
	"foyer/storage"
	"foyer/storage/sqlstore"
)

// schemaApp is the application the test adds to schemaStore, a new
// identity store whose customers sign in to the portal at
// /account?store=partners with the store's own portal client.
const (
	schemaApp   = "partner-shop"
	schemaStore = "partners"
)

// TestCustomAttributeJourney: an operator creates a new identity store
// with a required "company" attribute (at most 40 characters, a pattern)
// through manage.Stores.Create (the CLI's store create, which like the
// console and the API gives the store its account portal client), adds an
// application to it (manage.Applications.Create) and a client (the CLI).
// A customer registers through that client: the registration page labels
// the field, refuses a value off the pattern next to the field and keeps
// it, registers, activates, and finds the company on the portal's
// personal information page, signed in through the new store's portal.
// The test runs a Foyer of its own.
func TestCustomAttributeJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	issuer, environ, _ := ownFoyer(ctx, t, "127.0.0.1")
	createPartnerStore(ctx, t, environ)
	rp := schemaClient(ctx, t, issuer, environ)

	b := newBrowser(t)
	email := "partner-" + randomString(6) + "@example.com"
	const pw = "amber-lantern-meadow-73"
	company := `input[name="attr.company"]`
	b.do(t, "open the partner shop", chromedp.Navigate(rp.srv.URL+"/start"),
		chromedp.WaitVisible(chromedp.ID("identifier")),
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Create an account"]`)),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	b.checkLabel(t, "attr.company", "Company")
	if got := b.attribute(t, chromedp.CSS(company), "required"); got != "" && got != "required" {
		t.Errorf("company field required=%q", got)
	}
	b.do(t, "fill the form with a company off the pattern",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.CSS(company), "Acme <Partners>"),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Click(chromedp.ID("accept_terms")),
		chromedp.Click(buttonWithText("Create account")),
		chromedp.WaitVisible(chromedp.CSS(`[id="attr.company-error"]`)))
	if got := b.text(t, chromedp.CSS(`[id="attr.company-error"]`)); got != "This does not have the required format." {
		t.Errorf("company error = %q", got)
	}
	if got := b.value(t, chromedp.CSS(company)); got != "Acme <Partners>" {
		t.Errorf("typed company not kept: %q", got)
	}
	if got := b.attribute(t, chromedp.CSS(company), "aria-describedby"); got != "attr.company-error" {
		t.Errorf("company aria-describedby = %q", got)
	}
	// The acceptance is kept too; the passwords are not.
	b.do(t, "correct the company and register",
		chromedp.SetValue(chromedp.CSS(company), "Acme Partners"),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Click(buttonWithText("Create account")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Check your email"]`)))

	link := outboxLinkAt(t, issuer, "activation", email, "/register/activate?token=")
	b.do(t, "activate", chromedp.Navigate(link), chromedp.WaitVisible(buttonWithText("Activate my account")),
		chromedp.Click(buttonWithText("Activate my account")),
		chromedp.WaitVisible(chromedp.CSS("#result, #result-error")))
	if got := b.text(t, chromedp.CSS("h1")); got != "Signed in as "+email {
		t.Fatalf("after activation: %q (%s)", got, b.location(t))
	}

	b.do(t, "open personal information: the SSO session signs the store's portal in",
		chromedp.Navigate(issuer+"/account/profile?store="+schemaStore), chromedp.WaitVisible(chromedp.ID("attr-company")))
	b.checkLabel(t, "attr-company", "Company")
	if got := b.value(t, chromedp.CSS("#attr-company")); got != "Acme Partners" {
		t.Errorf("company on the portal = %q", got)
	}
	b.checkClean(t)
}

// createPartnerStore creates the store with the company attribute with
// the CLI (manage.Stores.Create as the system, with the hook that gives
// the store its portal client) and its application through
// manage.Applications over the server's database.
func createPartnerStore(ctx context.Context, t *testing.T, environ []string) {
	t.Helper()
	attrs, err := json.Marshal([]storage.AttributeDef{{Name: "company", Label: "Company", Required: true, MaxLength: 40,
		Pattern: `[A-Za-z0-9 .&-]+`, Visible: true, Editable: true, AdminVisible: true, AdminEditable: true}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(ctx, env.bin, environ, "store", "create", "Partners", "--id", schemaStore,
		"--attributes", string(attrs)); err != nil {
		t.Fatalf("create the store: %v", err)
	}
	s := openFoyerStore(ctx, t, environ)
	if _, err := s.GetClient(ctx, "foyer-account-"+schemaStore); err != nil {
		t.Fatalf("the new store's portal client: %v", err)
	}
	apps := manage.NewApplications(manage.NewCore(s, nil), s)
	if _, err := apps.Create(ctx, manage.System(), manage.ApplicationInput{ID: schemaApp, StoreID: schemaStore,
		Name: "Partner Shop"}); err != nil {
		t.Fatalf("create the application: %v", err)
	}
}

// openFoyerStore opens the database of a Foyer started by ownFoyer.
func openFoyerStore(ctx context.Context, t *testing.T, environ []string) *sqlstore.Store {
	t.Helper()
	var dbURL string
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, "FOYER_DATABASE_URL="); ok {
			dbURL = v
		}
	}
	s, err := sqlstore.Open(ctx, dbURL)
	if err != nil {
		t.Fatalf("open %s: %v", dbURL, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// schemaClient creates a confidential client of the application with the
// CLI and a relying party that signs in with it.
func schemaClient(ctx context.Context, t *testing.T, issuer string, environ []string) *relyingParty {
	t.Helper()
	rp := newRelyingParty()
	t.Cleanup(rp.srv.Close)
	out, err := runCLI(ctx, env.bin, environ, "client", "create", "--name", "Partner Shop web",
		"--application", schemaApp, "--redirect-uri", rp.srv.URL+"/callback",
		"--grant", "authorization_code,refresh_token", "--scope", "openid profile email", "--first-party", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		ClientID     string `json:"client_id"`
		ClientSecret string `json:"client_secret"`
	}
	if err := json.Unmarshal(out, &c); err != nil {
		t.Fatalf("client create printed %q: %v", out, err)
	}
	if err := rp.configure(ctx, issuer, c.ClientID, c.ClientSecret); err != nil {
		t.Fatal(err)
	}
	return rp
}

// outboxLinkAt is outboxLink for a Foyer of the test's own: the newest
// link of the kind to email in that server's dev outbox, read again
// until the deferred-request worker has queued it (5 s at most).
func outboxLinkAt(t *testing.T, issuer, kind, email, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tokenLink := regexp.MustCompile(regexp.QuoteMeta(issuer+prefix) + `[A-Za-z0-9_=&;%-]+`)
	retry := time.NewTicker(50 * time.Millisecond)
	defer retry.Stop()
	for {
		body := readOutboxAt(ctx, t, issuer)
		for _, article := range strings.Split(body, "<article>") {
			if strings.Contains(article, "<h2>"+kind+" ") && strings.Contains(article, " to "+email+"</h2>") {
				if link := tokenLink.FindString(article); link != "" {
					return html.UnescapeString(link)
				}
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no %s link for %s in the dev outbox:\n%s", kind, email, fmt.Sprint(body))
		case <-retry.C:
		}
	}
}

func readOutboxAt(ctx context.Context, t *testing.T, issuer string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, issuer+"/admin/dev/outbox", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("dev outbox: %v", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("dev outbox: %d, %v", resp.StatusCode, err)
	}
	return string(body)
}
