package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
)

// upstreamPage is the data of admin_idp: one provider, the redirect URI
// to register at the upstream, its form (sent with the version the page
// showed; the secrets write-only) and its deletion.
type upstreamPage struct {
	frame
	storeItem
	upstreamSecrets
	Title       string
	ID          string
	RedirectURI string
	Identities  int64
	Form        upstreamForm
	FieldErrors map[string]string
}

// upstreamFor loads the request's {idp} of its {store} for the actor.
func (h *Handler) upstreamFor(r *http.Request, rq *request) (*manage.IdentityStore, *manage.Upstream, error) {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return nil, nil, err
	}
	x, err := h.upstreams.Get(r.Context(), rq.Actor, s.ID, mux.Vars(r)["idp"])
	if err != nil {
		return nil, nil, err
	}
	return s, x, nil
}

func (h *Handler) upstreamPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.upstreamFor(r, rq)
	if err != nil {
		return err
	}
	h.renderUpstream(w, r, rq, http.StatusOK, s, x, shownUpstream(x), nil, "")
	return nil
}

func (h *Handler) renderUpstream(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore,
	x *manage.Upstream, form upstreamForm, errs map[string]string, pageErr string) {
	p := &upstreamPage{upstreamSecrets: upstreamSecrets{Editing: true, SecretSet: x.ClientSecretSet, KeySet: x.PrivateKeySet},
		Title: x.Name, ID: x.ID, RedirectURI: x.RedirectURI, Identities: x.Identities, Form: form, FieldErrors: errs,
		storeItem: h.storeItemOf(rq, s, x.Version, "idp", x.ID, upstreamRoute, upstreamDeleteRoute, upstreamsRoute)}
	p.Error = pageErr
	w.Header().Set("Cache-Control", "no-store")
	h.page(w, r, rq, "admin_idp", status, s.ID, p)
}

// updateUpstream saves the provider if it is still at the version the
// form was shown with; empty secret fields keep the stored secrets.
func (h *Handler) updateUpstream(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.upstreamFor(r, rq)
	if err != nil {
		return err
	}
	form, in, own := readUpstreamForm(r)
	if len(own) == 0 {
		_, err = h.upstreams.Update(r.Context(), rq.Actor, s.ID, x.ID, formVersion(r), in)
	}
	if errs, pageErr, ok := formProblems(own, err); ok {
		h.renderUpstream(w, r, rq, statusOfForm(own, err), s, x, form, errs, pageErr)
		return nil
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(upstreamRoute, nil, "store", s.ID, "idp", x.ID), "saved")
	return nil
}

// confirmDeleteUpstream asks before a provider goes.
func (h *Handler) confirmDeleteUpstream(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.upstreamFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.idps.delete_title",
		Question: "admin.idps.delete_question", Subject: x.Name,
		ActionURL: h.path(upstreamDeleteRoute, nil, "store", s.ID, "idp", x.ID), Button: "admin.idps.delete", Version: x.Version,
		CancelURL: h.path(upstreamRoute, nil, "store", s.ID, "idp", x.ID)})
}

// deleteUpstream deletes it, only with the confirmation's confirm=yes; a
// refusal (accounts still linked) is said in words on its page.
func (h *Handler) deleteUpstream(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, x, err := h.upstreamFor(r, rq)
	if err != nil {
		return err
	}
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(upstreamDeleteRoute, nil, "store", s.ID, "idp", x.ID),
		remove: func(version int64) error { return h.upstreams.Delete(r.Context(), rq.Actor, s.ID, x.ID, version) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			h.renderUpstream(w, r, rq, status, s, x, shownUpstream(x), nil, pageErr)
			return nil
		},
		after: to(h.path(upstreamsRoute, nil, "store", s.ID)), notice: "deleted"})
}
