package portal

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"foyer/selfservice/upstream"
	"foyer/storage"
	"foyer/themes"
)

// externalCallbackPrefix begins the redirect URI every upstream provider
// registers, {issuer}/login/external/{providerID}/callback: the route is
// selfservice's (its callback hands link attempts to finishLink), and the
// portal may not import selfservice, so the path is written here too.
const externalCallbackPrefix = "/login/external/"

// linkAttemptLifetime is how long a customer has at the upstream.
const linkAttemptLifetime = 10 * time.Minute

// ExternalParam is the query parameter selfservice's finishLink adds to
// the portal page it returns to; its values name the outcome.
const ExternalParam = "external"

// externalOutcomes are the values of ?external= and the message each
// shows: a notice for the link made, an error for the others.
var externalOutcomes = map[string]string{
	"linked":      "account.notice.external_linked",
	"failed":      "account.settings.external_failed",
	"unavailable": "account.settings.external_unavailable",
	"taken":       "account.settings.external_taken",
	"already":     "account.settings.external_already",
}

// linkOutcome is the notice or the error (message keys) of the link
// round trip that ended on this page (?external=); an unknown value shows
// nothing.
func linkOutcome(r *http.Request) (notice, errKey string) {
	outcome := r.URL.Query().Get(ExternalParam)
	if outcome == "linked" {
		return externalOutcomes[outcome], ""
	}
	return "", externalOutcomes[outcome]
}

// linkView is one linked identity on the settings page.
type linkView struct {
	Provider, Subject string
	// Name is the provider's name, or Provider itself for an identity
	// whose provider is not one of the store's (legacy free-form ones made
	// by `foyer account link`).
	Name     string
	Email    string
	Linked   themes.Moment
	LastUsed *themes.Moment // nil: never used
}

// connectView is a provider the customer may link.
type connectView struct {
	ID, Name string
	// Targets are where Connect's redirect leads (upstream.FormTargets),
	// for the page's CSP.
	Targets []string
}

// externalSection is the settings page's "Linked accounts".
type externalSection struct {
	Links   []linkView
	Connect []connectView
}

// externalData lists the account's identities by provider name and the
// providers it may still connect (connectable).
func (h *Handler) externalData(ctx context.Context, v *viewer, c clock) (externalSection, error) {
	links, err := h.store.ListExternalIdentities(ctx, v.Account.ID)
	if err != nil {
		return externalSection{}, err
	}
	providers, err := h.store.ListUpstreamProviders(ctx, v.Account.StoreID)
	if err != nil {
		return externalSection{}, fmt.Errorf("portal: upstream providers: %w", err)
	}
	byID := make(map[string]storage.UpstreamProvider, len(providers))
	for _, p := range providers {
		byID[p.ID] = p
	}
	var out externalSection
	linked := map[string]bool{}
	for _, x := range links {
		name := x.Provider
		if p, ok := byID[x.Provider]; ok {
			name = p.Name
		}
		linked[x.Provider] = true
		out.Links = append(out.Links, linkView{Provider: x.Provider, Subject: x.Subject, Name: name, Email: x.Email,
			Linked: c.at(x.CreatedAt), LastUsed: c.maybe(x.LastUsedAt)})
	}
	offered, err := h.connectable(ctx, v, providers)
	if err != nil {
		return externalSection{}, err
	}
	for _, p := range offered {
		if !linked[p.ID] {
			out.Connect = append(out.Connect, connectView{ID: p.ID, Name: p.Name, Targets: h.upstream.FormTargets(&p)})
		}
	}
	return out, nil
}

// connectable are the providers the customer may link: the enabled ones
// of the account's store that the self-service policy of the store's
// portal application offers, in its order, or every enabled one of the
// store when that policy names none. Without an upstream client, none.
func (h *Handler) connectable(ctx context.Context, v *viewer, providers []storage.UpstreamProvider) ([]storage.UpstreamProvider, error) {
	if h.upstream == nil {
		return nil, nil
	}
	app, err := h.storeApplication(ctx, v.Account.StoreID)
	if err != nil {
		return nil, fmt.Errorf("portal: application of store %s: %w", v.Account.StoreID, err)
	}
	enabled := func(p storage.UpstreamProvider) bool { return p.Enabled && p.StoreID == v.Account.StoreID }
	policy := app.SelfService.External.Providers
	if len(policy) == 0 {
		return slices.DeleteFunc(slices.Clone(providers), func(p storage.UpstreamProvider) bool { return !enabled(p) }), nil
	}
	var out []storage.UpstreamProvider
	for _, id := range policy {
		i := slices.IndexFunc(providers, func(p storage.UpstreamProvider) bool { return p.ID == id })
		if i >= 0 && enabled(providers[i]) {
			out = append(out, providers[i])
		}
	}
	return out, nil
}

// connect sends the browser to the upstream provider to link an identity
// to the signed-in account. It needs a recent sign-in (with the factor,
// if the account has one), as changing the password does: whoever found
// the portal open on a shared computer must not attach their own
// identity to it, a way in for later. The round trip is stored server
// side (state digest, nonce, PKCE verifier, the SSO session, the page to
// return to), so nothing the browser brings back can change where it
// lands or which account gets the identity.
func (h *Handler) connect(w http.ResponseWriter, r *http.Request, v *viewer) error {
	if !h.fresh(v) {
		http.Redirect(w, r, h.reauthURL(settingsRoute), http.StatusSeeOther)
		return nil
	}
	ctx := r.Context()
	p, err := h.offered(ctx, v, r.PostFormValue("provider"))
	if err != nil {
		return err
	}
	if p == nil {
		h.notFound(w, r)
		return nil
	}
	req, err := h.upstream.Begin(ctx, p, h.cfg.Issuer+externalCallbackPrefix+url.PathEscape(p.ID)+"/callback", v.Account.Email)
	if errors.Is(err, upstream.ErrUnavailable) {
		h.log.WarnContext(ctx, "portal: upstream provider unavailable", "provider", p.ID, "err", err)
		http.Redirect(w, r, h.path(settingsRoute, url.Values{ExternalParam: {"unavailable"}}), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return fmt.Errorf("portal: begin link with %s: %w", p.ID, err)
	}
	digest := sha256.Sum256([]byte(req.State))
	now := h.cfg.Now().UTC()
	err = h.store.CreateUpstreamAttempt(ctx, &storage.UpstreamAttempt{StateHash: digest[:], ProviderID: p.ID,
		Purpose: storage.UpstreamLink, AccountID: v.Account.ID, SessionID: v.Session.ID, ReturnTo: h.path(settingsRoute, nil),
		Nonce: req.Nonce, CodeVerifier: req.Verifier, ExpiresAt: now.Add(linkAttemptLifetime), CreatedAt: now})
	if err != nil {
		return fmt.Errorf("portal: store link attempt: %w", err)
	}
	http.Redirect(w, r, req.URL, http.StatusSeeOther) //nolint:gosec // G710: the provider's endpoint from configuration, not from the request
	return nil
}

// offered is the provider id the customer may connect now (connectable
// and not linked yet), nil otherwise.
func (h *Handler) offered(ctx context.Context, v *viewer, id string) (*storage.UpstreamProvider, error) {
	if id == "" || h.upstream == nil {
		return nil, nil
	}
	section, err := h.externalData(ctx, v, clock{}) // only which providers it offers
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(section.Connect, func(c connectView) bool { return c.ID == id }) {
		return nil, nil
	}
	p, err := h.store.GetUpstreamProvider(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return p, err
}
