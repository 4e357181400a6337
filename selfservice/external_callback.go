package selfservice

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// externalCallback takes the upstream's answer. The state names the
// round trip, which works once; a sign-in's must come back to the browser
// that started its interaction (the session binding), or it could sign a
// victim in to the attacker's account (login CSRF).
func (h *Handler) externalCallback(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	cb := upstream.ParseCallback(r.URL.Query())
	digest := sha256.Sum256([]byte(cb.State))
	a, err := h.store.TakeUpstreamAttempt(ctx, digest[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) || cb.State == "" {
		h.errorPage(w, r, http.StatusBadRequest, "external.attempt_used")
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: take upstream attempt: %w", err)
	}
	if a.ProviderID != mux.Vars(r)["provider"] {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	p, err := h.store.GetUpstreamProvider(ctx, a.ProviderID)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !p.Enabled) || h.upstream == nil {
		h.errorPage(w, r, http.StatusBadRequest, "external.unknown_provider")
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: load upstream provider: %w", err)
	}
	if a.Purpose == storage.UpstreamLink {
		// The portal's round trip: its browser and session are checked
		// before the code is redeemed (finishLink).
		return h.finishLink(w, r, a, p, nil)
	}
	// The attempt names the interaction; the browser binding is checked
	// as on every page of the flow (loadFlow).
	f, err := h.loadFlow(w, r, a.InteractionID, h.signer.Sign(a.InteractionID, route.StepLogin), route.StepLogin)
	if err != nil {
		return h.flowLoadFailed(w, r, err)
	}
	if f.State.Current >= len(f.State.Steps) || !offered(f.App, p) {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil
	}
	id, err := h.upstream.Finish(ctx, p, h.externalRedirectURI(p.ID), cb, a.Nonce, a.CodeVerifier)
	if err != nil {
		// The detail (the upstream's error, a failed check) is for the
		// operator; it holds no code and no token.
		h.log.WarnContext(ctx, "external sign-in failed", "provider", p.ID, "err", err)
		return h.externalFailed(w, r, f, p, err)
	}
	return h.externalSignIn(w, r, f, p, id)
}

// externalFailed shows why the upstream sign-in did not work, with the
// way back to the sign-in page and the way out: the relying party hears
// access_denied (refused) or temporarily_unavailable (unreachable).
func (h *Handler) externalFailed(w http.ResponseWriter, r *http.Request, f *Flow, p *storage.UpstreamProvider, err error) error {
	data := &externalData{Kind: "failed", Provider: p.Name, RetryURL: h.loginURL(f.Interaction.ID, url.Values{"restart": {"1"}})}
	status, code := http.StatusBadRequest, "access_denied"
	if errors.Is(err, upstream.ErrUnavailable) {
		data.Kind, status, code = "unavailable", http.StatusBadGateway, "temporarily_unavailable"
	}
	data.RefuseURL = h.refuseURL(f.Interaction.ID, code)
	h.renderExternal(w, r, f, status, data)
	return nil
}

// refuseURL is authz's link that answers the flow's authorization request
// with the OAuth error code.
func (h *Handler) refuseURL(interactionID, code string) string {
	return h.path(route.Refuse, url.Values{"interaction": {interactionID}, "error": {code},
		"sig": {h.signer.Sign(interactionID, route.RefuseStep(code))}})
}

// renderExternal renders external.html, inside the flow when there is one.
func (h *Handler) renderExternal(w http.ResponseWriter, r *http.Request, f *Flow, status int, data *externalData) {
	if f != nil {
		data.AppName = f.App.Name
		h.renderStep(w, r, f, View{Template: "external", Data: data, Status: status})
		return
	}
	lang := h.render.NegotiateRequest(r, "", "")
	if err := h.render.Render(w, r, themes.Page{Template: "external", Lang: lang, Status: status, Data: data}); err != nil {
		h.log.ErrorContext(r.Context(), "render external", "err", err)
	}
}
