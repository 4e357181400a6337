package selfservice_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"foyer/selfservice/partnerlookup"
	"foyer/selfservice/selfservicetest"
	"foyer/storage"
	"foyer/storage/sqlstore/sqltest"
)

// partnerWithCode creates a partner organization and gives it code.
func partnerWithCode(t *testing.T, env *selfservicetest.Env, name, code string, mod func(*storage.PartnerCode)) *storage.Organization {
	t.Helper()
	ctx := context.Background()
	org := &storage.Organization{StoreID: selfservicetest.StoreID, Name: name, Partner: true}
	if err := env.Store.CreateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	pc := &storage.PartnerCode{OrganizationID: org.ID, StoreID: org.StoreID, CodeHash: storage.PartnerCodeDigest(code)}
	if mod != nil {
		mod(pc)
	}
	if err := env.Store.SetPartnerCode(ctx, pc); err != nil {
		t.Fatal(err)
	}
	return org
}

// uses is how often the organization's code was redeemed.
func uses(t *testing.T, env *selfservicetest.Env, orgID string) int {
	t.Helper()
	pc, err := env.Store.GetPartnerCode(context.Background(), selfservicetest.StoreID, orgID)
	if err != nil {
		t.Fatal(err)
	}
	return pc.Uses
}

// partnerPage opens a new registration link for email at its partner
// page, reached by the customer page's "I have a partner code".
func partnerPage(t *testing.T, env *selfservicetest.Env, email string) (string, *selfservicetest.Browser, *selfservicetest.Page) {
	t.Helper()
	id, b, link := startOrg(t, env, email)
	customer := b.Get(link)
	i := strings.Index(customer.Body, `">I have a partner code`)
	j := strings.LastIndex(customer.Body[:max(i, 0)], `href="`)
	if i < 0 || j < 0 {
		t.Fatalf("no partner code link:\n%s", customer.Body)
	}
	href := strings.ReplaceAll(customer.Body[j+len(`href="`):i], "&amp;", "&")
	p := b.Get(env.Server.URL + href)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `<label for="partner_code">Partner code</label>`) || p.Has("organization_name") {
		t.Fatalf("partner page: %d\n%s", p.Status, p.Body)
	}
	return id, b, p
}

// A partner's person registers with the code (typed in lower case with
// spaces): a member of the partner with the partner role, signed in, and
// the code's use counted.
func TestPartnerRegistration(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		partner := partnerWithCode(t, env, "Globex Partners", "7KQ2-M9XD-4TWB-P0ZR-H3CE", func(pc *storage.PartnerCode) { pc.MaxUses = 5 })
		id, b, p := partnerPage(t, env, "hank@globex.example")
		done := b.Submit(p, partnerFields("7kq2 m9xd 4twb p0zr h3ce"))
		if done.URL.Path != selfservicetest.ResumePath {
			t.Fatalf("partner registration: %d at %s\n%s", done.Status, done.URL, done.Body)
		}
		acct := accountOf(t, env, "hank@globex.example")
		if acct == nil || !acct.EmailConfirmed || env.Resumed(t, id).AccountID != acct.ID {
			t.Fatalf("account %+v", acct)
		}
		m, role := membership(t, env, acct)
		if m.OrganizationID != partner.ID || role.RoleID != rolePartner {
			t.Errorf("member of %s with %s, want %s with %s", m.OrganizationID, role.RoleID, partner.ID, rolePartner)
		}
		if n := uses(t, env, partner.ID); n != 1 {
			t.Errorf("%d uses, want 1", n)
		}
		if n := len(organizations(t, env)); n != 1 {
			t.Errorf("%d organizations, want the partner only", n)
		}
	})
}

// An unknown, expired or used-up code is one clear message next to the
// field, with the form kept; nothing is made and no use is counted.
func TestPartnerCodeRefused(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		env := orgEnv(t, newStore(t), nil, nil)
		past := env.Clock.Now().Add(-time.Minute)
		expired := partnerWithCode(t, env, "Expired Ltd", "EXPI-RED0-CODE", func(pc *storage.PartnerCode) { pc.ExpiresAt = &past })
		spent := partnerWithCode(t, env, "Spent Ltd", "SPEN-T000-CODE", func(pc *storage.PartnerCode) { pc.MaxUses = 1 })
		if _, err := env.Store.RedeemPartnerCode(context.Background(), selfservicetest.StoreID, storage.PartnerCodeDigest("SPEN-T000-CODE"), env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, b, p := partnerPage(t, env, "mallory@example.com")
		for _, code := range []string{"NOPE-NOPE-NOPE", "EXPI-RED0-CODE", "SPEN-T000-CODE"} {
			got := b.Submit(p, partnerFields(code))
			if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "This partner code is not valid") ||
				!strings.Contains(got.Body, `value="`+code+`"`) || !strings.Contains(got.Body, `value="grace-hopper"`) {
				t.Errorf("code %s: %d\n%s", code, got.Status, got.Body)
			}
		}
		if accountOf(t, env, "mallory@example.com") != nil || len(organizations(t, env)) != 2 {
			t.Error("a refused code created something")
		}
		if uses(t, env, expired.ID) != 0 || uses(t, env, spent.ID) != 1 {
			t.Error("a refused code counted a use")
		}
	})
}

// Codes tried with one link are limited (then 429 with Retry-After and
// the message next to the field), and so are codes from one address
// across links; a right code is refused too while held.
func TestPartnerCodeThrottle(t *testing.T) {
	t.Parallel()
	env := orgEnv(t, nil, nil, nil)
	partnerWithCode(t, env, "Real Partner", "REAL-CODE-0001", nil)
	try := func(b *selfservicetest.Browser, p *selfservicetest.Page, code string) *selfservicetest.Page {
		return b.Submit(p, partnerFields(code))
	}
	_, b, p := partnerPage(t, env, "guesser0@example.com")
	for i := range 5 {
		if got := try(b, p, fmt.Sprintf("GUESS-%d", i)); got.Status != http.StatusBadRequest {
			t.Fatalf("try %d: %d", i, got.Status)
		}
	}
	held := try(b, p, "REAL-CODE-0001")
	if held.Status != http.StatusTooManyRequests || held.Resp.Header.Get("Retry-After") != "900" ||
		!strings.Contains(held.Body, "Too many partner codes were tried") || !strings.Contains(held.Body, `value="grace-hopper"`) {
		t.Fatalf("sixth try with one link: %d, Retry-After %q\n%s", held.Status, held.Resp.Header.Get("Retry-After"), held.Body)
	}
	// 15 more tries with three other links fill the address's 20 an hour.
	for n := 1; n <= 3; n++ {
		_, b, p := partnerPage(t, env, fmt.Sprintf("guesser%d@example.com", n))
		for i := range 5 {
			if got := try(b, p, fmt.Sprintf("GUESS-%d-%d", n, i)); got.Status != http.StatusBadRequest {
				t.Fatalf("link %d try %d: %d", n, i, got.Status)
			}
		}
	}
	_, b, p = partnerPage(t, env, "guesser4@example.com")
	if got := try(b, p, "REAL-CODE-0001"); got.Status != http.StatusTooManyRequests || got.Resp.Header.Get("Retry-After") != "3600" {
		t.Errorf("a new link from the same address: %d, Retry-After %q", got.Status, got.Resp.Header.Get("Retry-After"))
	}
	if accountOf(t, env, "guesser0@example.com") != nil || accountOf(t, env, "guesser4@example.com") != nil {
		t.Error("a held try registered")
	}
}

// stubResolver stands in for the partner lookup webhook client (our own
// seam; partnerlookup's tests cover the HTTP side).
type stubResolver struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (s *stubResolver) ResolvePartner(_ context.Context, applicationID, code string) (*partnerlookup.PartnerDetails, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, applicationID+" "+code)
	if s.err != nil {
		return nil, s.err
	}
	if !strings.EqualFold(code, "HOOK-KNOWS-THIS") {
		return nil, partnerlookup.ErrPartnerUnknown
	}
	return &partnerlookup.PartnerDetails{Name: "Umbrella Partners", Domains: []string{"Umbrella.example"},
		Attributes: map[string]string{"vat": "CHE-777"}}, nil
}

func (s *stubResolver) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// lookupEnv is an orgEnv whose application has a partner lookup webhook
// answered by resolver.
func lookupEnv(t *testing.T, store storage.Store, resolver *stubResolver) *selfservicetest.Env {
	t.Helper()
	env := orgEnv(t, store, nil, resolver)
	err := env.Store.SetPartnerLookup(context.Background(), &storage.PartnerLookup{ApplicationID: selfservicetest.AppID,
		URL: "https://partners.example/lookup", SecretSealed: []byte("sealed"), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// A code Foyer does not know goes to the webhook: its partner is created
// (a partner, with its domains and attributes) and joined, and keeps the
// code, so the next registrant joins it without another lookup. A code
// the webhook does not know either is not valid.
func TestPartnerLookupCreatesPartner(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		resolver := &stubResolver{}
		env := lookupEnv(t, newStore(t), resolver)
		_, b, p := partnerPage(t, env, "alice@umbrella.example")
		if got := b.Submit(p, partnerFields("WHO-KNOWS")); got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "This partner code is not valid") {
			t.Errorf("code unknown to the webhook: %d\n%s", got.Status, got.Body)
		}
		if done := b.Submit(p, partnerFields("hook-knows-this")); done.URL.Path != selfservicetest.ResumePath {
			t.Fatalf("registration with a code the webhook knows: %d at %s\n%s", done.Status, done.URL, done.Body)
		}
		if resolver.callCount() != 2 || resolver.calls[1] != selfservicetest.AppID+" hook-knows-this" {
			t.Errorf("webhook calls %v", resolver.calls)
		}
		m, role := membership(t, env, accountOf(t, env, "alice@umbrella.example"))
		org, err := env.Store.GetOrganization(context.Background(), selfservicetest.StoreID, m.OrganizationID)
		if err != nil || org.Name != "Umbrella Partners" || !org.Partner || len(org.Domains) != 1 || org.Domains[0] != "umbrella.example" ||
			org.Attributes["vat"] != "CHE-777" || role.RoleID != rolePartner {
			t.Fatalf("partner %+v, %v; role %+v", org, err, role)
		}
		_, b2, p2 := partnerPage(t, env, "bob@umbrella.example")
		second := partnerFields("HOOK-KNOWS-THIS")
		second["username"] = "bob-umbrella"
		if done := b2.Submit(p2, second); done.URL.Path != selfservicetest.ResumePath {
			t.Fatalf("second registrant: %d\n%s", done.Status, done.Body)
		}
		if m2, _ := membership(t, env, accountOf(t, env, "bob@umbrella.example")); m2.OrganizationID != org.ID {
			t.Errorf("second registrant joined %s, want %s", m2.OrganizationID, org.ID)
		}
		if resolver.callCount() != 2 || uses(t, env, org.ID) != 2 {
			t.Errorf("%d webhook calls (want 2), %d uses (want 2)", resolver.callCount(), uses(t, env, org.ID))
		}
	})
}

// A webhook that cannot answer is "try again", with the form kept and
// nothing made; without a webhook configured the resolver is not asked.
func TestPartnerLookupFailure(t *testing.T) {
	t.Parallel()
	sqltest.Both(t, func(t *testing.T, newStore func(t *testing.T) storage.Store) {
		resolver := &stubResolver{err: fmt.Errorf("timeout: %w", partnerlookup.ErrPartnerLookupFailed)}
		env := lookupEnv(t, newStore(t), resolver)
		_, b, p := partnerPage(t, env, "carol@umbrella.example")
		got := b.Submit(p, partnerFields("HOOK-KNOWS-THIS"))
		if got.Status != http.StatusBadRequest || !strings.Contains(got.Body, "could not check the code right now") ||
			!strings.Contains(got.Body, `value="grace-hopper"`) {
			t.Errorf("webhook failure: %d\n%s", got.Status, got.Body)
		}
		if accountOf(t, env, "carol@umbrella.example") != nil || len(organizations(t, env)) != 0 {
			t.Error("a failed lookup created something")
		}
		if !errors.Is(resolver.err, partnerlookup.ErrPartnerLookupFailed) || resolver.callCount() != 1 {
			t.Errorf("%d webhook calls, want 1", resolver.callCount())
		}
		if strings.Contains(env.Logs.String(), "HOOK-KNOWS-THIS") {
			t.Error("the code is in the log")
		}
		if err := env.Store.DeletePartnerLookup(context.Background(), selfservicetest.AppID); err != nil {
			t.Fatal(err)
		}
		if got := b.Submit(p, partnerFields("HOOK-KNOWS-THIS")); !strings.Contains(got.Body, "This partner code is not valid") || resolver.callCount() != 1 {
			t.Errorf("without a webhook: %d, %d calls\n%s", got.Status, resolver.callCount(), got.Body)
		}
	})
}
