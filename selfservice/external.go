package selfservice

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/upstream"
	"foyer/storage"
)

// Sign-in with upstream identity providers (issue 16). The sign-in and
// registration pages offer a button per provider the application's policy
// names; its form starts a round trip (external start) whose answer comes
// back to the callback (external_callback.go), which signs in, registers
// just in time or asks for proof of an existing account
// (external_signin.go, external_register.go).
const (
	ExternalStartPath    = "/login/external/{provider}"
	ExternalCallbackPath = "/login/external/{provider}/callback"

	externalStartRoute    = "selfservice.external_start"
	externalCallbackRoute = "selfservice.external_callback"
)

// externalAttemptLifetime is how long an upstream round trip may take.
const externalAttemptLifetime = 10 * time.Minute

// externalButton is one "Continue with {Name}" form on a page.
type externalButton struct {
	Action string
	Name   string
	Hidden map[string]string
	// Targets are where the start redirects (upstream.FormTargets): the
	// page's CSP lists them, not the template.
	Targets []string
}

// externalTargets are where the provider buttons of a page's data lead.
func externalTargets(data any) []string {
	var buttons []externalButton
	switch d := data.(type) {
	case *loginData:
		buttons = d.External
	case *registerData:
		buttons = d.External
	}
	var out []string
	for _, b := range buttons {
		out = append(out, b.Targets...)
	}
	return out
}

// offeredProviders are the providers the flow's application offers, in
// the policy's order: those that exist, are enabled and belong to the
// application's identity store. An invitation's flow offers them only
// where the policy lets invitees use them.
func (h *Handler) offeredProviders(ctx context.Context, f *Flow) ([]*storage.UpstreamProvider, error) {
	if !externalAllowed(f) {
		return nil, nil
	}
	var out []*storage.UpstreamProvider
	for _, id := range f.App.SelfService.External.Providers {
		p, err := h.store.GetUpstreamProvider(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("selfservice: load upstream provider: %w", err)
		}
		if offered(f.App, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// externalAllowed reports whether the flow may use upstream providers at
// all: an invitation's only where the policy lets invitees use them.
func externalAllowed(f *Flow) bool {
	inv := f.State.Invitation
	return inv == nil || inv.ID == "" || f.App.SelfService.External.Invitations
}

// offered reports whether app shows p's button and accepts its answers.
func offered(app *storage.Application, p *storage.UpstreamProvider) bool {
	return p.Enabled && p.StoreID == app.StoreID && slices.Contains(app.SelfService.External.Providers, p.ID)
}

// externalButtons are the button forms of the flow's page, which posts
// with the page's purpose ("login" or "register") signature.
func (h *Handler) externalButtons(r *http.Request, f *Flow, purpose string) []externalButton {
	if h.upstream == nil {
		return nil
	}
	providers, err := h.offeredProviders(r.Context(), f)
	if err != nil {
		// The page still works without the buttons.
		h.log.WarnContext(r.Context(), "external sign-in buttons", "err", err)
		return nil
	}
	hidden := map[string]string{"interaction": f.Interaction.ID, "sig": h.signer.Sign(f.Interaction.ID, purpose)}
	out := make([]externalButton, 0, len(providers))
	for _, p := range providers {
		out = append(out, externalButton{Action: h.path(externalStartRoute, nil, "provider", p.ID), Name: p.Name, Hidden: hidden,
			Targets: h.upstream.FormTargets(p)})
	}
	return out
}

// mountExternal installs the start and callback routes.
func (h *Handler) mountExternal(r *mux.Router) {
	h.handle(r, externalStartRoute, ExternalStartPath, methods{http.MethodPost: h.startExternal})
	h.handle(r, externalCallbackRoute, ExternalCallbackPath, methods{
		http.MethodGet: h.externalCallback, http.MethodPost: h.externalFormPost})
}

// externalRedirectURI is the callback URL registered at the upstream.
func (h *Handler) externalRedirectURI(providerID string) string {
	return h.cfg.Issuer + h.path(externalCallbackRoute, nil, "provider", providerID)
}

// startExternal sends the browser to the provider with a fresh state,
// nonce and PKCE verifier, kept as the interaction's one attempt.
func (h *Handler) startExternal(w http.ResponseWriter, r *http.Request) error {
	id, sig := r.PostFormValue("interaction"), r.PostFormValue("sig")
	f, err := h.loadFlow(w, r, id, sig, "login")
	if errors.Is(err, errBadLink) {
		f, err = h.loadFlow(w, r, id, sig, "register")
	}
	if err != nil {
		return h.flowLoadFailed(w, r, err)
	}
	if f.State.Current >= len(f.State.Steps) {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil
	}
	p, err := h.store.GetUpstreamProvider(r.Context(), mux.Vars(r)["provider"])
	// The buttons' rules, not only their presence: a crafted post in an
	// invitation's flow that may not use providers is refused too.
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (!offered(f.App, p) || !externalAllowed(f))) || h.upstream == nil {
		h.errorPage(w, r, http.StatusNotFound, "external.unknown_provider")
		return nil
	}
	if err != nil {
		return fmt.Errorf("selfservice: load upstream provider: %w", err)
	}
	hint := f.State.Identifier
	if hint == "" && invitationHint(f) == "" {
		hint = f.Params.Get("login_hint")
	}
	req, err := h.upstream.Begin(r.Context(), p, h.externalRedirectURI(p.ID), hint)
	if errors.Is(err, upstream.ErrUnavailable) {
		h.log.WarnContext(r.Context(), "external sign-in: provider unavailable", "provider", p.ID, "err", err)
		return h.externalFailed(w, r, f, p, upstream.ErrUnavailable)
	}
	if err != nil {
		return fmt.Errorf("selfservice: begin upstream request: %w", err)
	}
	now := h.cfg.Now().UTC()
	digest := sha256.Sum256([]byte(req.State))
	a := &storage.UpstreamAttempt{StateHash: digest[:], ProviderID: p.ID, Purpose: storage.UpstreamSignIn,
		InteractionID: f.Interaction.ID, Nonce: req.Nonce, CodeVerifier: req.Verifier,
		ExpiresAt: now.Add(externalAttemptLifetime), CreatedAt: now}
	if err := h.store.CreateUpstreamAttempt(r.Context(), a); err != nil {
		return fmt.Errorf("selfservice: store upstream attempt: %w", err)
	}
	// The URL is built from the provider's configuration, never from the
	// request: no open redirect.
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, req.URL, http.StatusSeeOther) //nolint:gosec // G710: the provider's configured endpoint, not the request's
	return nil
}

// externalFormPost answers a form_post callback (a cross-site POST, which
// carries no SameSite=Lax cookie) with a redirect to the GET callback
// with the same parameters: the top-level GET carries the cookies that
// bind the round trip to this browser.
func (h *Handler) externalFormPost(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil //nolint:nilerr // a malformed body: answered with a page
	}
	q := url.Values{}
	for _, k := range []string{"code", "state", "error", "error_description", "iss", "user"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	// A local path built from the route; the provider is one path segment.
	target := h.path(externalCallbackRoute, q, "provider", mux.Vars(r)["provider"])
	http.Redirect(w, r, target, http.StatusSeeOther) //nolint:gosec // G710: this server's own callback path
	return nil
}
