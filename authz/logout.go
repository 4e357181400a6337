package authz

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v3"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// logout is the RP-initiated logout endpoint (OpenID Connect RP-Initiated
// Logout 1.0). A valid id_token_hint for the current session logs out at
// once; otherwise the user confirms. post_logout_redirect_uri must be one the
// client registered, exactly.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	lr, ok, err := h.parseLogout(w, r)
	if !ok || err != nil {
		return err
	}
	sso, err := h.sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		sso = nil
	} else if err != nil {
		return err
	}
	confirmed := r.Method == http.MethodPost && lr.params.Get("confirm") == "yes"
	hint := lr.hint
	hintMatches := hint != nil && sso != nil && hint.Subject == sso.AccountID && (hint.SID == "" || hint.SID == sso.ID)
	if sso != nil && !confirmed && !hintMatches {
		h.confirmLogout(w, r, lr, sso.AccountID)
		return nil
	}
	if sso != nil {
		if _, err := h.sessions.End(w, r); err != nil {
			return err
		}
		h.logEvent(r.Context(), sso.AccountID, "logout", r)
	}
	if lr.redirect == nil {
		h.renderSignedOut(w, r, lr)
		return nil
	}
	target := *lr.redirect
	if state := lr.params.Get("state"); state != "" {
		q := target.Query()
		q.Set("state", state)
		target.RawQuery = q.Encode()
	}
	if lr.unvouched(hintMatches) && !confirmed {
		// Nothing the user saw named this destination yet.
		h.leavePage(w, r, &target, http.StatusOK, "logout.done_title", "logout.done")
		return nil
	}
	// The URI is one the client registered, compared exactly.
	http.Redirect(w, r, target.String(), http.StatusFound) //nolint:gosec // G710: checked against the registered list
	return nil
}

// logoutRequest is a checked logout request.
type logoutRequest struct {
	params url.Values
	hint   *idTokenHint    // a verified id_token_hint naming the client, or nil
	client *storage.Client // the client named by client_id or the hint, or nil
	// redirect is the post_logout_redirect_uri, registered for client;
	// nil when none was asked for.
	redirect *url.URL
}

// unvouched reports whether the destination was chosen by an anonymous
// registrant and nothing in the request vouches for it: sent there at
// once, Foyer would be an open redirector for anyone holding an initial
// access token. Only an id_token_hint for the browser's current session
// vouches (hintMatches): the registrant can get a hint for an account of
// their own and put it in any link.
func (lr *logoutRequest) unvouched(hintMatches bool) bool {
	return lr.redirect != nil && lr.client != nil && lr.client.RegistrationTokenHash != nil && !hintMatches
}

// branding is the look of the application of the client the request
// names, by client_id or by the id_token_hint's audience.
func (lr *logoutRequest) branding(r *http.Request, h *Handler) themes.Branding {
	if lr == nil || lr.client == nil {
		return themes.Branding{}
	}
	return h.brandingOf(r, lr.client)
}

// parseLogout reads and checks the request, answering it itself (and
// returning false) when it is refused; a failure is returned unanswered.
func (h *Handler) parseLogout(w http.ResponseWriter, r *http.Request) (*logoutRequest, bool, error) {
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil, false, nil //nolint:nilerr // a malformed form is answered with a page
	}
	if r.Method == http.MethodPost {
		// The confirmation form posts here; a cross-site post must not be able
		// to sign the user out.
		if err := http.NewCrossOriginProtection().Check(r); err != nil {
			h.errorPage(w, r, http.StatusForbidden, "error.bad_request")
			return nil, false, nil //nolint:nilerr // a cross-site post is refused with a page
		}
	}
	lr := &logoutRequest{params: r.Form}
	// A hint that cannot be verified (garbage, or signed by a key retired
	// long ago) is treated as absent: the user confirms instead, and a
	// post_logout_redirect_uri then needs client_id.
	hint, err := h.verifyIDTokenHint(r.Context(), lr.params.Get("id_token_hint"))
	if errors.Is(err, errBadHint) {
		hint = nil
	} else if err != nil {
		return nil, false, err
	}
	clientID := lr.params.Get("client_id")
	if hint != nil {
		if clientID != "" && !slices.Contains(hint.Audience, clientID) {
			h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
			return nil, false, nil
		}
		if clientID == "" && len(hint.Audience) > 0 {
			clientID = hint.Audience[0]
		}
	}
	lr.hint = hint
	if clientID != "" {
		lr.client, _ = h.store.GetClient(r.Context(), clientID)
	}
	if raw := lr.params.Get("post_logout_redirect_uri"); raw != "" {
		lr.redirect = postLogoutURI(lr.client, raw)
		if lr.redirect == nil {
			h.errorPage(w, r, http.StatusBadRequest, "error.invalid_redirect_uri")
			return nil, false, nil
		}
	}
	return lr, true, nil
}

// postLogoutURI is uri parsed when the client registered it exactly.
func postLogoutURI(c *storage.Client, uri string) *url.URL {
	if c == nil || !slices.Contains(c.PostLogoutRedirectURIs, uri) {
		return nil
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil
	}
	return u
}

// confirmLogout asks the signed-in user to confirm, in their language.
// The confirmation is posted here and answered with a redirect to the
// post_logout_redirect_uri: browsers apply form-action to every redirect
// after a form post, so the page's CSP names that origin (as the
// form_post page does), or the browser stays on this page.
func (h *Handler) confirmLogout(w http.ResponseWriter, r *http.Request, lr *logoutRequest, accountID string) {
	p := lr.params
	hidden := map[string]string{"confirm": "yes"}
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"} {
		if v := p.Get(k); v != "" {
			hidden[k] = v
		}
	}
	data := logoutData{Action: h.routes.Path(logoutRoute, nil), Hidden: hidden}
	if lr.redirect != nil {
		w.Header().Set("Content-Security-Policy", themes.CSPWithFormTarget(lr.redirect.String()))
		if lr.unvouched(false) { // shown only without a hint for this session
			// Confirming is then also agreeing to go there: say where.
			data.Host = hostInWords(lr.redirect)
		}
	}
	accountLang := ""
	if acct, err := h.store.GetAccount(r.Context(), accountID); err == nil {
		accountLang = acct.Language
	}
	lang := h.render.NegotiateRequest(r, p.Get("ui_locales"), accountLang)
	err := h.render.Render(w, r, themes.Page{Template: "logout", Lang: lang, Branding: lr.branding(r, h), Data: data})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render logout", "err", err)
	}
}

// renderSignedOut is the end of a logout without a page of the client's to
// return to; its next step is signing in again, through the account
// portal (where no portal is configured the route is not mounted and the
// page has no link).
func (h *Handler) renderSignedOut(w http.ResponseWriter, r *http.Request, lr *logoutRequest) {
	lang := h.render.NegotiateRequest(r, r.FormValue("ui_locales"), "")
	data := messageData{Title: "logout.done_title", Message: "logout.done"}
	if h.routes.Has(route.AccountHome) {
		data.LinkURL, data.LinkText = h.routes.Path(route.AccountHome, nil), "account.sign_in_again"
	}
	if err := h.render.Render(w, r, themes.Page{Template: "message", Lang: lang, Branding: lr.branding(r, h), Data: data}); err != nil {
		h.log.ErrorContext(r.Context(), "render message", "err", err)
	}
}

type idTokenHint struct {
	Subject  string
	SID      string
	Audience []string
}

var errBadHint = errors.New("authz: invalid id_token_hint")

// verifyIDTokenHint checks the hint was signed by one of our published keys
// for this issuer. Expired hints are fine: logging out late is normal.
func (h *Handler) verifyIDTokenHint(ctx context.Context, raw string) (*idTokenHint, error) {
	if raw == "" {
		return nil, nil
	}
	jws, err := jose.ParseSigned(raw)
	if err != nil || len(jws.Signatures) != 1 {
		return nil, errBadHint
	}
	hdr := jws.Signatures[0].Header
	if hdr.Algorithm != string(jose.RS256) && hdr.Algorithm != string(jose.ES256) {
		return nil, errBadHint
	}
	// The same keys sign JWT access tokens (at+jwt) and logout tokens
	// (logout+jwt); only an ID token is a hint.
	if typ, _ := hdr.ExtraHeaders[jose.HeaderType].(string); typ != "" && !strings.EqualFold(typ, "JWT") {
		return nil, errBadHint
	}
	set, err := h.keys.PublicKeySet(ctx)
	if err != nil {
		return nil, errorf("key set: %w", err)
	}
	keys := set.Key(hdr.KeyID)
	if len(keys) == 0 {
		return nil, errBadHint
	}
	payload, err := jws.Verify(keys[0])
	if err != nil {
		return nil, errBadHint
	}
	var claims struct {
		Issuer   string          `json:"iss"`
		Subject  string          `json:"sub"`
		SID      string          `json:"sid"`
		Audience json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(payload, &claims); err != nil || claims.Issuer != h.cfg.Issuer || claims.Subject == "" {
		return nil, errBadHint
	}
	aud, err := audience(claims.Audience)
	if err != nil {
		return nil, errBadHint
	}
	return &idTokenHint{Subject: claims.Subject, SID: claims.SID, Audience: aud}, nil
}

// audience decodes "aud", which is a string or an array of strings.
func audience(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	err := json.Unmarshal(raw, &many)
	return many, err
}

func (h *Handler) logEvent(ctx context.Context, accountID, kind string, r *http.Request) {
	err := h.store.AppendEvent(ctx, &storage.Event{
		AccountID: accountID, Kind: kind, Actor: accountID, IP: session.ClientIP(r), CreatedAt: h.now().UTC(),
	})
	if err != nil {
		h.log.WarnContext(ctx, "append event", "kind", kind, "err", err)
	}
}
