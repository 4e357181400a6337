package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// vpolicyPage is the data of admin_verification_policy: one policy's
// form (sent with the version the page showed) and its deletion.
type vpolicyPage struct {
	frame
	storeItem
	Title       string
	Form        vpolicyForm
	FieldErrors map[string]string
}

// vpolicyFor loads the request's {policy} of its {store} for the actor.
func (h *Handler) vpolicyFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.VerificationPolicy, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	x, err := h.vpolicies.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["policy"])
	if err != nil {
		return nil, nil, err
	}
	return s, x, nil
}

func (h *Handler) vpolicyPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.vpolicyFor(r, rq)
	if err != nil {
		return err
	}
	h.renderVPolicy(w, r, rq, http.StatusOK, s, x, shownVPolicy(x), nil)
	return nil
}

func (h *Handler) renderVPolicy(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore,
	x *manage.VerificationPolicy, in vpolicyForm, err error) {
	errs, pageErr, _ := formErrors(err, indexedField)
	p := &vpolicyPage{Title: x.Name, Form: in, FieldErrors: errs,
		storeItem: h.storeItemOf(rq, s, x.Version, "policy", x.ID, vpolicyRoute, vpolicyDeleteRoute, vpoliciesRoute)}
	p.Error = pageErr
	h.page(w, r, rq, "admin_verification_policy", status, s.ID, p)
}

// updateVPolicy saves the policy if it is still at the version the form
// was shown with.
func (h *Handler) updateVPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.vpolicyFor(r, rq)
	if err != nil {
		return err
	}
	in := readVPolicyForm(r)
	_, err = h.vpolicies.Update(r.Context(), rq.Actor, s.ID, x.ID, formVersion(r), in.input())
	return h.saved(w, r, err, func(err error) { h.renderVPolicy(w, r, rq, statusOf(err), s, x, in, err) },
		h.path(vpolicyRoute, nil, "store", s.ID, "policy", x.ID))
}

// confirmDeleteVPolicy asks before deleting a policy.
func (h *Handler) confirmDeleteVPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.vpolicyFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.vpolicies.delete_title",
		Question: "admin.vpolicies.delete_question", Subject: x.Name,
		ActionURL: h.path(vpolicyDeleteRoute, nil, "store", s.ID, "policy", x.ID), Button: "admin.vpolicies.delete",
		Version: x.Version, CancelURL: h.path(vpolicyRoute, nil, "store", s.ID, "policy", x.ID)})
}

// deleteVPolicy deletes it, only with the confirmation page's confirm=yes;
// a refusal shows on the policy's page.
func (h *Handler) deleteVPolicy(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.vpolicyFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(vpolicyDeleteRoute, nil, "store", s.ID, "policy", x.ID),
		remove: func(version int64) error { return h.vpolicies.Delete(r.Context(), rq.Actor, s.ID, x.ID, version) },
		rename: indexedField,
		refused: func(status int, _ string, err error) error {
			h.renderVPolicy(w, r, rq, status, s, x, shownVPolicy(x), err)
			return nil
		},
		after: to(h.path(vpoliciesRoute, nil, "store", s.ID)), notice: "deleted"})
}
