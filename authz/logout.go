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

	"foyer/selfservice/session"
	"foyer/storage"
	"foyer/themes"
)

// logout is the RP-initiated logout endpoint (OpenID Connect RP-Initiated
// Logout 1.0). A valid id_token_hint for the current session logs out at
// once; otherwise the user confirms. post_logout_redirect_uri must be one the
// client registered, exactly.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return
	}
	if r.Method == http.MethodPost {
		// The confirmation form posts here; a cross-site post must not be able
		// to sign the user out.
		if err := http.NewCrossOriginProtection().Check(r); err != nil {
			h.errorPage(w, r, http.StatusForbidden, "error.bad_request")
			return
		}
	}
	p := r.Form
	// A hint that cannot be verified (garbage, or signed by a key retired
	// long ago) is treated as absent: the user confirms instead, and a
	// post_logout_redirect_uri then needs client_id.
	hint, err := h.verifyIDTokenHint(ctx, p.Get("id_token_hint"))
	if errors.Is(err, errBadHint) {
		hint = nil
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	clientID := p.Get("client_id")
	if hint != nil {
		if clientID != "" && !slices.Contains(hint.Audience, clientID) {
			h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
			return
		}
		if clientID == "" && len(hint.Audience) > 0 {
			clientID = hint.Audience[0]
		}
	}
	redirect := p.Get("post_logout_redirect_uri")
	if redirect != "" && !h.postLogoutURIRegistered(ctx, clientID, redirect) {
		h.errorPage(w, r, http.StatusBadRequest, "error.invalid_redirect_uri")
		return
	}
	sso, err := h.sessions.Current(r)
	if errors.Is(err, session.ErrNoSession) {
		sso = nil
	} else if err != nil {
		h.serverError(w, r, err)
		return
	}
	confirmed := r.Method == http.MethodPost && p.Get("confirm") == "yes"
	hintMatches := hint != nil && sso != nil && hint.Subject == sso.AccountID && (hint.SID == "" || hint.SID == sso.ID)
	if sso != nil && !confirmed && !hintMatches {
		h.confirmLogout(w, r, p, sso.AccountID)
		return
	}
	if sso != nil {
		if _, err := h.sessions.End(w, r); err != nil {
			h.serverError(w, r, err)
			return
		}
		h.logEvent(ctx, sso.AccountID, "logout", r)
	}
	if redirect != "" {
		u, _ := url.Parse(redirect) // parsed before, when checked
		if state := p.Get("state"); state != "" {
			q := u.Query()
			q.Set("state", state)
			u.RawQuery = q.Encode()
		}
		// The URI is one the client registered, compared exactly above.
		http.Redirect(w, r, u.String(), http.StatusFound) //nolint:gosec // G710: checked against the registered list
		return
	}
	h.renderMessage(w, r, "logout.title", "logout.done")
}

func (h *Handler) postLogoutURIRegistered(ctx context.Context, clientID, uri string) bool {
	if clientID == "" {
		return false
	}
	c, err := h.store.GetClient(ctx, clientID)
	if err != nil {
		return false
	}
	if _, err := url.Parse(uri); err != nil {
		return false
	}
	return slices.Contains(c.PostLogoutRedirectURIs, uri)
}

// confirmLogout asks the signed-in user to confirm, in their language.
func (h *Handler) confirmLogout(w http.ResponseWriter, r *http.Request, p url.Values, accountID string) {
	hidden := map[string]string{"confirm": "yes"}
	for _, k := range []string{"id_token_hint", "client_id", "post_logout_redirect_uri", "state", "ui_locales"} {
		if v := p.Get(k); v != "" {
			hidden[k] = v
		}
	}
	accountLang := ""
	if acct, err := h.store.GetAccount(r.Context(), accountID); err == nil {
		accountLang = acct.Language
	}
	lang := h.render.Negotiate(p.Get("ui_locales"), accountLang, r.Header.Get("Accept-Language"))
	err := h.render.Render(w, r, themes.Page{
		Template: "logout",
		Lang:     lang,
		Data:     map[string]any{"Action": LogoutPath, "Hidden": hidden},
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render logout", "err", err)
	}
}

func (h *Handler) renderMessage(w http.ResponseWriter, r *http.Request, titleKey, messageKey string) {
	lang := h.render.Negotiate(r.FormValue("ui_locales"), "", r.Header.Get("Accept-Language"))
	err := h.render.Render(w, r, themes.Page{
		Template: "message",
		Lang:     lang,
		Data:     map[string]any{"Title": titleKey, "Message": messageKey},
	})
	if err != nil {
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
