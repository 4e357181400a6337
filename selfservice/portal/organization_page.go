package portal

import (
	"net/http"
	"net/url"
	"slices"

	"foyer/storage"
	"foyer/themes"
)

// orgsData is account_organizations.html's: the organizations the
// account administers.
type orgsData struct {
	frame
	Organizations []orgLink
}

type orgLink struct{ Name, URL string }

// orgData is account_organization.html's: one organization's people with
// their roles, its pending invitations, the invitation form and the
// rename form.
type orgData struct {
	frame
	Name                            string
	RenameURL, RolesURL, RemoveURL  string
	InviteURL, ResendURL, RevokeURL string
	People                          []personView
	NextURL                         string // the next page of people, if any
	Invitations                     []invitationView
	CanInvite                       bool // the portal has an invitation service
	Invite                          inviteForm
	NewName                         string // the rename form's value
	Error                           string // message key
	FieldErrors                     map[string]string
}

// personView is one of the organization's people.
type personView struct {
	AccountID, Name string
	Member, Self    bool
	Roles           []roleView
	Grantable       []roleView // assignable roles they do not hold
}

// roleView is a role: Changeable ones (assignable) an organization
// administrator may grant and revoke.
type roleView struct {
	ID, Name   string
	Changeable bool
	Checked    bool // chosen in the invitation form
}

// invitationView is a pending invitation of the organization.
type invitationView struct {
	ID, Email string
	Roles     []string
	SentAt    themes.Moment
	ExpiresAt themes.Moment
	Expired   bool
}

// inviteForm is the invitation form: its choices and what was typed.
type inviteForm struct {
	Email     string
	Clients   []option
	Languages []option
	Roles     []roleView
}

// option is a choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// orgForm is what a refused post puts back on the organization's page.
type orgForm struct {
	status      int
	err         string // message key
	fieldErrors map[string]string
	invite      *inviteInput // nil: an empty invitation form
	newName     *string      // nil: the organization's name
}

func (h *Handler) showOrganization(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	return h.renderOrg(w, r, a, orgForm{status: http.StatusOK})
}

// renderOrg renders the organization's page: a page of its people (from
// ?after=), its pending invitations and the forms, with what a refused
// post sent back.
func (h *Handler) renderOrg(w http.ResponseWriter, r *http.Request, a *orgAdmin, form orgForm) error {
	ctx := r.Context()
	roles, err := h.store.ListStoreRoles(ctx, a.Org.StoreID, "", 0)
	if err != nil {
		return err
	}
	after := r.URL.Query().Get("after")
	people, err := h.store.ListOrganizationPeople(ctx, a.Org.StoreID, a.Org.ID, after, peoplePerPage+1)
	if err != nil {
		return err
	}
	d := &orgData{Name: a.Org.Name, NewName: a.Org.Name, Error: form.err, FieldErrors: form.fieldErrors, CanInvite: h.invites != nil}
	if form.newName != nil {
		d.NewName = *form.newName
	}
	if len(people) > peoplePerPage {
		people = people[:peoplePerPage]
		d.NextURL = h.orgURL(orgRoute, a.Org.ID, url.Values{"after": {people[len(people)-1].AccountID}})
	}
	d.People = personViews(people, roles, a.Account.ID)
	if d.Invitations, err = h.pendingInvitations(r, a, roles); err != nil {
		return err
	}
	if d.Invite, err = h.inviteChoices(r, a, roles, form.invite); err != nil {
		return err
	}
	for name, p := range map[string]*string{orgRenameRoute: &d.RenameURL, orgRolesRoute: &d.RolesURL, orgRemoveRoute: &d.RemoveURL,
		orgInviteRoute: &d.InviteURL, orgResendRoute: &d.ResendURL, orgRevokeRoute: &d.RevokeURL} {
		*p = h.orgURL(name, a.Org.ID, nil)
	}
	h.renderBranded(w, r, a.viewer, "account_organization", form.status, d, a.branding())
	return nil
}

// branding is what the organization's pages wear: its own branding,
// field by field falling back to the portal application's.
func (a *orgAdmin) branding() themes.Branding {
	return themes.Branding(storage.OrganizationBranding(a.App, a.Org))
}

// personViews shows each person with the roles they hold and the
// assignable ones they could be granted.
func personViews(people []storage.OrganizationPerson, roles []storage.StoreRole, self string) []personView {
	out := make([]personView, len(people))
	for i, p := range people {
		v := personView{AccountID: p.AccountID, Name: personName(p), Member: p.Member, Self: p.AccountID == self}
		for _, held := range p.Roles {
			v.Roles = append(v.Roles, roleView{ID: held.ID, Name: held.Name, Changeable: held.Assignable})
		}
		for _, sr := range roles {
			holds := slices.ContainsFunc(p.Roles, func(held storage.PersonRole) bool { return held.ID == sr.ID })
			if sr.Assignable && !holds {
				v.Grantable = append(v.Grantable, roleView{ID: sr.ID, Name: sr.Name, Changeable: true})
			}
		}
		out[i] = v
	}
	return out
}

// personName is how the page names an account: its e-mail address, else
// its username, else its id.
func personName(p storage.OrganizationPerson) string {
	for _, s := range []string{p.Email, p.Username} {
		if s != "" {
			return s
		}
	}
	return p.AccountID
}

// pendingInvitations are the organization's invitations not yet accepted,
// newest first, with their roles by name.
func (h *Handler) pendingInvitations(r *http.Request, a *orgAdmin, roles []storage.StoreRole) ([]invitationView, error) {
	invs, err := h.store.ListInvitations(r.Context(), a.Org.StoreID, a.Org.ID, "", 0)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, sr := range roles {
		names[sr.ID] = sr.Name
	}
	now, c := h.cfg.Now(), clockFor(r, a.viewer)
	var out []invitationView
	for _, inv := range invs {
		if inv.Status != storage.InvitationPending {
			continue
		}
		v := invitationView{ID: inv.ID, Email: inv.Email, SentAt: c.at(inv.SentAt), ExpiresAt: c.at(inv.ExpiresAt), Expired: !now.Before(inv.ExpiresAt)}
		for _, id := range inv.RoleIDs {
			v.Roles = append(v.Roles, names[id])
		}
		out = append(out, v)
	}
	return out, nil
}

// orgSamples are account_organization.html's trial-render samples (see
// pageSamples): everything shown, then an organization without people,
// invitations or a client to invite through, and a portal without
// invitations.
func orgSamples(f frame, at themes.Moment, errs map[string]string) []any {
	roles := []roleView{{ID: "r", Name: "n", Changeable: true, Checked: true}, {ID: "s", Name: "m"}}
	return []any{
		&orgData{frame: f, Name: "n", RenameURL: "/", RolesURL: "/", RemoveURL: "/", InviteURL: "/", ResendURL: "/", RevokeURL: "/",
			People:  []personView{{AccountID: "a", Name: "n", Member: true, Self: true, Roles: roles, Grantable: roles}, {AccountID: "b", Name: "m"}},
			NextURL: "/", CanInvite: true, NewName: "n", Error: "e", FieldErrors: errs,
			Invitations: []invitationView{{ID: "i", Email: "e", Roles: []string{"r", "s"}, SentAt: at, ExpiresAt: at, Expired: true}, {ID: "j", Email: "e", ExpiresAt: at}},
			Invite:      inviteForm{Email: "e", Clients: []option{{Value: "c", Label: "l", Selected: true}}, Languages: []option{{Value: "en", Label: "l"}}, Roles: roles}},
		&orgData{frame: f, CanInvite: true},
		&orgData{frame: f},
	}
}
