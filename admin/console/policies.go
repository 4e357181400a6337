package console

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// The named policies belong to no identity store: every role that reads
// configuration anywhere reads them, and only an unlimited grant changes
// them (manage.Policies checks both).

const (
	policiesRoute      = "console.policies"
	policyRoute        = "console.policy"
	policyDefaultRoute = "console.policy_default"
	policyDeleteRoute  = "console.policy_delete"
)

func (h *Handler) mountPolicies(r *mux.Router) {
	route.Handle(r, policiesRoute, "/admin/policies", route.Methods{
		http.MethodGet: h.authed(h.policiesPage), http.MethodPost: h.authed(h.createPolicy)})
	route.Handle(r, policyRoute, "/admin/policies/{policy}", route.Methods{
		http.MethodGet: h.authed(h.policyPage), http.MethodPost: h.authed(h.updatePolicy)})
	route.Handle(r, policyDefaultRoute, "/admin/policies/{policy}/default", route.Methods{
		http.MethodPost: h.authed(h.setDefaultPolicy)})
	route.Handle(r, policyDeleteRoute, "/admin/policies/{policy}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeletePolicy), http.MethodPost: h.authed(h.deletePolicy)})
}

// policiesPage is the data of admin_policies: the policies of one kind
// (tabs switch the kind) and, for an unlimited grant, the creation form.
type policiesPage struct {
	frame
	Kind string
	Tabs []navItem
	Rows []policyRow
	listNav
	CanCreate bool
	CreateURL string
	NewName   string
	// Kinds feed the creation form's select.
	Kinds       []storeChoice
	FieldErrors map[string]string
}

type policyRow struct {
	ID, Name, URL string
	IsDefault     bool
	Applications  int
}

// kindOf is the request's ?kind= (self-service when absent or unknown).
func kindOf(v string) storage.PolicyKind {
	if k := storage.PolicyKind(v); k.Valid() {
		return k
	}
	return storage.PolicySelfService
}

func (h *Handler) policiesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	k := kindOf(r.URL.Query().Get("kind"))
	return h.renderPolicies(w, r, rq, http.StatusOK, k, "", nil, "")
}

func (h *Handler) renderPolicies(w http.ResponseWriter, r *http.Request, rq *request, status int, kind storage.PolicyKind,
	name string, errs map[string]string, pageErr string) error {
	lv := h.newListView(r, policiesRoute, url.Values{"kind": {string(kind)}})
	page, err := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.PolicyView], error) {
		return h.policies.ListBy(r.Context(), rq.Actor, kind, o)
	})
	if err != nil {
		return err
	}
	p := &policiesPage{Kind: string(kind), CanCreate: rq.Actor.Can(manage.WriteConfig, ""), CreateURL: h.path(policiesRoute, nil),
		NewName: name, FieldErrors: errs}
	p.Error = pageErr
	for _, k := range storage.PolicyKinds {
		label := "admin.policies.kind." + string(k)
		p.Tabs = append(p.Tabs, navItem{Path: h.path(policiesRoute, url.Values{"kind": {string(k)}}), Label: label, Current: k == kind})
		p.Kinds = append(p.Kinds, storeChoice{ID: string(k), Name: label, Current: k == kind})
	}
	p.listNav = lv.nav(page.Next)
	for _, v := range page.Items {
		p.Rows = append(p.Rows, policyRow{ID: v.ID, Name: v.Name, IsDefault: v.IsDefault, Applications: len(v.Applications),
			URL: h.path(policyRoute, nil, "policy", v.ID)})
	}
	h.page(w, r, rq, "admin_policies", status, "", p)
	return nil
}

// createPolicy makes a policy of the kind with the kind's built-in
// settings; its page then edits them.
func (h *Handler) createPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	kind, name := storage.PolicyKind(r.PostFormValue("kind")), r.PostFormValue("name")
	v, err := h.policies.Create(r.Context(), rq.Actor, manage.PolicyInput{Kind: kind, Name: name})
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderPolicies(w, r, rq, statusOf(err), kindOf(string(kind)), name, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(policyRoute, nil, "policy", v.ID), "created")
	return nil
}

func (h *Handler) policyFor(r *http.Request, rq *request) (manage.PolicyView, error) {
	return h.policies.Get(r.Context(), rq.Actor, mux.Vars(r)["policy"])
}

// setDefault makes the policy its kind's Default.
func (h *Handler) setDefaultPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := h.policyFor(r, rq)
	if err != nil {
		return err
	}
	_, err = h.policies.SetDefault(r.Context(), rq.Actor, v.ID)
	if _, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderPolicy(w, r, rq, statusOf(err), v, formOfPolicy(v), nil, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(policyRoute, nil, "policy", v.ID), "saved")
	return nil
}

// confirmDeletePolicy asks before deleting (a Default or a policy in use
// stays: the service says so).
func (h *Handler) confirmDeletePolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	v, err := h.policyFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, "", confirmPage{Title: "admin.policy.delete_title", Question: "admin.policy.delete_question",
		Subject: v.Name, ActionURL: h.path(policyDeleteRoute, nil, "policy", v.ID), Button: "admin.policy.delete", Version: v.Version,
		CancelURL: h.path(policyRoute, nil, "policy", v.ID)})
}

// deletePolicy deletes it, only with the confirmation page's confirm=yes;
// the policy is loaded once confirmed, for its page and its kind's list.
func (h *Handler) deletePolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["policy"]
	var v manage.PolicyView
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(policyDeleteRoute, nil, "policy", id),
		remove: func(version int64) (err error) {
			if v, err = h.policyFor(r, rq); err != nil {
				return err
			}
			return h.policies.Delete(r.Context(), rq.Actor, id, version)
		},
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			return h.renderPolicy(w, r, rq, status, v, formOfPolicy(v), nil, pageErr)
		},
		after: func() string { return h.path(policiesRoute, url.Values{"kind": {string(v.Kind)}}) }, notice: "deleted"})
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
