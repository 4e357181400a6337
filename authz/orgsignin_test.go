package authz

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"
)

// TestChooseRecordsTheChoice: after the picker the stored request names
// the organization and no longer asks to select, other prompts kept.
func TestChooseRecordsTheChoice(t *testing.T) {
	for _, tc := range []struct{ prompt, want string }{
		{"select_account", ""},
		{"login select_account", "login"},
		{"select_account consent", "consent"},
		{"", ""},
	} {
		ar := fosite.NewAuthorizeRequest()
		ar.Form = url.Values{"prompt": {tc.prompt}, OrganizationParam: {"asked"}}
		choose(ar, "picked")
		if got := ar.Form.Get("prompt"); got != tc.want || ar.Form.Get(OrganizationParam) != "picked" {
			t.Errorf("prompt %q: prompt %q, organization %q; want %q, picked", tc.prompt, got, ar.Form.Get(OrganizationParam), tc.want)
		}
		if _, kept := ar.Form["prompt"]; tc.want == "" && kept {
			t.Errorf("prompt %q: an empty prompt parameter was kept", tc.prompt)
		}
	}
}

// TestOrgClaimsOf: a JWT access token takes the organization claims from
// an organizational grant's session, and nothing from any other session.
func TestOrgClaimsOf(t *testing.T) {
	extra := map[string]any{"org_id": "o1", "org_name": "Acme", "roles": []string{"admin"}, "sid": "s1", "other": "x"}
	sess := &Session{OrgID: "o1", DefaultSession: &openid.DefaultSession{Claims: &jwt.IDTokenClaims{Extra: extra}}}
	got := map[string]any{}
	orgClaimsOf(got, sess)
	want := map[string]any{"org_id": "o1", "org_name": "Acme", "roles": []string{"admin"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("organizational session: %v, want %v", got, want)
	}
	sess.OrgID = ""
	got = map[string]any{}
	orgClaimsOf(got, sess)
	if len(got) != 0 {
		t.Errorf("another client's session: %v, want nothing", got)
	}
}

// TestOrgRolesClaims: the roles claim is a copy, so a token's claims
// never share the slice the grouping built.
func TestOrgRolesClaims(t *testing.T) {
	o := &orgRoles{ID: "o1", Name: "Acme", Roles: []string{"admin", "viewer"}}
	c := o.claims()
	c["roles"].([]string)[0] = "changed"
	if o.Roles[0] != "admin" {
		t.Error("claims share the roles slice")
	}
	if c["org_id"] != "o1" || c["org_name"] != "Acme" {
		t.Errorf("claims = %v", c)
	}
}
