package portal

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
)

// person is the organization's person the form names; nil after the
// not-found page was written (an account that is none of its people, or
// of another organization or store, looks like one that does not exist).
func (h *Handler) person(w http.ResponseWriter, r *http.Request, a *orgAdmin) (*storage.OrganizationPerson, error) {
	p, err := h.store.GetOrganizationPerson(r.Context(), a.Org.StoreID, a.Org.ID, r.PostFormValue("account"))
	if errors.Is(err, storage.ErrNotFound) {
		h.notFound(w, r)
		return nil, nil
	}
	return p, err
}

// changeRole grants or revokes one role of one person. Only assignable
// roles change, whatever the form says: the role is read from the
// store, not trusted from the post.
func (h *Handler) changeRole(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	p, err := h.person(w, r, a)
	if p == nil || err != nil {
		return err
	}
	action := r.PostFormValue("action")
	role, err := h.store.GetStoreRole(r.Context(), a.Org.StoreID, r.PostFormValue("role"))
	if errors.Is(err, storage.ErrNotFound) || action != "grant" && action != "revoke" {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	if !role.Assignable {
		return h.renderOrg(w, r, a, orgForm{status: http.StatusForbidden, err: "account.org.error.not_assignable"})
	}
	if action == "grant" {
		return h.grantRole(w, r, a, p, role)
	}
	err = h.store.RevokeOrganizationRole(r.Context(), a.Org.ID, p.AccountID, role.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.notFound(w, r)
		return nil
	case errors.Is(err, storage.ErrLastOrganizationAdmin):
		return h.renderOrg(w, r, a, orgForm{status: http.StatusConflict, err: "account.org.error.last_admin"})
	case err != nil:
		return err
	}
	h.orgEvent(r, a, p.AccountID, "organization.role_revoked", map[string]string{"role": role.ID, "role_name": role.Name})
	h.orgDone(w, r, a, "role_revoked")
	return nil
}

// grantRole gives the person the role; one they hold already is done.
func (h *Handler) grantRole(w http.ResponseWriter, r *http.Request, a *orgAdmin, p *storage.OrganizationPerson, role *storage.StoreRole) error {
	err := h.store.AssignAccountRole(r.Context(), &storage.AccountRole{StoreID: a.Org.StoreID, AccountID: p.AccountID,
		OrganizationID: a.Org.ID, RoleID: role.ID})
	if errors.Is(err, storage.ErrConflict) {
		h.orgDone(w, r, a, "role_granted")
		return nil
	}
	if err != nil {
		return err
	}
	h.orgEvent(r, a, p.AccountID, "organization.role_granted", map[string]string{"role": role.ID, "role_name": role.Name})
	h.orgDone(w, r, a, "role_granted")
	return nil
}

// removePerson takes every role of the person in the organization and
// their membership, after a confirmation page. Administrators cannot
// remove themselves, nor the organization's last administrator.
func (h *Handler) removePerson(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	p, err := h.person(w, r, a)
	if p == nil || err != nil {
		return err
	}
	if p.AccountID == a.Account.ID {
		return h.renderOrg(w, r, a, orgForm{status: http.StatusUnprocessableEntity, err: "account.org.error.remove_self"})
	}
	if r.PostFormValue("confirm") != "yes" {
		h.renderBranded(w, r, a.viewer, "account_organization_remove", http.StatusOK, &orgRemoveData{
			Organization: a.Org.Name, Person: personName(*p), AccountID: p.AccountID,
			RemoveURL: h.orgURL(orgRemoveRoute, a.Org.ID, nil), CancelURL: h.orgURL(orgRoute, a.Org.ID, nil)}, a.branding())
		return nil
	}
	err = h.store.RemoveOrganizationPerson(r.Context(), a.Org.StoreID, a.Org.ID, p.AccountID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		h.notFound(w, r)
		return nil
	case errors.Is(err, storage.ErrLastOrganizationAdmin):
		return h.renderOrg(w, r, a, orgForm{status: http.StatusConflict, err: "account.org.error.last_admin"})
	case err != nil:
		return err
	}
	h.orgEvent(r, a, p.AccountID, "organization.member_removed", nil)
	h.orgDone(w, r, a, "member_removed")
	return nil
}

// orgRemoveData is account_organization_remove.html's: the confirmation
// of a removal.
type orgRemoveData struct {
	frame
	Organization, Person string
	AccountID            string
	RemoveURL, CancelURL string
}

// renameOrganization changes the organization's name; a name another
// organization of the store has is a field error.
func (h *Handler) renameOrganization(w http.ResponseWriter, r *http.Request, a *orgAdmin) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	refuse := func(key string) error {
		return h.renderOrg(w, r, a, orgForm{status: http.StatusUnprocessableEntity, newName: &name, fieldErrors: map[string]string{"name": key}})
	}
	switch {
	case name == "":
		return refuse("account.org.error.name_required")
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) > storage.MaxOrganizationName || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return refuse("account.org.error.name_invalid")
	case name == a.Org.Name:
		h.orgDone(w, r, a, "saved")
		return nil
	}
	old := a.Org.Name
	org := *a.Org
	org.Name = name
	err := h.store.UpdateOrganization(r.Context(), &org, a.Org.Version)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return refuse("account.org.error.name_taken")
	case errors.Is(err, storage.ErrStale):
		// Someone (an operator) changed the organization since it was
		// read: show it as it is now, the typed name kept.
		if a.Org, err = h.store.GetOrganization(r.Context(), a.Org.StoreID, a.Org.ID); errors.Is(err, storage.ErrNotFound) {
			h.notFound(w, r)
			return nil
		} else if err != nil {
			return err
		}
		return h.renderOrg(w, r, a, orgForm{status: http.StatusConflict, newName: &name, err: "account.org.error.changed"})
	case err != nil:
		return err
	}
	a.Org = &org
	h.orgEvent(r, a, a.Account.ID, "organization.renamed", map[string]string{"from": old, "to": name})
	h.orgDone(w, r, a, "organization_renamed")
	return nil
}
