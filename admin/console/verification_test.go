package console

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"foyer/storage"
)

// verificationFixture is an account of store A and two policies of A.
func verificationFixture(t *testing.T, e *testEnv) (acct *storage.Account, branch, remote *storage.VerificationPolicy) {
	t.Helper()
	ctx := context.Background()
	acct = e.account(t, storeA, "customer@example.com")
	branch = &storage.VerificationPolicy{StoreID: storeA, Name: "Branch", Methods: []string{"in person", "document check"}}
	remote = &storage.VerificationPolicy{StoreID: storeA, Name: "Remote", Methods: []string{"video call"}}
	for _, p := range []*storage.VerificationPolicy{branch, remote} {
		if err := e.store.CreateVerificationPolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	return acct, branch, remote
}

func (e *testEnv) verifications(t *testing.T, accountID string) []storage.IdentityVerification {
	t.Helper()
	list, err := e.store.ListIdentityVerifications(context.Background(), accountID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestVerificationTab: support picks a policy, then one of its methods,
// and records the verification with a note; bad input comes back with
// its errors and records nothing; revoking asks first; the records, the
// state and the audit log follow.
func TestVerificationTab(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		acct, branch, _ := verificationFixture(t, e)
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		tab := "/admin/stores/" + storeA + "/accounts/" + acct.ID + "/verification"

		page := br.get(t, tab)
		if page.status != http.StatusOK || !strings.Contains(page.body, "The identity is not verified.") ||
			!strings.Contains(page.body, "Manually verify identity</summary>") || !strings.Contains(page.body, `href="`+tab+`" aria-current="page"`) ||
			strings.Contains(page.body, `id="verify-form"`) {
			t.Fatalf("tab: %d %s", page.status, page.body)
		}
		chosen := br.get(t, tab+"?policy="+branch.ID)
		if !strings.Contains(chosen.body, `id="verify-form"`) || !strings.Contains(chosen.body, `value="document check"`) ||
			strings.Contains(chosen.body, `value="video call"`) || !strings.Contains(chosen.body, " open>") {
			t.Errorf("the chosen policy's methods are not offered: %s", chosen.body)
		}

		for what, form := range map[string]url.Values{
			"no policy":      {"method": {"in person"}},
			"foreign method": {"policy_id": {branch.ID}, "method": {"video call"}},
			"long note":      {"policy_id": {branch.ID}, "method": {"in person"}, "note": {strings.Repeat("n", 1001)}},
		} {
			got := br.post(t, tab, form)
			if got.status != http.StatusUnprocessableEntity || !strings.Contains(got.body, "field-error") {
				t.Errorf("%s: %d", what, got.status)
			}
		}
		if n := len(e.verifications(t, acct.ID)); n != 0 {
			t.Fatalf("refused forms recorded %d verifications", n)
		}

		done := br.post(t, tab, url.Values{"policy_id": {branch.ID}, "method": {"document check"}, "note": {"passport, ends 42"}})
		if done.status != http.StatusSeeOther || done.location != tab+"?notice=created" {
			t.Fatalf("verify: %d to %q", done.status, done.location)
		}
		recs := e.verifications(t, acct.ID)
		if len(recs) != 1 || recs[0].AdminName != "support@example.com" || recs[0].Method != "document check" || recs[0].Note != "passport, ends 42" {
			t.Fatalf("recorded %+v", recs)
		}
		if got := e.auditActions(t); len(got) == 0 || got[0] != "account.verified" {
			t.Errorf("audit = %v", got)
		}
		page = br.get(t, tab)
		revoke := tab + "/" + recs[0].ID + "/revoke"
		if !strings.Contains(page.body, "The identity is verified.") || !strings.Contains(page.body, "passport, ends 42") ||
			!strings.Contains(page.body, `href="`+revoke+`"`) {
			t.Errorf("the tab lacks the record or its revoke link: %s", page.body)
		}

		if got := br.post(t, revoke, url.Values{}); got.status != http.StatusSeeOther || got.location != revoke {
			t.Errorf("revoke without confirmation: %d to %q", got.status, got.location)
		}
		confirm := br.get(t, revoke)
		if confirm.status != http.StatusOK || !strings.Contains(confirm.body, `name="confirm" value="yes"`) || !strings.Contains(confirm.body, "Branch · document check") {
			t.Errorf("confirmation: %d", confirm.status)
		}
		if n := e.verifications(t, acct.ID); n[0].RevokedAt != nil {
			t.Fatal("revoked before the confirmation")
		}
		if got := br.post(t, revoke, url.Values{"confirm": {"yes"}}); got.status != http.StatusSeeOther || got.location != tab+"?notice=saved" {
			t.Fatalf("revoke: %d to %q", got.status, got.location)
		}
		if recs = e.verifications(t, acct.ID); recs[0].RevokedAt == nil || recs[0].RevokedBy != "support@example.com" {
			t.Errorf("after revoking: %+v", recs)
		}
		if got := e.auditActions(t); got[0] != "account.verification_revoked" {
			t.Errorf("audit = %v", got)
		}
		page = br.get(t, tab)
		if !strings.Contains(page.body, "The identity is not verified.") || !strings.Contains(page.body, "Revoked") || strings.Contains(page.body, `href="`+revoke+`"`) {
			t.Errorf("the tab after revoking: %s", page.body)
		}
		if again := br.post(t, revoke, url.Values{"confirm": {"yes"}}); again.status != http.StatusConflict || !strings.Contains(again.body, "revoked already") {
			t.Errorf("revoke twice: %d", again.status)
		}
	})
}

// TestVerificationTabRoles: the auditor reads without forms and is
// refused every change; an administrator of another store finds nothing;
// another store's account is not reachable through this store.
func TestVerificationTabRoles(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		acct, branch, _ := verificationFixture(t, e)
		ctx := context.Background()
		rec := &storage.IdentityVerification{AccountID: acct.ID, StoreID: storeA, PolicyID: branch.ID, Method: "in person"}
		if err := e.store.RecordIdentityVerification(ctx, rec); err != nil {
			t.Fatal(err)
		}
		tab := "/admin/stores/" + storeA + "/accounts/" + acct.ID + "/verification"
		revoke := tab + "/" + rec.ID + "/revoke"
		verify := url.Values{"policy_id": {branch.ID}, "method": {"in person"}}
		before := len(e.auditActions(t))

		auditor := e.signIn(t, e.admin(t, "auditor@example.com", grant(storage.RoleAuditor)))
		if page := auditor.get(t, tab); page.status != http.StatusOK || strings.Contains(page.body, "manual-verification") || strings.Contains(page.body, revoke) {
			t.Errorf("auditor tab: %d", page.status)
		}
		for what, got := range map[string]response{"verify": auditor.post(t, tab, verify), "confirmation": auditor.get(t, revoke),
			"revoke": auditor.post(t, revoke, url.Values{"confirm": {"yes"}})} {
			if got.status != http.StatusForbidden {
				t.Errorf("auditor %s: %d, want 403", what, got.status)
			}
		}
		other := e.signIn(t, e.admin(t, "other@example.com", grant(storage.RoleSupport, storeB)))
		for what, got := range map[string]response{"tab": other.get(t, tab), "verify": other.post(t, tab, verify),
			"revoke": other.post(t, revoke, url.Values{"confirm": {"yes"}})} {
			if !slices.Contains([]int{http.StatusForbidden, http.StatusNotFound}, got.status) {
				t.Errorf("store-B support %s: %d, want 403 or 404", what, got.status)
			}
		}
		stranger := e.account(t, storeB, "stranger@example.com")
		owner := e.signIn(t, e.admin(t, "owner@example.com", grant(storage.RoleOwner)))
		if got := owner.get(t, "/admin/stores/"+storeA+"/accounts/"+stranger.ID+"/verification"); got.status != http.StatusNotFound {
			t.Errorf("store B's account through store A: %d", got.status)
		}
		if got := len(e.auditActions(t)); got != before {
			t.Errorf("refused requests wrote %d audit entries", got-before)
		}
		if recs := e.verifications(t, acct.ID); len(recs) != 1 || recs[0].RevokedAt != nil {
			t.Errorf("refused requests changed the records: %+v", recs)
		}
	})
}

// TestVerificationTabWithoutPolicies: the form says a policy must exist.
func TestVerificationTabWithoutPolicies(t *testing.T) {
	onBothStores(t, func(t *testing.T, e *testEnv) {
		acct := e.account(t, storeA, "customer@example.com")
		br := e.signIn(t, e.admin(t, "support@example.com", grant(storage.RoleSupport)))
		page := br.get(t, "/admin/stores/"+storeA+"/accounts/"+acct.ID+"/verification")
		if page.status != http.StatusOK || !strings.Contains(page.body, "no verification policies yet") {
			t.Errorf("tab without policies: %d", page.status)
		}
	})
}
