package authz

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ory/fosite"
)

// OrganizationParam is the authorization request parameter by which a
// client of an organizational application names the organization (its id)
// to sign in to, so that the picker is not shown.
const OrganizationParam = "organization"

// The claims every token of an organizational client carries, whatever
// the scopes: they are what such a client is for.
const (
	ClaimOrgID   = "org_id"
	ClaimOrgName = "org_name"
	ClaimRoles   = "roles"
)

// orgClaimNames are the claims the organization decides; no claim source
// (the roles scope's map among them) may replace them.
var orgClaimNames = []string{ClaimOrgID, ClaimOrgName, ClaimRoles}

// errNoOrganization is what a client hears when the account holds no role
// in any organization (or not in the one the client asked for).
var errNoOrganization = fosite.ErrAccessDenied.WithHint("The account holds no role in an organization this application signs in to.")

// errSelectionRequired answers prompt=none when the account must choose
// among organizations (OpenID Connect Core 1.0 section 3.1.2.6).
var errSelectionRequired = &fosite.RFC6749Error{
	ErrorField:       "account_selection_required",
	DescriptionField: "The End-User is required to select an organization.",
	HintField:        "The account holds roles in several organizations and prompt=none was requested; pass organization to choose.",
	CodeField:        http.StatusBadRequest,
}

// orgRoles is an organization the account holds at least one role in,
// with the names of those roles. Membership alone does not count.
type orgRoles struct {
	ID, Name string
	Roles    []string
}

// claims are the organization's claims for tokens and UserInfo.
func (o *orgRoles) claims() map[string]any {
	return map[string]any{ClaimOrgID: o.ID, ClaimOrgName: o.Name, ClaimRoles: slices.Clone(o.Roles)}
}

// accountOrganizations groups the account's role pairs by organization,
// in storage's order (by organization name, then role name).
func (h *Handler) accountOrganizations(ctx context.Context, accountID string) ([]orgRoles, error) {
	pairs, err := h.store.ListAccountRoles(ctx, accountID)
	if err != nil {
		return nil, errorf("list account roles: %w", err)
	}
	var out []orgRoles
	for _, p := range pairs {
		i := slices.IndexFunc(out, func(o orgRoles) bool { return o.ID == p.OrganizationID })
		if i < 0 {
			out = append(out, orgRoles{ID: p.OrganizationID, Name: p.OrganizationName})
			i = len(out) - 1
		}
		out[i].Roles = append(out[i].Roles, p.RoleName)
	}
	return out, nil
}

// findOrg is the organization with id among orgs, or nil.
func findOrg(orgs []orgRoles, id string) *orgRoles {
	for i := range orgs {
		if orgs[i].ID == id {
			return &orgs[i]
		}
	}
	return nil
}

// organizationFor decides which organization an organizational client's
// request signs in to: the one the client named, or the account's only
// one; with several, or with prompt=select_account, the picker decides
// (a step of its own, after which the stored request names the choice and
// no longer asks to select). It returns nil for other clients, and reports
// whether it answered the request instead (the picker, a refusal).
func (h *Handler) organizationFor(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, login *signedIn, requestedAt time.Time) (*orgRoles, bool, error) {
	if !login.app.Organizational {
		return nil, false, nil
	}
	orgs, err := h.accountOrganizations(r.Context(), login.acct.ID)
	if err != nil {
		return nil, false, err
	}
	form := ar.GetRequestForm()
	asked := form.Get(OrganizationParam)
	var chosen *orgRoles
	if asked != "" {
		chosen = findOrg(orgs, asked)
	} else if len(orgs) == 1 {
		chosen = &orgs[0]
	}
	switch {
	case len(orgs) == 0 || (asked != "" && chosen == nil):
		// Never issue for an organization the account is not in.
		h.refuseNoOrganization(w, r, ar, login)
		return nil, true, nil
	case chosen == nil || has(prompts(ar), "select_account"):
		if has(prompts(ar), "none") {
			h.authorizeError(w, r, ar, errSelectionRequired)
			return nil, true, nil
		}
		return nil, true, h.startStep(w, r, ar, login.sso, requestedAt, organizationStep, organizationRoute)
	}
	form.Set(OrganizationParam, chosen.ID)
	return chosen, false, nil
}

// choose records the picked organization in the request, so that it goes
// on to consent and issue without asking again: the organization is named
// and select_account, which the picker answered, is dropped.
func choose(ar fosite.AuthorizeRequester, orgID string) {
	form := ar.GetRequestForm()
	form.Set(OrganizationParam, orgID)
	var rest []string
	for _, p := range prompts(ar) {
		if p != "select_account" {
			rest = append(rest, p)
		}
	}
	if len(rest) == 0 {
		form.Del("prompt")
		return
	}
	form.Set("prompt", strings.Join(rest, " "))
}

// refuseNoOrganization answers access_denied for an account without a
// role in any organization (or in the one asked for): at once for
// prompt=none, otherwise with a page whose button takes the error (with
// state and iss) back to the client.
func (h *Handler) refuseNoOrganization(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, login *signedIn) {
	if has(prompts(ar), "none") || !ar.IsRedirectURIValid() {
		h.authorizeError(w, r, ar, errNoOrganization)
		return
	}
	h.deniedPage(w, r, ar, login.app, login.acct, denial{err: errNoOrganization,
		message: "organization.denied", help: "organization.denied_help"})
}

// organizationClaims are the claims of the organization sess was signed
// in to, as the account's roles say now; nil for a session of another
// client. ok is false when the account no longer holds a role there.
func (h *Handler) organizationClaims(ctx context.Context, sess fosite.Session) (claims map[string]any, ok bool, err error) {
	s, isOurs := sess.(*Session)
	if !isOurs || s.OrgID == "" {
		return nil, true, nil
	}
	orgs, err := h.accountOrganizations(ctx, s.GetSubject())
	if err != nil {
		return nil, false, err
	}
	o := findOrg(orgs, s.OrgID)
	if o == nil {
		return nil, false, nil
	}
	return o.claims(), true, nil
}

// refreshOrganization re-reads the roles of a refreshed grant's
// organization into its session; an account left without a role there
// can no longer refresh (invalid_grant).
func (h *Handler) refreshOrganization(ctx context.Context, ar fosite.AccessRequester) error {
	claims, ok, err := h.organizationClaims(ctx, ar.GetSession())
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if !ok {
		return fosite.ErrInvalidGrant.WithHint("The account no longer holds a role in the organization it signed in to.")
	}
	if s, _ := ar.GetSession().(*Session); claims != nil && s.DefaultSession != nil && s.Claims != nil {
		if s.Claims.Extra == nil {
			s.Claims.Extra = map[string]any{}
		}
		for k, v := range claims {
			s.Claims.Extra[k] = v
		}
	}
	return nil
}

// orgClaimsOf copies the organization claims of a session into c (JWT
// access tokens): they were read when the grant was made or refreshed.
func orgClaimsOf(c map[string]any, sess fosite.Session) {
	s, ok := sess.(*Session)
	if !ok || s.OrgID == "" || s.DefaultSession == nil || s.Claims == nil {
		return
	}
	for _, k := range orgClaimNames {
		if v, ok := s.Claims.Extra[k]; ok {
			c[k] = v
		}
	}
}
