package storagetest

import (
	"testing"
	"time"

	"foyer/storage"
)

// testAccountSearchRelations: organization membership, roles in any
// organization, and identity verification (a revoked one does not count).
func testAccountSearchRelations(t *testing.T, s storage.Store) {
	ctx := t.Context()
	st := newIdentityStore(t, s)
	member := newAccount(t, s, st.ID)
	roleOnly := newAccount(t, s, st.ID)
	verified := newAccount(t, s, st.ID)
	revoked := newAccount(t, s, st.ID)
	org := &storage.Organization{StoreID: st.ID, Name: unique("org")}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, org))
	other := &storage.Organization{StoreID: st.ID, Name: unique("org")}
	must(t, "CreateOrganization", s.CreateOrganization(ctx, other))
	role := &storage.StoreRole{StoreID: st.ID, Name: unique("role")}
	must(t, "CreateStoreRole", s.CreateStoreRole(ctx, role))
	must(t, "AddOrganizationMember", s.AddOrganizationMember(ctx, &storage.OrganizationMember{
		OrganizationID: org.ID, AccountID: member.ID, StoreID: st.ID}))
	must(t, "AssignAccountRole", s.AssignAccountRole(ctx, &storage.AccountRole{
		StoreID: st.ID, AccountID: roleOnly.ID, OrganizationID: other.ID, RoleID: role.ID}))
	pol := &storage.VerificationPolicy{StoreID: st.ID, Name: unique("pol"), Methods: []string{"in_person"}}
	must(t, "CreateVerificationPolicy", s.CreateVerificationPolicy(ctx, pol))
	for _, a := range []*storage.Account{verified, revoked} {
		must(t, "RecordIdentityVerification", s.RecordIdentityVerification(ctx, &storage.IdentityVerification{
			AccountID: a.ID, StoreID: st.ID, PolicyID: pol.ID, Method: "in_person", AdminID: "adm", AdminName: "adm"}))
	}
	vs, err := s.ListIdentityVerifications(ctx, revoked.ID)
	must(t, "ListIdentityVerifications", err)
	_, err = s.RevokeIdentityVerification(ctx, revoked.ID, vs[0].ID, "adm", time.Now())
	must(t, "RevokeIdentityVerification", err)

	yes, no := true, false
	for _, c := range []struct {
		name string
		q    storage.AccountSearch
		want []string
	}{
		{"member of the organization", storage.AccountSearch{OrganizationID: org.ID}, []string{member.ID}},
		{"a role alone is no membership", storage.AccountSearch{OrganizationID: other.ID}, nil},
		{"role in any organization", storage.AccountSearch{RoleID: role.ID}, []string{roleOnly.ID}},
		{"identity verified", storage.AccountSearch{IdentityVerified: &yes}, []string{verified.ID}},
		{"identity not verified", storage.AccountSearch{IdentityVerified: &no}, []string{member.ID, roleOnly.ID, revoked.ID}},
	} {
		c.q.StoreID = st.ID
		if got := searchIDs(t, s, c.q); !sameSet(got, c.want...) {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}
}
