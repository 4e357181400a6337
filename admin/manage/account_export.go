package manage

import (
	"context"
	"time"

	"foyer/selfservice/accountexport"
	"foyer/storage"
)

// exportStore is what the portal's exporter reads.
type exportStore = accountexport.Store

// AccountExport is what "download account information" gives: the
// document the customer downloads from the account portal, plus what
// only the admin side knows.
type AccountExport struct {
	accountexport.Export
	Admin AdminExport `json:"admin"`
}

// AdminExport is the admin side of an account's export.
type AdminExport struct {
	StoreID            string                 `json:"store_id"`
	Status             storage.AccountStatus  `json:"status"`
	Labels             []Label                `json:"labels"`
	Groups             []GroupRef             `json:"groups"`
	ExternalIdentities []ExternalIdentityView `json:"external_identities"`
	// Roles are the account's (organization, role) pairs; Organizations
	// the organizations it is a member of.
	Roles         []ExportRole     `json:"roles"`
	Organizations []ExportOrgEntry `json:"organizations"`
	// IdentityVerifications are the manual verifications of the account's
	// identity, newest first, revoked ones included.
	IdentityVerifications []ExportVerification `json:"identity_verifications"`
	// AuditEntries are the latest changes administrators made to the
	// account: what, when and by whom (no IP, no before/after).
	AuditEntries []ExportAuditEntry `json:"audit_entries"`
}

// ExportVerification is one identity verification in an export.
type ExportVerification struct {
	Policy     string     `json:"policy"`
	Method     string     `json:"method"`
	VerifiedBy string     `json:"verified_by"`
	At         time.Time  `json:"at"`
	Note       string     `json:"note,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
}

// ExportAuditEntry is one audit entry in an export.
type ExportAuditEntry struct {
	Action    string            `json:"action"`
	ActorName string            `json:"actor"`
	Role      storage.AdminRole `json:"role,omitempty"`
	At        time.Time         `json:"at"`
}

// ExportRole is one (organization, role) pair in an export.
type ExportRole struct {
	OrganizationID   string    `json:"organization_id"`
	OrganizationName string    `json:"organization"`
	RoleID           string    `json:"role_id"`
	RoleName         string    `json:"role"`
	Since            time.Time `json:"since"`
}

// ExportOrgEntry is one organization membership in an export.
type ExportOrgEntry struct {
	OrganizationID   string    `json:"organization_id"`
	OrganizationName string    `json:"organization"`
	Since            time.Time `json:"since"`
}

// maxExportAudit bounds the audit entries in an export.
const maxExportAudit = 200

// Export builds the account's export; reading it needs ReadAccounts.
func (s *AccountProfiles) Export(ctx context.Context, a Actor, storeID, id string) (*AccountExport, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, id)
	if err != nil {
		return nil, err
	}
	doc, err := accountexport.Build(ctx, s.store, acct, accountexport.Options{Now: s.core.Now(), Device: s.device})
	if err != nil {
		return nil, err
	}
	p, err := s.profile(ctx, acct)
	if err != nil {
		return nil, err
	}
	x := &AccountExport{Export: *doc, Admin: AdminExport{StoreID: acct.StoreID, Status: acct.Status, Labels: p.Labels,
		Groups: p.Groups, ExternalIdentities: p.External, AuditEntries: []ExportAuditEntry{}}}
	if err := s.exportRoles(ctx, acct.ID, &x.Admin); err != nil {
		return nil, err
	}
	verifications, err := s.store.ListIdentityVerifications(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	x.Admin.IdentityVerifications = make([]ExportVerification, 0, len(verifications))
	for _, v := range verifications {
		x.Admin.IdentityVerifications = append(x.Admin.IdentityVerifications, ExportVerification{Policy: v.PolicyName, Method: v.Method,
			VerifiedBy: v.AdminName, At: v.CreatedAt, Note: v.Note, RevokedAt: v.RevokedAt, RevokedBy: v.RevokedBy})
	}
	entries, err := s.store.ListAuditEntries(ctx, storage.AuditFilter{TargetType: "account", TargetID: acct.ID,
		StoreID: acct.StoreID, Limit: maxExportAudit})
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		x.Admin.AuditEntries = append(x.Admin.AuditEntries, ExportAuditEntry{Action: e.Action, ActorName: e.ActorName, Role: e.Role, At: e.CreatedAt})
	}
	return x, nil
}

func (s *AccountProfiles) exportRoles(ctx context.Context, accountID string, x *AdminExport) error {
	roles, err := s.store.ListAccountRoles(ctx, accountID)
	if err != nil {
		return err
	}
	x.Roles = make([]ExportRole, 0, len(roles))
	for _, r := range roles {
		x.Roles = append(x.Roles, ExportRole{OrganizationID: r.OrganizationID, OrganizationName: r.OrganizationName,
			RoleID: r.RoleID, RoleName: r.RoleName, Since: r.CreatedAt})
	}
	orgs, err := s.store.ListAccountOrganizations(ctx, accountID)
	if err != nil {
		return err
	}
	x.Organizations = make([]ExportOrgEntry, 0, len(orgs))
	for _, o := range orgs {
		x.Organizations = append(x.Organizations, ExportOrgEntry{OrganizationID: o.OrganizationID, OrganizationName: o.OrganizationName, Since: o.CreatedAt})
	}
	return nil
}

// HTMLPage is the export as the self-contained page shows it: the
// customer's document, then the admin side in sections, in the reader's
// language (t translates a message key).
func (x *AccountExport) HTMLPage(lang string, t func(key string, args ...any) string) accountexport.Page {
	labels := make([]string, 0, len(x.Admin.Labels))
	for _, l := range x.Admin.Labels {
		labels = append(labels, t("admin.account.label."+string(l)))
	}
	groups := make([]string, 0, len(x.Admin.Groups))
	for _, g := range x.Admin.Groups {
		groups = append(groups, g.Name)
	}
	roles := make([]string, 0, len(x.Admin.Roles))
	for _, r := range x.Admin.Roles {
		roles = append(roles, r.RoleName+" · "+r.OrganizationName)
	}
	orgs := make([]string, 0, len(x.Admin.Organizations))
	for _, o := range x.Admin.Organizations {
		orgs = append(orgs, o.OrganizationName)
	}
	verified := make([]string, 0, len(x.Admin.IdentityVerifications))
	for _, v := range x.Admin.IdentityVerifications {
		line := v.At.Format("2006-01-02 15:04 MST") + " · " + v.Policy + " · " + v.Method + " · " + v.VerifiedBy
		if v.RevokedAt != nil {
			line += " · " + t("admin.account.export.revoked", v.RevokedAt.Format("2006-01-02 15:04 MST"))
		}
		verified = append(verified, line)
	}
	audit := make([]string, 0, len(x.Admin.AuditEntries))
	for _, e := range x.Admin.AuditEntries {
		audit = append(audit, e.At.Format("2006-01-02 15:04 MST")+" · "+e.Action+" · "+e.ActorName)
	}
	return accountexport.Page{Lang: lang, Export: &x.Export, Extra: []accountexport.Section{
		{Title: t("admin.account.export.labels"), Items: labels},
		{Title: t("admin.account.export.groups"), Items: groups},
		{Title: t("admin.account.export.roles"), Items: roles},
		{Title: t("admin.account.export.organizations"), Items: orgs},
		{Title: t("admin.account.export.verifications"), Items: verified},
		{Title: t("admin.account.export.audit"), Items: audit},
	}}
}
