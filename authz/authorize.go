package authz

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ory/fosite"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// authorize handles the authorization endpoint: with a usable SSO session it
// issues a code at once; otherwise it parks the request as an interaction
// and sends the browser to sign in.
func (h *Handler) authorize(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if r.Method == http.MethodPost && !h.sessions.KnowsBrowser(r) {
		h.authorizeAsGet(w, r)
		return nil
	}
	pushed := pushedReference(r)
	if refused := refuseRequestObjects(r); refused != nil {
		h.authorizeError(w, r, h.requestWithout(r, requestObjectParams), refused)
		return nil
	}
	ar, err := h.oauth.NewAuthorizeRequest(ctx, r)
	if err != nil && pushed {
		// An unknown, used, expired or another client's request_uri: the
		// redirect URI is not one this client pushed, so never redirect.
		h.log.DebugContext(ctx, "authorize: unusable request_uri", "debug", fosite.ErrorToRFC6749Error(err).DebugField)
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	if err == nil {
		err = requirePAR(ar, pushed)
	}
	if err == nil {
		err = checkResponseMode(ar)
	}
	if err == nil {
		err = precheck(ar)
	}
	if err != nil {
		h.authorizeError(w, r, ar, err)
		return nil
	}
	now := h.now()
	login, err := h.currentLogin(r, storedClient(ar))
	if err != nil {
		return err
	}
	prompts := strings.Fields(ar.GetRequestForm().Get("prompt"))
	stepUp := false
	if login != nil {
		if stepUp, err = h.needsSecondFactor(r, ar, login); err != nil {
			return err
		}
	}
	invited := strings.HasPrefix(ar.GetRequestForm().Get("login_hint"), route.InvitationHintPrefix)
	if login == nil || stepUp || invited || needsFreshLogin(prompts, ar.GetRequestForm().Get("max_age"), login.sso, now) {
		if has(prompts, "none") {
			h.authorizeError(w, r, ar, fosite.ErrLoginRequired.WithHint("The user is not signed in and prompt=none was requested."))
			return nil
		}
		return h.startInteraction(w, r, ar, now, pushed)
	}
	return h.consentOrIssue(w, r, ar, login, now)
}

// authorizeAsGet answers a POST authorization request that came without
// the browser's cookies by sending the same request back as a top-level
// GET, which carries them. A cross-site POST carries no SameSite=Lax
// cookie: answered as it is, the browser's SSO session would go unseen,
// and a new browser binding would replace the browser's own, so that a
// sign-in in progress in another tab could no longer finish.
func (h *Handler) authorizeAsGet(w http.ResponseWriter, r *http.Request) {
	//nolint:gosec // G120: request bodies are capped (64 KiB) by the server's middleware
	if err := r.ParseMultipartForm(maxMultipartMemory); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, AuthorizePath+"?"+r.Form.Encode(), http.StatusSeeOther) //nolint:gosec // G710: our own endpoint; only the query is the caller's
}

// precheck rejects what fosite would only reject after the user signed in
// (and clamps max_age to what a time.Duration can hold):
// a public client without a code challenge, a method other than S256, an
// unknown prompt or "none" combined with another, a malformed max_age, and
// an OpenID Connect request without redirect_uri.
func precheck(ar fosite.AuthorizeRequester) error {
	form := ar.GetRequestForm()
	challenge, method := form.Get("code_challenge"), form.Get("code_challenge_method")
	prompts := strings.Fields(form.Get("prompt"))
	switch {
	case challenge == "" && ar.GetClient().IsPublic():
		return fosite.ErrInvalidRequest.WithHint("Public clients must use PKCE: code_challenge is missing.")
	case challenge != "" && method != "S256":
		return fosite.ErrInvalidRequest.WithHint("code_challenge_method must be S256.")
	case has(prompts, "none") && len(prompts) > 1:
		return fosite.ErrInvalidRequest.WithHint("prompt=none cannot be combined with other values.")
	case ar.GetRequestedScopes().Has("openid") && form.Get("redirect_uri") == "":
		return fosite.ErrInvalidRequest.WithHint("OpenID Connect requests must include redirect_uri.")
	}
	if err := checkClaimsParameter(form); err != nil {
		return err
	}
	for _, p := range prompts {
		if !has(allowedPrompts, p) {
			return fosite.ErrInvalidRequest.WithHintf("Unknown prompt value %q.", p)
		}
	}
	if v := form.Get("max_age"); v != "" {
		secs, err := strconv.ParseInt(v, 10, 64)
		if err != nil || secs < 0 {
			return fosite.ErrInvalidRequest.WithHint("max_age must be a non-negative number of seconds.")
		}
		if secs > maxMaxAge {
			// fosite adds max_age to auth_time as a Duration too.
			form.Set("max_age", strconv.Itoa(maxMaxAge))
		}
	}
	return nil
}

// allowedPrompts are the prompt values Foyer understands.
var allowedPrompts = []string{"none", "login", "consent", "select_account"}

// signedIn is a usable SSO session for a client: the session, its account
// and the client's application, in whose identity store the account is.
type signedIn struct {
	sso  *storage.Session
	acct *storage.Account
	app  *storage.Application
	// portal is the application's portal settings (nil: none stored),
	// read with it: its groups decide access (mayUse).
	portal *storage.PortalSettings
}

// currentLogin is the request's SSO session for client, or nil when there
// is none, its account can no longer sign in, or the account belongs to
// another identity store than the client's application: a session never
// carries a customer across identity stores.
func (h *Handler) currentLogin(r *http.Request, client *storage.Client) (*signedIn, error) {
	// A session whose account is gone reads as no session.
	sso, acct, err := h.sessions.CurrentWithAccount(r)
	if errors.Is(err, session.ErrNoSession) || client == nil {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if acct.Status != storage.AccountEnabled {
		return nil, nil
	}
	app, portal, err := h.store.GetApplicationPortal(ctx, client.ApplicationID)
	if err != nil {
		return nil, errorf("load application: %w", err)
	}
	if app.StoreID != acct.StoreID {
		return nil, nil
	}
	return &signedIn{sso: sso, acct: acct, app: app, portal: portal}, nil
}

// needsFreshLogin: prompt=login, prompt=select_account, or an auth_time older
// than max_age all demand a new sign-in.
func needsFreshLogin(prompts []string, maxAge string, sso *storage.Session, now time.Time) bool {
	if has(prompts, "login") || has(prompts, "select_account") {
		return true
	}
	if secs, err := strconv.ParseInt(maxAge, 10, 64); err == nil && secs >= 0 {
		return sso.AuthTime.Add(time.Duration(secs) * time.Second).Before(now)
	}
	return false
}

// maxMaxAge caps max_age (seconds) well below where a time.Duration
// overflows; anything longer than ten years is no constraint at all.
const maxMaxAge = 10 * 365 * 24 * 3600

// maxPushedRequest bounds a pushed request (PAR), whose client
// authenticated; a request that is not pushed waits for its sign-in in a
// cookie, which holds at most session.MaxPendingRequest.
const maxPushedRequest = 8 << 10

// startInteraction parks the request as a pending interaction and sends
// the browser to sign in. Nothing is stored: the interaction waits in a
// sealed cookie of this browser's (session.Park) until the sign-in page is
// first submitted, where selfservice stores it within the budgets on new
// interactions. A pushed request, whose client authenticated, is stored
// at once.
func (h *Handler) startInteraction(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, now time.Time, pushed bool) error {
	request := storedForm(ar)
	if !pushed && (len(request) > session.MaxPendingRequest || len(ar.GetClient().GetID()) > session.MaxPendingClientID) ||
		len(request) > maxPushedRequest {
		h.requestTooLarge(w, r, ar)
		return nil
	}
	id, err := randomID(32)
	if err != nil {
		return err
	}
	// The browser is bound here, where the request arrives, and never when
	// a page is shown: a link to a half-finished sign-in opened elsewhere
	// must not finish it there (login CSRF).
	browser, err := h.sessions.BindBrowser(w, r)
	if err != nil {
		return err
	}
	in := &storage.Interaction{
		ID:        id,
		ClientID:  ar.GetClient().GetID(),
		Request:   request,
		Browser:   browser,
		CreatedAt: now.UTC(),
		ExpiresAt: now.Add(h.cfg.InteractionLifespan).UTC(),
	}
	if pushed {
		err = h.store.CreateInteraction(r.Context(), in)
	} else {
		err = h.sessions.Park(w, r, in)
	}
	if err != nil {
		return errorf("start interaction: %w", err)
	}
	q := url.Values{"interaction": {id}, "sig": {h.steps.Sign(id, route.StepLogin)}}
	http.Redirect(w, r, h.routes.Path(route.Login, q), http.StatusFound)
	return nil
}

// requestTooLarge refuses a request too large to wait in a cookie.
func (h *Handler) requestTooLarge(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester) {
	h.authorizeError(w, r, ar, fosite.ErrInvalidRequest.WithHintf(
		"The authorization request is too large (over %d bytes): send it as a pushed authorization request (PAR, RFC 9126).",
		session.MaxPendingRequest))
}

// resume continues an authorization request after sign-in. The interaction
// must belong to the browser's current session and is used once.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	id := r.URL.Query().Get("interaction")
	if id == "" || !h.steps.Verify(id, route.StepResume, r.URL.Query().Get("sig")) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	// A pending interaction (still in its cookie) has no session yet:
	// it is refused below as expired, like any not signed in.
	in, _, err := h.sessions.LoadInteraction(r, h.store, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !h.now().Before(in.ExpiresAt)) {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil
	}
	if err != nil {
		return errorf("load interaction: %w", err)
	}
	ar, replayErr := h.replay(r, in)
	if errors.Is(replayErr, errClientSwitched) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	login, err := h.currentLogin(r, h.interactionClient(ctx, ar, in))
	if err != nil {
		return err
	}
	if login == nil || in.SessionID == "" || login.sso.ID != in.SessionID {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil
	}
	// Single use: whoever deletes it first continues.
	if err := h.store.DeleteInteraction(ctx, id); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.interaction_expired")
		return nil //nolint:nilerr // another request used it first: answered, not a failure
	}
	if replayErr != nil {
		h.authorizeError(w, r, ar, replayErr)
		return nil
	}
	return h.consentOrIssue(w, r, ar, login, in.CreatedAt)
}

// issue grants the requested scopes and writes the authorization response.
// Consent is decided before this point (consentOrIssue), and so is the
// organization of an organizational client (org; nil for other clients),
// whose claims no other source may replace.
func (h *Handler) issue(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, login *signedIn, org *orgRoles, requestedAt time.Time) {
	// The code's records are written together, below (fositestore).
	ctx := h.records.DeferInserts(r.Context())
	acct := login.acct
	for _, s := range ar.GetRequestedScopes() {
		ar.GrantScope(s)
	}
	for _, a := range ar.GetRequestedAudience() {
		ar.GrantAudience(a)
	}
	sess := sessionFor(h.cfg.Issuer, acct, login.sso, requestedAt)
	if org != nil {
		sess.OrgID = org.ID
		maps.Copy(sess.Claims.Extra, org.claims())
	}
	addRequestedClaims(sess, acct, ar)
	sourced, err := h.sourcedClaims(ctx, acct, ar.GetClient().GetID(), ar.GetGrantedScopes())
	if err != nil {
		h.log.ErrorContext(ctx, "authorize: claims", "err", err)
		h.authorizeError(w, r, ar, fosite.ErrServerError.WithHint("The account's claims could not be read."))
		return
	}
	for k, v := range sourced {
		if _, reserved := sess.Claims.Extra[k]; !reserved {
			sess.Claims.Extra[k] = v
		}
	}
	resp, err := h.oauth.NewAuthorizeResponse(ctx, ar, sess)
	if err != nil {
		h.authorizeError(w, r, ar, err)
		return
	}
	if err := h.records.FlushInserts(ctx); err != nil {
		h.authorizeError(w, r, ar, fosite.ErrServerError.WithWrap(err))
		return
	}
	// RFC 9207: the issuer in every authorization response lets a client
	// that talks to several servers notice a mix-up (RFC 9700 4.4).
	resp.AddParameter("iss", h.cfg.Issuer)
	if ar.GetResponseMode() == fosite.ResponseModeFormPost {
		h.formPost(w, r, ar, resp.GetParameters())
		return
	}
	h.oauth.WriteAuthorizeResponse(ctx, w, ar, resp)
}

// authorizeError redirects the error to the client when its redirect URI is
// known to be registered, and otherwise shows an error page: redirecting to
// an unverified URI would be an open redirect.
func (h *Handler) authorizeError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	if f := storage.Failure(r.Context()); f != nil {
		// RFC 6749 section 4.1.2.1's code for this; without a redirect
		// URI known good, errorPage answers 503 itself.
		err = fosite.ErrTemporarilyUnavailable.WithHint("The server cannot reach its database. Try again shortly.").WithWrap(f)
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	if rfc.CodeField >= http.StatusInternalServerError {
		h.logServerError(r, "authorize", err, rfc.DebugField)
	}
	if ar == nil || !ar.IsRedirectURIValid() {
		key := "error.bad_request"
		if errors.Is(err, fosite.ErrInvalidClient) || errors.Is(err, fosite.ErrInvalidRequest) && strings.Contains(rfc.HintField, "redirect") {
			key = "error.invalid_redirect_uri"
		}
		h.errorPage(w, r, http.StatusBadRequest, key)
		return
	}
	params := h.errorParams(ar, rfc)
	unvouched := unvouchedError(r, ar)
	if ar.GetResponseMode() == fosite.ResponseModeFormPost {
		if unvouched {
			// The form_post page submits itself: no place to ask first.
			h.errorPage(w, r, http.StatusBadRequest, "leave.error")
			return
		}
		h.formPost(w, r, ar, params)
		return
	}
	// Written here rather than by fosite, whose error redirect cannot carry
	// iss (RFC 9207).
	target := errorTarget(ar, params)
	if unvouched {
		h.leavePage(w, r, target, http.StatusBadRequest, "error.title", "leave.error")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, target.String(), http.StatusSeeOther) //nolint:gosec // G710: the client's registered redirect URI, validated by fosite
}

// errorParams is an authorization error response's parameters: the code,
// its description, the issuer (RFC 9207) and the request's state.
func (h *Handler) errorParams(ar fosite.AuthorizeRequester, rfc *fosite.RFC6749Error) url.Values {
	params := url.Values{"error": {rfc.ErrorField}, "error_description": {rfc.GetDescription()}, "iss": {h.cfg.Issuer}}
	if state := ar.GetState(); state != "" {
		params.Set("state", state)
	}
	return params
}

// formPost writes an authorization response with response_mode=form_post
// as a themed page whose form the browser submits to the client. fosite's
// own page submits with an inline script, which the CSP forbids; this one
// loads a static script and works without JavaScript too.
func (h *Handler) formPost(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, params url.Values) {
	target := ar.GetRedirectURI().String()
	hidden := map[string]string{}
	for k := range params {
		hidden[k] = params.Get(k)
	}
	w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(target))
	lang := h.render.NegotiateRequest(r, ar.GetRequestForm().Get("ui_locales"), "")
	err := h.render.Render(w, r, themes.Page{
		Template: "form_post",
		Lang:     lang,
		Branding: h.authorizeBranding(r, ar), // shown while the browser posts, or without JavaScript
		Data:     formPostData{Action: target, Hidden: hidden},
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render form_post", "err", err)
	}
}

func has(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// needsSecondFactor reports whether the SSO session is not enough for this
// request by session.MFADemand's rule (acr_values, the application's MFA
// policy, the account's factors). The browser then signs in again, second
// factor included.
func (h *Handler) needsSecondFactor(r *http.Request, ar fosite.AuthorizeRequester, login *signedIn) (bool, error) {
	sso := login.sso
	d := session.MFADemand{Mode: login.app.MFA.WithDefaults().Mode, ACRValues: []string{ar.GetRequestForm().Get("acr_values")}}
	// The factors are read only where they decide: an optional policy and
	// a single-factor session.
	if !d.Required() && d.Mode == storage.MFAOptional && sso.ACR != session.ACRMFA {
		auths, err := h.store.ListAuthenticators(r.Context(), sso.AccountID)
		if err != nil {
			return false, errorf("list authenticators: %w", err)
		}
		d.HasFactors = len(auths) > 0
	}
	return !d.SatisfiedBy(sso.ACR), nil
}

// authorizeBranding is the look of the application of the request's client.
func (h *Handler) authorizeBranding(r *http.Request, ar fosite.AuthorizeRequester) themes.Branding {
	if c := storedClient(ar); c != nil {
		return h.brandingOf(r, c)
	}
	return themes.Branding{}
}
