package console

import (
	"net/http"

	"foyer/admin/manage"
)

// accountGroupsPage is the data of admin_account_groups: the groups the
// account belongs to and, for an actor who may change them, the store's
// other groups to add it to.
type accountGroupsPage struct {
	accountFrame
	PostURL     string
	Groups      []manage.GroupRef
	Others      []manage.GroupRef
	FieldErrors map[string]string
}

func (h *Handler) accountGroupsPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, p, err := h.accountProfileFor(r, rq, accountGroupsRoute)
	if err != nil {
		return err
	}
	return h.renderAccountGroups(w, r, rq, http.StatusOK, f, p, nil)
}

func (h *Handler) renderAccountGroups(w http.ResponseWriter, r *http.Request, rq *request, status int, f *accountFrame,
	p *manage.AccountProfile, err error) error {
	all, lerr := h.acctProfiles.StoreGroups(r.Context(), rq.Actor, f.StoreID)
	if lerr != nil {
		return lerr
	}
	member := map[string]bool{}
	for _, g := range p.Groups {
		member[g.ID] = true
	}
	data := &accountGroupsPage{accountFrame: *f, PostURL: h.path(accountGroupsRoute, nil, accountVars(f)...), Groups: p.Groups}
	for _, g := range all {
		if !member[g.ID] {
			data.Others = append(data.Others, g)
		}
	}
	data.FieldErrors, data.Error, _ = formErrors(err, indexedField)
	h.page(w, r, rq, "admin_account_groups", status, f.StoreID, data)
	return nil
}

// changeAccountGroups adds the account to the posted group (action=add)
// or removes it (action=remove); removing ends its access to applications
// restricted to the group at once.
func (h *Handler) changeAccountGroups(w http.ResponseWriter, r *http.Request, rq *request) error {
	f, p, err := h.accountProfileFor(r, rq, accountGroupsRoute)
	if err != nil {
		return err
	}
	group := r.PostFormValue("group")
	var notice string
	switch r.PostFormValue("action") {
	case "add":
		err, notice = h.acctActions.AddToGroup(r.Context(), rq.Actor, f.StoreID, f.Account.ID, group), "group_added"
	case "remove":
		err, notice = h.acctActions.RemoveFromGroup(r.Context(), rq.Actor, f.StoreID, f.Account.ID, group), "group_removed"
	default:
		h.message(w, r, http.StatusBadRequest, "admin.account.groups.bad_action")
		return nil
	}
	if _, _, ok := formErrors(err, indexedField); ok {
		return h.renderAccountGroups(w, r, rq, statusOf(err), f, p, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(accountGroupsRoute, nil, accountVars(f)...), notice)
	return nil
}
