package console

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"foyer/admin/manage"
)

// The quick actions on selected accounts: the account list posts its
// selection (ticked rows as repeated "account", or "all=1" for the whole
// search result) with "action" and, for the group actions, "group" (the
// group to add to or remove from). The search travels in the URL's query
// or in the body (see jobInputOf). A deletion is confirmed first, naming
// how many accounts it deletes; a group action without a group asks for
// one. Then the job starts and the browser goes to its progress page.

// accountActionPage is the data of admin_account_action: the step
// between the selection and the job (confirm the deletion, pick the
// group, or fix the selection).
type accountActionPage struct {
	frame
	StoreName   string
	ActionLabel string
	Count       int64
	// Delete asks to confirm an irreversible deletion.
	Delete bool
	// PickGroup shows the store's groups to choose from.
	PickGroup bool
	Groups    []groupChoice
	// Hidden carries the selection (and the action) to the next post.
	Hidden      []keptField
	ActionURL   string
	CancelURL   string
	FieldErrors map[string]string
	// CanGo is false when nothing can be done but go back (an empty
	// selection, say).
	CanGo bool
}

type groupChoice struct {
	ID, Name string
	Selected bool
}

// jobInputOf reads the posted selection. The account list's form posts
// its search as hidden fields before the action's fields, so a "group"
// posted twice is the search's group filter first and the action's group
// last; the search in the URL's query wins over the body's.
func jobInputOf(r *http.Request) manage.AccountJobInput {
	groups := r.PostForm["group"]
	in := manage.AccountJobInput{Action: r.PostFormValue("action"), AccountIDs: r.PostForm["account"],
		All: r.PostFormValue("all") == "1", Confirm: r.PostFormValue("confirm") == "yes"}
	if len(groups) > 0 {
		in.Group = groups[len(groups)-1]
	}
	if !in.All {
		return in
	}
	in.Query = map[string]string{}
	for k, v := range r.PostForm {
		if k != "group" && manage.IsSearchField(k) && len(v) > 0 && v[0] != "" {
			in.Query[k] = v[0]
		}
	}
	if len(groups) > 1 && groups[0] != "" {
		in.Query["group"] = groups[0]
	}
	for k, v := range r.URL.Query() {
		if manage.IsSearchField(k) && len(v) > 0 && v[0] != "" {
			in.Query[k] = v[0]
		}
	}
	return in
}

// searchQuery is the selection's search as the URL query the next post
// carries.
func searchQuery(in manage.AccountJobInput) url.Values {
	if !in.All || len(in.Query) == 0 {
		return nil
	}
	q := url.Values{}
	for k, v := range in.Query {
		q.Set(k, v)
	}
	return q
}

// hiddenOf is the selection as hidden fields (the search goes in the
// URL, searchQuery); the group too unless the page asks for it.
func hiddenOf(in manage.AccountJobInput, withGroup bool) []keptField {
	out := []keptField{{Name: "action", Value: in.Action}}
	for _, id := range in.AccountIDs {
		out = append(out, keptField{Name: "account", Value: id})
	}
	if in.All {
		out = append(out, keptField{Name: "all", Value: "1"})
	}
	if withGroup && in.Group != "" {
		out = append(out, keptField{Name: "group", Value: in.Group})
	}
	return out
}

// createAccountJob starts the job the list's selection asks for, after
// the confirmation or the group choice it needs.
func (h *Handler) createAccountJob(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	if err := rq.Actor.Require(manage.WriteAccounts, s.ID); err != nil {
		return err
	}
	in := jobInputOf(r)
	groupAction := in.Action == manage.ActionAddToGroup || in.Action == manage.ActionRemoveFromGroup
	if (groupAction && in.Group == "") || (in.Action == manage.ActionDelete && !in.Confirm) {
		n, err := h.accountJobs.Count(r.Context(), rq.Actor, s.ID, in)
		if ve, ok := errors.AsType[*manage.ValidationError](err); ok && groupAction && in.Group == "" {
			delete(ve.Fields, "group") // the page asks for it
			if len(ve.Fields) == 0 {
				err = nil
			}
		}
		return h.renderAccountAction(w, r, rq, s, in, n, err)
	}
	job, err := h.accountJobs.Start(r.Context(), rq.Actor, s.ID, in)
	if err != nil {
		return h.renderAccountAction(w, r, rq, s, in, 0, err)
	}
	http.Redirect(w, r, h.path(jobRoute, nil, "store", s.ID, "job", job.ID), http.StatusSeeOther)
	return nil
}

// renderAccountAction shows the step before the job, with the service's
// objections if any (then 422).
func (h *Handler) renderAccountAction(w http.ResponseWriter, r *http.Request, rq *request, s *manage.IdentityStore,
	in manage.AccountJobInput, n int64, err error) error {
	errs, pageErr, ok := formErrors(err, func(f string) string { return f })
	if err != nil && !ok {
		return err
	}
	groupAction := in.Action == manage.ActionAddToGroup || in.Action == manage.ActionRemoveFromGroup
	p := &accountActionPage{StoreName: s.Name, ActionLabel: "admin.jobs.action." + in.Action, Count: n,
		Delete: in.Action == manage.ActionDelete, PickGroup: groupAction && (in.Group == "" || errs["group"] != ""),
		ActionURL: h.path(accountJobsCreateRoute, searchQuery(in), "store", s.ID), CancelURL: h.path(storeRoute, nil, "store", s.ID),
		FieldErrors: errs}
	if !slices.Contains(manage.QuickActionNames(), in.Action) {
		p.ActionLabel = "admin.jobs.action.unknown"
	}
	p.Hidden = hiddenOf(in, !p.PickGroup)
	p.CanGo = len(errs) == 0 || (len(errs) == 1 && errs["group"] != "")
	if p.PickGroup {
		groups, err := h.groups.ListBy(r.Context(), rq.Actor, s.ID, manage.ListOptions{})
		if err != nil {
			return err
		}
		for _, g := range groups.Items {
			p.Groups = append(p.Groups, groupChoice{ID: g.ID, Name: g.Name, Selected: g.ID == in.Group})
		}
	}
	p.Error = pageErr
	status := http.StatusOK
	if err != nil {
		status = http.StatusUnprocessableEntity
	}
	h.page(w, r, rq, "admin_account_action", status, s.ID, p)
	return nil
}
