package manage_test

import (
	"errors"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

func TestVerificationPoliciesService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		e.newStore(t, "us")
		policies := manage.NewVerificationPolicies(manage.NewCore(e.s, nil), e.s)
		branch, err := policies.Create(ctx, admin, "eu", manage.VerificationPolicyInput{Name: " Branch ",
			Methods: []string{" in person ", "document check"}})
		if err != nil || branch.Name != "Branch" || strings.Join(branch.Methods, ",") != "in person,document check" || branch.Version != 1 {
			t.Fatalf("Create = %+v, %v", branch, err)
		}
		entry := e.lastAudit(t, "verification_policy.created")
		if entry.TargetType != "verification_policy" || entry.TargetID != branch.ID || entry.StoreID != "eu" ||
			!strings.Contains(entry.After, `"methods":["in person","document check"]`) {
			t.Errorf("audit entry = %+v", entry)
		}
		_, err = policies.Create(ctx, admin, "eu", manage.VerificationPolicyInput{Name: "BRANCH", Methods: []string{"x"}})
		wantErr(t, "Create a taken name in another case", err, manage.ErrConflict)
		_, err = policies.Create(ctx, admin, "eu", manage.VerificationPolicyInput{Name: "", Methods: []string{"a", " A", ""}})
		wantFields(t, "Create bad input", err, "name", "methods[1]", "methods[2]")
		_, err = policies.Create(ctx, admin, "eu", manage.VerificationPolicyInput{Name: "Empty"})
		wantFields(t, "Create without methods", err, "methods")
		_, err = policies.Create(ctx, support, "eu", manage.VerificationPolicyInput{Name: "x", Methods: []string{"y"}})
		wantErr(t, "support Create", err, manage.ErrForbidden)
		_, err = policies.Create(ctx, auditor, "eu", manage.VerificationPolicyInput{Name: "x", Methods: []string{"y"}})
		wantErr(t, "auditor Create", err, manage.ErrForbidden)
		_, err = policies.Create(ctx, grantee(storage.RoleAdmin, "us"), "eu", manage.VerificationPolicyInput{Name: "x", Methods: []string{"y"}})
		wantErr(t, "Create outside the grant", err, manage.ErrNotFound)
		_, err = policies.Create(ctx, admin, "nowhere", manage.VerificationPolicyInput{Name: "x", Methods: []string{"y"}})
		wantErr(t, "Create in an unknown store", err, manage.ErrNotFound)

		updated, err := policies.Update(ctx, admin, "eu", branch.ID, 1, manage.VerificationPolicyInput{Name: "Counter", Methods: []string{"video call"}})
		if err != nil || updated.Name != "Counter" || updated.Version != 2 || strings.Join(updated.Methods, ",") != "video call" {
			t.Fatalf("Update = %+v, %v", updated, err)
		}
		entry = e.lastAudit(t, "verification_policy.updated")
		if !strings.Contains(entry.Before, `"name":"Branch"`) || !strings.Contains(entry.After, `"name":"Counter"`) {
			t.Errorf("update entry = %+v", entry)
		}
		_, err = policies.Update(ctx, admin, "eu", branch.ID, 1, manage.VerificationPolicyInput{Name: "Lost", Methods: []string{"x"}})
		wantErr(t, "Update at an old version", err, manage.ErrStale)
		_, err = policies.Update(ctx, support, "eu", branch.ID, 2, manage.VerificationPolicyInput{Name: "Lost", Methods: []string{"x"}})
		wantErr(t, "support Update", err, manage.ErrForbidden)
		list, more, err := policies.List(ctx, support, "eu", "", 10)
		if err != nil || len(list) != 1 || list[0].Name != "Counter" || more {
			t.Errorf("support List = %+v, %v, %v", list, more, err)
		}
		page, err := policies.ListBy(ctx, auditor, "eu", manage.ListOptions{Filter: "count"})
		if err != nil || len(page.Items) != 1 {
			t.Errorf("auditor ListBy = %+v, %v", page, err)
		}
		wantErr(t, "support Delete", policies.Delete(ctx, support, "eu", branch.ID, 2), manage.ErrForbidden)
		wantErr(t, "Delete at an old version", policies.Delete(ctx, admin, "eu", branch.ID, 1), manage.ErrStale)
		if err := policies.Delete(ctx, admin, "eu", branch.ID, 2); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		e.lastAudit(t, "verification_policy.deleted")
		_, err = policies.Get(ctx, admin, "eu", branch.ID)
		wantErr(t, "Get a deleted policy", err, manage.ErrNotFound)
	})
}

func TestAccountVerificationsService(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		e.newStore(t, "eu")
		e.newStore(t, "us")
		core := manage.NewCore(e.s, nil)
		policies, verifs := manage.NewVerificationPolicies(core, e.s), manage.NewAccountVerifications(core, e.s)
		pol, err := policies.Create(ctx, admin, "eu", manage.VerificationPolicyInput{Name: "Branch", Methods: []string{"in person", "video call"}})
		if err != nil {
			t.Fatal(err)
		}
		usPol, err := policies.Create(ctx, admin, "us", manage.VerificationPolicyInput{Name: "US", Methods: []string{"in person"}})
		if err != nil {
			t.Fatal(err)
		}
		acct := &storage.Account{StoreID: "eu", Email: "m@example.com", Status: storage.AccountEnabled}
		other := &storage.Account{StoreID: "us", Email: "m@example.com", Status: storage.AccountEnabled}
		for _, a := range []*storage.Account{acct, other} {
			if err := e.s.CreateAccount(ctx, a); err != nil {
				t.Fatal(err)
			}
		}

		v, err := verifs.Verify(ctx, support, "eu", acct.ID, manage.VerifyInput{PolicyID: pol.ID, Method: "video call", Note: " passport shown "})
		if err != nil || !v.Active || v.PolicyName != "Branch" || v.Method != "video call" || v.Note != "passport shown" ||
			v.AdminID != support.ID || v.AdminName != support.Name {
			t.Fatalf("support Verify = %+v, %v", v, err)
		}
		entry := e.lastAudit(t, "account.verified")
		if entry.TargetType != "account" || entry.TargetID != acct.ID || entry.StoreID != "eu" || entry.Role != storage.RoleSupport ||
			!strings.Contains(entry.After, `"policy":"Branch"`) || !strings.Contains(entry.After, `"method":"video call"`) ||
			!strings.Contains(entry.After, `"note":"passport shown"`) {
			t.Errorf("verify entry = %+v", entry)
		}

		before := len(e.audit(t))
		refusals := []struct {
			what string
			a    manage.Actor
			in   manage.VerifyInput
			id   string
		}{
			{"auditor", auditor, manage.VerifyInput{PolicyID: pol.ID, Method: "in person"}, acct.ID},
			{"an administrator of another store", grantee(storage.RoleSupport, "us"), manage.VerifyInput{PolicyID: pol.ID, Method: "in person"}, acct.ID},
		}
		for _, c := range refusals {
			_, err := verifs.Verify(ctx, c.a, "eu", c.id, c.in)
			wantErr(t, c.what+" Verify", err, manage.ErrForbidden)
		}
		_, err = verifs.Verify(ctx, support, "eu", acct.ID, manage.VerifyInput{PolicyID: pol.ID, Method: "telepathy"})
		wantFields(t, "Verify with a method the policy lacks", err, "method")
		_, err = verifs.Verify(ctx, support, "eu", acct.ID, manage.VerifyInput{Method: "in person"})
		wantFields(t, "Verify without a policy", err, "policy_id")
		_, err = verifs.Verify(ctx, support, "eu", acct.ID, manage.VerifyInput{PolicyID: usPol.ID, Method: "in person"})
		wantFields(t, "Verify under another store's policy", err, "policy_id")
		_, err = verifs.Verify(ctx, support, "eu", acct.ID, manage.VerifyInput{PolicyID: pol.ID, Method: "in person", Note: strings.Repeat("n", 1001)})
		wantFields(t, "Verify with a long note", err, "note")
		_, err = verifs.Verify(ctx, support, "eu", other.ID, manage.VerifyInput{PolicyID: pol.ID, Method: "in person"})
		wantErr(t, "Verify another store's account", err, manage.ErrNotFound)
		if after := len(e.audit(t)); after != before {
			t.Errorf("refused verifications wrote %d audit entries", after-before)
		}
		if list, err := verifs.List(ctx, auditor, "eu", acct.ID); err != nil || len(list) != 1 || list[0].ID != v.ID {
			t.Errorf("auditor List = %+v, %v", list, err)
		}
		_, err = verifs.List(ctx, grantee(storage.RoleAuditor, "us"), "eu", acct.ID)
		wantErr(t, "List by an auditor of another store", err, manage.ErrForbidden)

		_, err = verifs.Revoke(ctx, auditor, "eu", acct.ID, v.ID)
		wantErr(t, "auditor Revoke", err, manage.ErrForbidden)
		_, err = verifs.Revoke(ctx, grantee(storage.RoleSupport, "us"), "eu", acct.ID, v.ID)
		wantErr(t, "Revoke by an administrator of another store", err, manage.ErrForbidden)
		r, err := verifs.Revoke(ctx, support, "eu", acct.ID, v.ID)
		if err != nil || r.Active || r.RevokedAt == nil || r.RevokedBy != support.Name {
			t.Fatalf("Revoke = %+v, %v", r, err)
		}
		entry = e.lastAudit(t, "account.verification_revoked")
		if entry.TargetID != acct.ID || !strings.Contains(entry.Before, `"policy":"Branch"`) || !strings.Contains(entry.After, `"revoked_by":"`+support.Name) {
			t.Errorf("revoke entry = %+v", entry)
		}
		_, err = verifs.Revoke(ctx, support, "eu", acct.ID, v.ID)
		wantErr(t, "Revoke twice", err, manage.ErrConflict)
		_, err = verifs.Revoke(ctx, support, "us", other.ID, v.ID)
		wantErr(t, "Revoke through another account", err, manage.ErrNotFound)
		if _, err := e.s.CurrentIdentityVerification(ctx, acct.ID); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("a revoked verification still counts: %v", err)
		}
	})
}

func TestAccountVerificationsSkipAdministrators(t *testing.T) {
	bothConfig(t, func(t *testing.T, e *configEnv) {
		ctx := t.Context()
		adm := &storage.Account{StoreID: storage.AdministratorsStoreID, Email: "root@example.com", Status: storage.AccountEnabled}
		if err := e.s.CreateAccount(ctx, adm); err != nil {
			t.Fatal(err)
		}
		verifs := manage.NewAccountVerifications(manage.NewCore(e.s, nil), e.s)
		_, err := verifs.List(ctx, owner, storage.AdministratorsStoreID, adm.ID)
		wantErr(t, "List an administrator's verifications", err, manage.ErrNotFound)
	})
}
