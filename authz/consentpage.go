package authz

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/ory/fosite"

	"foyer/selfservice/route"
	"foyer/storage"
	"foyer/themes"
)

// consentScope is one line of the consent page: a message key saying in
// words what the scope shares, or, for a scope Foyer does not describe,
// its name.
type consentScope struct {
	Key  string
	Name string
}

// scopeKey is the message key describing a standard scope, or "".
func scopeKey(scope string) string {
	switch scope {
	case "openid", "profile", "email", "phone", "address", "offline_access", "roles":
		return "consent.scope." + scope
	case VerifiedClaimsScope:
		return "consent.scope." + scope
	}
	return ""
}

func describeScopes(scopes []string) []consentScope {
	out := make([]consentScope, len(scopes))
	for i, s := range scopes {
		out[i] = consentScope{Key: scopeKey(s), Name: s}
	}
	return out
}

// showConsent renders the consent page. It lists the scopes not yet
// granted; those already granted are listed apart, so the user sees the
// whole of what the client will hold. With prompt=consent and nothing new,
// every requested scope is asked again.
func (h *Handler) showConsent(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.loadConsent(r, q.Get("interaction"), q.Get("sig"))
	if err != nil {
		return h.consentRefused(w, r, p, err)
	}
	requested := p.ar.GetRequestedScopes()
	granted, err := h.grantedScopes(r.Context(), p.login.acct.ID, p.client.ID)
	if err != nil {
		return err
	}
	asked := missingScopes(requested, granted)
	if len(asked) == 0 {
		asked = slices.Clone(requested)
	}
	var already []string
	for _, s := range requested {
		if !slices.Contains(asked, s) {
			already = append(already, s)
		}
	}
	data := consentData{
		Action:     h.routes.Path(consentRoute, nil),
		ClientName: clientName(p.client),
		Account:    accountLabel(p.login.acct),
		NotYouURL:  h.notYouURL(p.in, p.client),
		Scopes:     describeScopes(asked),
		Hidden:     map[string]string{"interaction": p.in.ID, "sig": h.steps.Sign(p.in.ID, consentStep)},
	}
	if len(already) > 0 {
		data.Granted = describeScopes(already)
	}
	if p.client.RegistrationTokenHash != nil {
		// Anyone with an initial access token chose this name: say so, so
		// a look-alike name on Foyer's own page is not taken on trust.
		data.Notice = "consent.unverified"
	}
	h.renderStepPage(w, r, p, themes.Page{Template: "consent", Branding: h.brandingOf(r, p.client), Data: data})
	return nil
}

// renderStepPage renders the page of a step between sign-in and the
// client (consent, the organization picker) in the account's language.
// Its form may redirect the post to the client, and browsers apply
// form-action to that redirect too: the CSP names the redirect URI.
func (h *Handler) renderStepPage(w http.ResponseWriter, r *http.Request, p *pendingConsent, page themes.Page) {
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(redirectURI(p.ar)))
	page.Lang = h.render.NegotiateRequest(r, p.ar.GetRequestForm().Get("ui_locales"), p.login.acct.Language)
	if err := h.render.Render(w, r, page); err != nil {
		h.log.ErrorContext(r.Context(), "render "+page.Template, "err", err)
	}
}

// stepPost checks a post to a step page: from Foyer's own pages (a
// cross-site post must not act in the user's name) and a well-formed form.
// Otherwise it answers with an error page and returns false.
func (h *Handler) stepPost(w http.ResponseWriter, r *http.Request) bool {
	if err := http.NewCrossOriginProtection().Check(r); err != nil {
		h.errorPage(w, r, http.StatusForbidden, "error.forbidden")
		return false
	}
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return false
	}
	return true
}

// submitConsent records the user's decision. The interaction is used once:
// allow remembers the grant and issues the code, deny answers access_denied
// to the client.
func (h *Handler) submitConsent(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// A cross-site post must not be able to grant access in the user's name.
	if !h.stepPost(w, r) {
		return nil
	}
	decision := r.PostForm.Get("decision")
	if decision != "allow" && decision != "deny" {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	p, err := h.loadConsent(r, r.PostForm.Get("interaction"), r.PostForm.Get("sig"))
	if err != nil {
		return h.consentRefused(w, r, p, err)
	}
	// Single use: whoever deletes it first decides.
	if err := h.store.DeleteInteraction(ctx, p.in.ID); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil //nolint:nilerr // another request used it first: answered, not a failure
	}
	if decision == "deny" {
		h.logEvent(ctx, p.login.acct.ID, "consent.denied", r)
		h.authorizeError(w, r, p.ar, fosite.ErrAccessDenied.WithHint("The user denied the request."))
		return nil
	}
	if refused, err := h.refuseOutsider(w, r, p.ar, p.login); refused || err != nil { // removed from the groups while the page was open
		return err
	}
	// The organization was chosen before consent and is in the stored
	// request; the account may have lost its roles there meanwhile.
	org, answered, err := h.organizationFor(w, r, p.ar, p.login, p.state.RequestedAt)
	if answered || err != nil {
		return err
	}
	if _, err := h.store.SaveGrant(ctx, p.login.acct.ID, p.client.ID, p.ar.GetRequestedScopes()); err != nil {
		return errorf("save grant: %w", err)
	}
	h.logEvent(ctx, p.login.acct.ID, "consent.granted", r)
	h.issue(w, r, p.ar, p.login, org, p.state.RequestedAt)
	return nil
}

// redirectURI is where the client's answer goes, as a string ("" when
// fosite has none).
func redirectURI(ar fosite.AuthorizeRequester) string {
	if u := ar.GetRedirectURI(); u != nil {
		return u.String()
	}
	return ""
}

// brandingOf is the look of the client's application; without one the
// page keeps the default look.
func (h *Handler) brandingOf(r *http.Request, c *storage.Client) themes.Branding {
	app, err := h.store.GetApplication(r.Context(), c.ApplicationID)
	if err != nil {
		return themes.Branding{}
	}
	return themes.Branding(storage.ApplicationBranding(app))
}

// requestBranding is the look of the application whose client the
// request names (client_id in the query or form), so that an error or
// logout page of a client's request wears its application's branding and
// not the default; the default when it names none or an unknown one. The
// client_id is public, so naming one reveals nothing.
func (h *Handler) requestBranding(r *http.Request) themes.Branding {
	id := r.FormValue("client_id")
	if id == "" {
		return themes.Branding{}
	}
	c, err := h.store.GetClient(r.Context(), id)
	if err != nil {
		return themes.Branding{}
	}
	return h.brandingOf(r, c)
}

// clientName is what the page calls the client: its name, or its id.
func clientName(c *storage.Client) string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return name
	}
	return c.ID
}

// notYouURL is the consent page's "Not you?": the same authorization
// request again with prompt=login, so whoever is at the screen identifies
// anew while the client's state, nonce and PKCE challenge still hold. The
// stored request is a plain query (request objects already resolved).
// A client that must push its requests (PAR) would be refused that plain
// request, so its page has no such link ("").
func (h *Handler) notYouURL(in *storage.Interaction, c *storage.Client) string {
	if c.RequirePushedAuthorizationRequests {
		return ""
	}
	q, err := url.ParseQuery(in.Request)
	if err != nil {
		return ""
	}
	q.Set("prompt", "login")
	return h.routes.Path(route.Authorize, nil) + "?" + q.Encode()
}

// accountLabel tells the user which account they are consenting for.
func accountLabel(a *storage.Account) string {
	switch {
	case a.Email != "":
		return a.Email
	case a.Username != "":
		return a.Username
	}
	return a.Phone
}
