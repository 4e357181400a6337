package manage_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"foyer/admin/manage"
	"foyer/storage"
)

// withSchema gives "eu" a schema: nickname (console-editable), tier
// (shown, read-only), secret_note (hidden from the console) and birthday
// (a date).
func withSchema(t *testing.T, e *acctEnv) {
	t.Helper()
	is, err := e.s.GetIdentityStore(t.Context(), "eu")
	mustDo(t, err)
	is.Attributes = []storage.AttributeDef{
		{Name: "nickname", Visible: true, Editable: true, AdminVisible: true, AdminEditable: true, MaxLength: 10},
		{Name: "tier", Visible: true, AdminVisible: true, Type: storage.AttrEnum, Options: []string{"gold", "silver"}},
		{Name: "secret_note"},
		{Name: "birthday", Type: storage.AttrDate, AdminVisible: true, AdminEditable: true},
	}
	mustDo(t, e.s.UpdateIdentityStore(t.Context(), is, is.Version))
	e.acct.Attributes = map[string]string{"tier": "gold", "secret_note": "x"}
	mustDo(t, e.s.UpdateAccountProfile(t.Context(), e.acct))
}

func ptr(s string) *string { return &s }

func TestAccountProfileGetShowsConsoleAttributes(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		withSchema(t, e)
		profiles := manage.NewAccountProfiles(manage.NewCore(e.s, nil), e.s, nil)
		p, err := profiles.Get(t.Context(), appAdmin(storage.RoleAuditor, "eu"), "eu", e.acct.ID)
		mustDo(t, err)
		if p.Attributes["tier"] != "gold" || p.Attributes["secret_note"] != "" || len(p.Fields) != 3 || p.Version < 1 {
			t.Errorf("profile = %+v", p)
		}
		if _, err := profiles.Get(t.Context(), appAdmin(storage.RoleSupport, "us"), "eu", e.acct.ID); !errors.Is(err, manage.ErrForbidden) {
			t.Errorf("other store's support: %v", err)
		}
	})
}

func TestAccountUpdateAttributes(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		withSchema(t, e)
		ctx := t.Context()
		profiles := manage.NewAccountProfiles(manage.NewCore(e.s, nil), e.s, nil)
		support := appAdmin(storage.RoleSupport, "eu")
		cur, _ := e.s.GetAccount(ctx, e.acct.ID)
		other := &storage.Account{StoreID: "eu", Email: "bob@example.com", Phone: "+4915100000001"}
		mustDo(t, e.s.CreateAccount(ctx, other))
		n := auditTotal(t, e.s)
		bad := []struct {
			in    manage.AttributesInput
			field string
		}{
			{manage.AttributesInput{Attributes: map[string]string{"nickname": "far too long a name"}}, "attributes.nickname"},
			{manage.AttributesInput{Attributes: map[string]string{"tier": "silver"}}, "attributes.tier"},
			{manage.AttributesInput{Attributes: map[string]string{"secret_note": "y"}}, "attributes.secret_note"},
			{manage.AttributesInput{Attributes: map[string]string{"birthday": "yesterday"}}, "attributes.birthday"},
			{manage.AttributesInput{Email: ptr("not-an-address")}, "email"},
			{manage.AttributesInput{Email: ptr("BOB@example.com")}, "email"},
			{manage.AttributesInput{Phone: ptr("+49 151 00000001")}, "phone"},
			{manage.AttributesInput{Email: ptr("")}, "email"},
			{manage.AttributesInput{Username: ptr("ann")}, "username"},
			{manage.AttributesInput{Language: ptr("not a tag!")}, "language"},
		}
		for _, b := range bad {
			_, err := profiles.UpdateAttributes(ctx, support, "eu", e.acct.ID, cur.Version, b.in)
			var ve *manage.ValidationError
			if !errors.As(err, &ve) || ve.Fields[b.field] == "" {
				t.Errorf("%+v: error %v, want a %s field error", b.in, err, b.field)
			}
		}
		if got, _ := e.s.GetAccount(ctx, e.acct.ID); got.Version != cur.Version || auditTotal(t, e.s) != n {
			t.Fatal("refused edits changed something")
		}

		p, err := profiles.UpdateAttributes(ctx, support, "eu", e.acct.ID, cur.Version, manage.AttributesInput{
			Email: ptr("Ann.New@example.com"), Language: ptr("de"), Attributes: map[string]string{"nickname": " Annie "}})
		mustDo(t, err)
		if p.Email != "Ann.New@example.com" || p.EmailConfirmed || p.Attributes["nickname"] != "Annie" || p.Version != cur.Version+1 {
			t.Errorf("after update: %+v", p)
		}
		got, _ := e.s.GetAccount(ctx, e.acct.ID)
		if got.Attributes["secret_note"] != "x" || got.Attributes["tier"] != "gold" {
			t.Errorf("attributes the console may not edit changed: %v", got.Attributes)
		}
		before, after := lastAccountAudit(t, e.s, e.acct, "account.attributes_updated")
		if before["email"] != "ann@example.com" || after["email"] != "Ann.New@example.com" || after["language"] != "de" {
			t.Errorf("audit before %v after %v", before, after)
		}
		_, err = profiles.UpdateAttributes(ctx, support, "eu", e.acct.ID, cur.Version, manage.AttributesInput{Language: ptr("fr")})
		wantIs(t, "stale version", err, manage.ErrStale)
		_, err = profiles.UpdateAttributes(ctx, appAdmin(storage.RoleAuditor), "eu", e.acct.ID, p.Version, manage.AttributesInput{Language: ptr("fr")})
		wantIs(t, "auditor", err, manage.ErrForbidden)
	})
}

func TestAccountExportHoldsNoSecret(t *testing.T) {
	bothAccts(t, func(t *testing.T, e *acctEnv) {
		ctx := t.Context()
		mustDo(t, e.s.SetPassword(ctx, e.acct.ID, "$argon2id$v=19$secret-hash"))
		actions := e.actions
		mustDo(t, actions.AddToGroup(ctx, appAdmin(storage.RoleSupport), "eu", e.acct.ID, e.group.ID))
		org := &storage.Organization{StoreID: "eu", Name: "Acme"}
		mustDo(t, e.s.CreateOrganization(ctx, org))
		role := &storage.StoreRole{StoreID: "eu", Name: "buyer"}
		mustDo(t, e.s.CreateStoreRole(ctx, role))
		mustDo(t, e.s.AssignAccountRole(ctx, &storage.AccountRole{StoreID: "eu", AccountID: e.acct.ID, OrganizationID: org.ID, RoleID: role.ID}))
		pol := &storage.VerificationPolicy{StoreID: "eu", Name: "Branch", Methods: []string{"in person"}}
		mustDo(t, e.s.CreateVerificationPolicy(ctx, pol))
		mustDo(t, e.s.RecordIdentityVerification(ctx, &storage.IdentityVerification{AccountID: e.acct.ID, StoreID: "eu",
			PolicyID: pol.ID, PolicyName: pol.Name, Method: "in person", AdminID: "a1", AdminName: "clerk@example.com", Note: "passport seen"}))
		profiles := manage.NewAccountProfiles(manage.NewCore(e.s, nil), e.s, nil)
		x, err := profiles.Export(ctx, appAdmin(storage.RoleSupport, "eu"), "eu", e.acct.ID)
		mustDo(t, err)
		raw, err := json.Marshal(x)
		mustDo(t, err)
		body := string(raw)
		for _, secret := range []string{"argon2id", "secret-hash", "sig-", "sess-"} {
			if strings.Contains(body, secret) {
				t.Errorf("export contains %q: %s", secret, body)
			}
		}
		for _, want := range []string{`"profile"`, `"password":{"set":true`, `"admin":`, `"account.group_added"`, `"staff"`, `"labels":["enabled","email_verified"]`, `"role":"buyer"`, `"organization":"Acme"`, `"organizations":[]`,
			`"identity_verifications":[{"policy":"Branch","method":"in person","verified_by":"clerk@example.com"`} {
			if !strings.Contains(body, want) {
				t.Errorf("export lacks %s: %s", want, body)
			}
		}
	})
}
