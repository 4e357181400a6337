//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestRegisterAndActivate registers from the sign-in page, opens the
// activation link from the captured e-mail in the same browser and lands
// back at the relying party signed in with the new account.
func TestRegisterAndActivate(t *testing.T) {
	b := newBrowser(t)
	email := "newcomer-" + randomString(6) + "@example.com"
	const pw = "plum-velvet-harbor-42"

	b.do(t, "open the relying party", chromedp.Navigate(env.rp.srv.URL+"/start"))
	b.do(t, "wait for the sign-in page", chromedp.WaitVisible(chromedp.ID("identifier")))
	b.do(t, "click Create an account",
		chromedp.Click(chromedp.Search(`//a[normalize-space()="Create an account"]`)),
		chromedp.WaitVisible(chromedp.ID("password_confirm")))
	if loc := b.location(t); !strings.HasPrefix(loc, env.issuer+"/register?") {
		t.Fatalf("registration page at %s, want %s/register?...", loc, env.issuer)
	}
	b.checkLabel(t, "email", "Email")
	b.checkLabel(t, "password", "Password")
	b.checkLabel(t, "password_confirm", "Confirm password")
	b.do(t, "fill the form and click Create account",
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.SendKeys(chromedp.ID("password_confirm"), pw),
		chromedp.Click(chromedp.ID("accept_terms")),
		chromedp.Click(buttonWithText("Create account")),
		chromedp.WaitVisible(chromedp.Search(`//h1[normalize-space()="Check your email"]`)),
	)

	link := outboxLink(t, "activation", email, "/register/activate?token=")
	b.do(t, "open the activation link", chromedp.Navigate(link),
		chromedp.WaitVisible(buttonWithText("Activate my account")))
	b.do(t, "click Activate my account", chromedp.Click(buttonWithText("Activate my account")))
	b.expectSignedIn(t, email)
	b.checkClean(t)
}

// outboxLink reads the link of the newest message of the kind to email
// from the dev outbox (the server runs in dev mode: no SMTP, issuer on
// loopback). The message is queued by the server's deferred-request
// worker just after the request that answered the form, so the outbox is
// read again until it shows the message (5 s at most).
func outboxLink(t *testing.T, kind, email, prefix string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tokenLink := regexp.MustCompile(regexp.QuoteMeta(env.issuer+prefix) + `[A-Za-z0-9_=&;%.-]+`)
	retry := time.NewTicker(50 * time.Millisecond)
	defer retry.Stop()
	for {
		body := readOutbox(ctx, t)
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

func readOutbox(ctx context.Context, t *testing.T) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.issuer+"/admin/dev/outbox", nil)
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
