package console

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/selfservice/session"
)

// The sign-in follows the account portal's (selfservice/portal/signin.go);
// both exchange their codes through selfservice/firstparty and differ in
// what they bind the sign-in to (the portal: the SSO session; the console:
// the SSO session and the administrator).

// flowState is what the console keeps between sending the browser to
// /oauth2/auth and the callback.
type flowState struct {
	State    string `json:"s"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Next     string `json:"x"`
}

// oauthConfig is the console's client configuration; the endpoints are
// the issuer's own.
func (h *Handler) oauthConfig() *oauth2.Config {
	return &oauth2.Config{
		ClientID:    manage.ConsoleClientID,
		RedirectURL: h.cfg.Issuer + manage.ConsoleCallbackPath,
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: h.cfg.Issuer + h.path(route.Authorize, nil), TokenURL: h.cfg.Issuer + h.path(route.Token, nil),
			AuthStyle: oauth2.AuthStyleInParams},
	}
}

// startSignIn sends the browser to the authorization endpoint with PKCE,
// a state and a nonce kept in a short-lived sealed cookie.
func (h *Handler) startSignIn(w http.ResponseWriter, r *http.Request) error {
	st := flowState{State: randomToken(), Verifier: oauth2.GenerateVerifier(), Nonce: randomToken(), Next: safeNext(r.URL.Query().Get("next"))}
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	h.setCookie(w, flowCookie, h.signer().SealUntil("flow", string(raw), h.cfg.Now().Add(flowLifetime)), flowLifetime)
	u := h.oauthConfig().AuthCodeURL(st.State, oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce))
	http.Redirect(w, r, u, http.StatusFound) //nolint:gosec // G710: Foyer's own authorization endpoint
	return nil
}

// callback completes the sign-in: it checks the state, exchanges the
// code in process, verifies the ID token (signature, audience, nonce),
// checks that the account is an administrator and binds the console to
// the SSO session and account the token names.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	st, ok := h.readFlow(r)
	h.clearCookie(w, flowCookie)
	q := r.URL.Query()
	if !ok || !hmac.Equal([]byte(q.Get("state")), []byte(st.State)) || q.Get("error") != "" || q.Get("code") == "" {
		h.message(w, r, http.StatusBadRequest, "admin.signin_failed")
		return
	}
	sid, sub, err := h.exchange(r.Context(), q.Get("code"), st)
	if err != nil {
		h.log.WarnContext(r.Context(), "console sign-in", "err", err)
		h.message(w, r, http.StatusBadRequest, "admin.signin_failed")
		return
	}
	sess, err := h.sessions.Current(r)
	if err != nil || sess.ID != sid || sess.AccountID != sub {
		// The token belongs to another browser's session: refuse rather
		// than sign this browser in as someone else.
		h.message(w, r, http.StatusBadRequest, "admin.signin_failed")
		return
	}
	if _, err := h.core.Administrator(r.Context(), sub, session.ClientIP(r), r.UserAgent()); err != nil {
		if errors.Is(err, manage.ErrForbidden) {
			h.forbidden(w, r)
			return
		}
		h.log.ErrorContext(r.Context(), "console sign-in", "err", err)
		h.message(w, r, http.StatusInternalServerError, "error.generic")
		return
	}
	h.setCookie(w, consoleCookie, h.signer().SealUntil("console", sid+"\x00"+sub, h.cfg.Now().Add(h.cfg.SessionLifetime)), h.cfg.SessionLifetime)
	http.Redirect(w, r, st.Next, http.StatusFound)
}

// exchange trades the code for tokens as foyer-admin and returns the
// verified ID token's sid and sub.
func (h *Handler) exchange(ctx context.Context, code string, st flowState) (sid, sub string, err error) {
	return h.codes.Exchange(ctx, h.oauthConfig(), code, st.Verifier, st.Nonce)
}

// logout ends the SSO session (and so the console's) through the session
// manager, which tells relying parties by back-channel logout. The form
// token must match the console session it ends.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	b, ok := h.binding(r)
	if !ok || !h.formTokenOK(r, b) {
		// Without the token nobody is signed out: a forged sign-out would
		// otherwise be a nuisance any page could cause.
		http.Redirect(w, r, h.path(homeRoute, nil), http.StatusSeeOther)
		return nil
	}
	// End clears the SSO cookie even when it cannot read the session: a
	// database outage would leave the session live on the server and the
	// browser without it. Read it first; a failure is serve's 503 page.
	if _, err := h.sessions.Current(r); err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	if _, err := h.sessions.End(w, r); err != nil && !errors.Is(err, session.ErrNoSession) {
		return err
	}
	h.clearCookie(w, consoleCookie)
	h.message(w, r, http.StatusOK, "admin.signed_out")
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails; it panics instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeNext keeps post-sign-in redirects inside the console.
func safeNext(next string) string {
	base := manage.ConsoleBasePath
	if next != base && !strings.HasPrefix(next, base+"/") || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") ||
		strings.HasPrefix(next, manage.ConsoleCallbackPath) {
		return base
	}
	return next
}
