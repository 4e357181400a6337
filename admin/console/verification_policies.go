package console

import (
	"context"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// VerificationPolicyService is what the console asks of a store's
// identity verification policies (manage.VerificationPolicies).
type VerificationPolicyService interface {
	ListBy(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[manage.VerificationPolicy], error)
	Get(ctx context.Context, a manage.Actor, storeID, id string) (*manage.VerificationPolicy, error)
	Create(ctx context.Context, a manage.Actor, storeID string, in manage.VerificationPolicyInput) (*manage.VerificationPolicy, error)
	Update(ctx context.Context, a manage.Actor, storeID, id string, version int64, in manage.VerificationPolicyInput) (*manage.VerificationPolicy, error)
	Delete(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
}

const (
	vpoliciesRoute     = "console.verification_policies"
	vpolicyRoute       = "console.verification_policy"
	vpolicyDeleteRoute = "console.verification_policy_delete"
)

func (h *Handler) mountVerificationPolicies(r *mux.Router) {
	route.Handle(r, vpoliciesRoute, "/admin/stores/{store}/verification-policies", route.Methods{
		http.MethodGet: h.authed(h.vpoliciesPage), http.MethodPost: h.authed(h.createVPolicy)})
	route.Handle(r, vpolicyRoute, "/admin/stores/{store}/verification-policies/{policy}", route.Methods{
		http.MethodGet: h.authed(h.vpolicyPage), http.MethodPost: h.authed(h.updateVPolicy)})
	route.Handle(r, vpolicyDeleteRoute, "/admin/stores/{store}/verification-policies/{policy}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteVPolicy), http.MethodPost: h.authed(h.deleteVPolicy)})
}

// vpolicyForm is a policy's form as typed: the methods one per line.
type vpolicyForm struct {
	Name    string
	Methods string
}

func readVPolicyForm(r *http.Request) vpolicyForm {
	return vpolicyForm{Name: r.PostFormValue("name"), Methods: r.PostFormValue("methods")}
}

// input is the form's policy: its non-blank method lines, in order.
func (f vpolicyForm) input() manage.VerificationPolicyInput {
	in := manage.VerificationPolicyInput{Name: f.Name, Methods: []string{}}
	for _, l := range strings.Split(f.Methods, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			in.Methods = append(in.Methods, l)
		}
	}
	return in
}

func shownVPolicy(p *manage.VerificationPolicy) vpolicyForm {
	return vpolicyForm{Name: p.Name, Methods: strings.Join(p.Methods, "\n")}
}

// vpoliciesPage is the data of admin_verification_policies: one store's
// policies and the creation form as typed.
type vpoliciesPage struct {
	frame
	StoreName string
	Rows      []vpolicyRow
	listNav
	CanCreate   bool
	CreateURL   string
	Form        vpolicyForm
	FieldErrors map[string]string
}

type vpolicyRow struct{ Name, Methods, URL string }

func (h *Handler) vpoliciesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderVPolicies(w, r, rq, http.StatusOK, vpolicyForm{}, nil)
}

func (h *Handler) renderVPolicies(w http.ResponseWriter, r *http.Request, rq *request, status int, in vpolicyForm, err error) error {
	s, serr := h.storeFor(r, rq)
	if serr != nil {
		return serr
	}
	lv := h.newListView(r, vpoliciesRoute, nil, "store", s.ID)
	page, lerr := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.VerificationPolicy], error) {
		return h.vpolicies.ListBy(r.Context(), rq.Actor, s.ID, o)
	})
	if lerr != nil {
		return lerr
	}
	errs, pageErr, _ := formErrors(err, indexedField)
	p := &vpoliciesPage{StoreName: s.Name, CanCreate: rq.Actor.Can(manage.WriteConfig, s.ID),
		CreateURL: h.path(vpoliciesRoute, nil, "store", s.ID), Form: in, FieldErrors: errs, listNav: lv.nav(page.Next)}
	p.Error = pageErr
	for _, x := range page.Items {
		p.Rows = append(p.Rows, vpolicyRow{Name: x.Name, Methods: strings.Join(x.Methods, ", "),
			URL: h.path(vpolicyRoute, nil, "store", s.ID, "policy", x.ID)})
	}
	h.page(w, r, rq, "admin_verification_policies", status, s.ID, p)
	return nil
}

// createVPolicy defines a policy from the list page's form.
func (h *Handler) createVPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	storeID, in := mux.Vars(r)["store"], readVPolicyForm(r)
	_, err := h.vpolicies.Create(r.Context(), rq.Actor, storeID, in.input())
	if _, _, ok := formErrors(err, indexedField); ok {
		return h.renderVPolicies(w, r, rq, statusOf(err), in, err)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(vpoliciesRoute, nil, "store", storeID), "created")
	return nil
}
