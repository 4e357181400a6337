package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"foyer/admin/manage"
	"foyer/storage"
)

// onboardingForm is the self-service policy's part about organizations
// and invitations, as shown or typed; the invitation lifetime in minutes
// like the form's other lifetimes.
type onboardingForm struct {
	Customer, Partner           bool
	NewOrgRoleID, PartnerRoleID string
	InvitationMinutes           string
	InviteeMayChangeEmail       bool
}

// Field names of the onboarding part: the form's, which the service's
// "self_service.onboarding.<name>" errors map to.
const (
	fieldNewOrgRole        = "new_organization_role_id"
	fieldPartnerRole       = "partner_role_id"
	fieldInvitationMinutes = "invitation_minutes"
)

func onboardingOf(o storage.Onboarding) onboardingForm {
	return onboardingForm{Customer: o.CustomerRegistration, Partner: o.PartnerRegistration, NewOrgRoleID: o.NewOrganizationRoleID,
		PartnerRoleID: o.PartnerRoleID, InvitationMinutes: minutes(o.InvitationLifetime), InviteeMayChangeEmail: o.InviteeMayChangeEmail}
}

func readOnboarding(r *http.Request) onboardingForm {
	on := func(name string) bool { return r.PostFormValue(name) == "yes" }
	return onboardingForm{Customer: on("customer_registration"), Partner: on("partner_registration"),
		NewOrgRoleID: strings.TrimSpace(r.PostFormValue(fieldNewOrgRole)), PartnerRoleID: strings.TrimSpace(r.PostFormValue(fieldPartnerRole)),
		InvitationMinutes: r.PostFormValue(fieldInvitationMinutes), InviteeMayChangeEmail: on("invitee_may_change_email")}
}

// apply writes the form into o; number reads a whole number into the
// form's errors. An empty lifetime keeps o's.
func (f onboardingForm) apply(o *storage.Onboarding, number func(field, s string) int64) {
	o.CustomerRegistration, o.PartnerRegistration = f.Customer, f.Partner
	o.NewOrganizationRoleID, o.PartnerRoleID = f.NewOrgRoleID, f.PartnerRoleID
	// Left empty (or a form from before the field): unchanged.
	if strings.TrimSpace(f.InvitationMinutes) != "" {
		o.InvitationLifetime = time.Duration(number(fieldInvitationMinutes, f.InvitationMinutes)) * time.Minute
	}
	o.InviteeMayChangeEmail = f.InviteeMayChangeEmail
}

// onboardingField maps the service's "self_service.onboarding.X" to the
// form's field X.
func onboardingField(field string) (string, bool) {
	return strings.CutPrefix(field, "self_service.onboarding.")
}

// roleGroup is one identity store's roles in a role select.
type roleGroup struct {
	StoreName string
	Roles     []roleChoice
}

// maxRoleChoices bounds the roles one store offers in the select.
const maxRoleChoices = 200

// onboardingRoles are the roles the onboarding selects offer: those of
// the policy's stores (role ids are a store's own, see policyStores); and
// the names of the applications using it that are not organizational
// (they ignore customer and partner registration).
func (h *Handler) onboardingRoles(r *http.Request, rq *request, v manage.PolicyView) ([]roleGroup, []string, error) {
	storeIDs, plain := h.policyStores(r, rq, v)
	names := storeNames(rq)
	var out []roleGroup
	for _, sid := range storeIDs {
		page, err := h.roles.ListBy(r.Context(), rq.Actor, sid, manage.ListOptions{Limit: maxRoleChoices})
		if err != nil {
			return nil, nil, err
		}
		g := roleGroup{StoreName: names[sid]}
		if g.StoreName == "" {
			g.StoreName = sid
		}
		for _, x := range page.Items {
			g.Roles = append(g.Roles, roleChoice{Value: x.ID, Label: x.Name})
		}
		out = append(out, g)
	}
	return out, plain, nil
}

// policyStores are the identity stores whose roles and providers the
// policy's form offers: those of the applications using the policy, or
// every store the actor sees when none uses it; and the names of the
// applications using it that are not organizational.
func (h *Handler) policyStores(r *http.Request, rq *request, v manage.PolicyView) (storeIDs, plain []string) {
	for _, id := range v.Applications {
		app, err := h.apps.Get(r.Context(), rq.Actor, id)
		if err != nil {
			continue // an application the actor may not see offers nothing
		}
		if !app.Organizational {
			plain = append(plain, app.Name)
		}
		if !slices.Contains(storeIDs, app.StoreID) {
			storeIDs = append(storeIDs, app.StoreID)
		}
	}
	if len(v.Applications) == 0 {
		for _, s := range rq.Stores {
			if s.ID != storage.AdministratorsStoreID {
				storeIDs = append(storeIDs, s.ID)
			}
		}
	}
	return storeIDs, plain
}

// roleSelect is one onboarding role's select: its field, label (a message
// key), the roles by store with the current one selected, a current id no
// listed store defines (Unknown, still offered so a save keeps it) and
// the field's error.
type roleSelect struct {
	Field, Label, Unknown, Error string
	Groups                       []roleGroup
}

func newRoleSelect(field, label, current string, groups []roleGroup, errs map[string]string) roleSelect {
	s := roleSelect{Field: field, Label: label, Error: errs[field], Unknown: current}
	for _, g := range groups {
		roles := slices.Clone(g.Roles)
		for i := range roles {
			if roles[i].Value == current {
				roles[i].Selected, s.Unknown = true, ""
			}
		}
		s.Groups = append(s.Groups, roleGroup{StoreName: g.StoreName, Roles: roles})
	}
	return s
}
