package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/gorilla/securecookie"
	"golang.org/x/oauth2"

	"foyer/selfservice/route"
	"foyer/selfservice/session"
	"foyer/storage"
)

// Cookies of the portal, by base name (session.Cookies decides the names
// and attributes). The flow cookie lives for one sign-in; the portal
// cookie binds the browser's portal sign-in to its SSO session, so ending
// that session (anywhere) signs the portal out too.
const (
	flowCookie   = "foyer_portal_flow"
	portalCookie = "foyer_portal"
	appCookie    = "foyer_portal_app"
	flowLifetime = 10 * time.Minute
)

// flowState is what the portal keeps between sending the browser to
// /oauth2/auth and the callback.
type flowState struct {
	State    string `json:"s"`
	Verifier string `json:"v"`
	Nonce    string `json:"n"`
	Next     string `json:"x"`
	// Client is the portal client the sign-in started with (its identity
	// store's); the callback exchanges the code as it and requires it as
	// the ID token's audience. Empty in cookies from before per-store
	// portals: the default store's client.
	Client string `json:"c,omitempty"`
}

// oauthConfig is the configuration of the portal's client clientID; the
// endpoints are the issuer's own.
func (h *Handler) oauthConfig(clientID string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:    clientID,
		RedirectURL: h.cfg.Issuer + h.path(route.AccountCallback, nil),
		Scopes:      []string{oidc.ScopeOpenID},
		Endpoint: oauth2.Endpoint{AuthURL: h.cfg.Issuer + h.path(route.Authorize, nil), TokenURL: h.cfg.Issuer + h.path(route.Token, nil),
			AuthStyle: oauth2.AuthStyleInParams},
	}
}

// startSignIn sends the browser to the authorization endpoint as the
// portal client of the customer's identity store (signInPortal) with
// PKCE, a state and a nonce kept in a short-lived signed cookie. fresh=1
// asks for a new sign-in (prompt=login), which deleting the account and
// changing the password demand. A store without a portal is 404.
func (h *Handler) startSignIn(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := h.signInPortal(r)
	if errors.Is(err, errNoPortal) {
		h.notFound(w, r)
		return nil
	}
	if err != nil {
		return err
	}
	st := flowState{State: randomToken(), Verifier: oauth2.GenerateVerifier(), Nonce: randomToken(), Next: safeNext(q.Get("next")),
		Client: p.ClientID}
	value, err := h.flowCodec().Encode(flowCookie, st)
	if err != nil {
		return fmt.Errorf("portal: flow cookie: %w", err)
	}
	h.setCookie(w, flowCookie, value, flowLifetime)
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(st.Verifier), oidc.Nonce(st.Nonce)}
	if q.Get("fresh") == "1" {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", "login"))
		// An account action (enroll, remove a factor, new recovery codes)
		// runs only inside a fresh sign-in; selfservice checks its form.
		if action := q.Get("action"); action != "" && len(action) <= 64 {
			opts = append(opts, oauth2.SetAuthURLParam(ActionParam, action))
		}
	}
	http.Redirect(w, r, h.oauthConfig(p.ClientID).AuthCodeURL(st.State, opts...), http.StatusFound) //nolint:gosec // G710: Foyer's own authorization endpoint; the action is only a query parameter
	return nil
}

// callback completes the sign-in: it checks the state, exchanges the code
// in process, verifies the ID token (signature, audience, nonce) and binds
// the portal to the SSO session the token names.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request) {
	st, ok := h.readFlow(r)
	h.clearCookie(w, flowCookie)
	q := r.URL.Query()
	if !ok || !hmac.Equal([]byte(q.Get("state")), []byte(st.State)) {
		h.message(w, r, http.StatusBadRequest, "account.signin_failed")
		return
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		h.message(w, r, http.StatusBadRequest, "account.signin_failed")
		return
	}
	sid, sub, err := h.exchange(r.Context(), q.Get("code"), st)
	if err != nil {
		h.log.WarnContext(r.Context(), "portal sign-in", "err", err)
		h.message(w, r, http.StatusBadRequest, "account.signin_failed")
		return
	}
	sess, err := h.sessions.Current(r)
	if err != nil || sess.ID != sid || sess.AccountID != sub {
		// The token belongs to another browser's session: refuse rather
		// than sign this browser in as someone else.
		h.message(w, r, http.StatusBadRequest, "account.signin_failed")
		return
	}
	h.setCookie(w, portalCookie, h.seal("portal", sess.ID), 0)
	http.Redirect(w, r, st.Next, http.StatusFound)
}

// exchange trades the code for tokens as the client the flow used and
// returns the verified ID token's sid and sub.
func (h *Handler) exchange(ctx context.Context, code string, st flowState) (sid, sub string, err error) {
	clientID := st.Client
	if clientID == "" {
		clientID = h.cfg.ClientID
	}
	return h.codes.Exchange(ctx, h.oauthConfig(clientID), code, st.Verifier, st.Nonce)
}

// viewer is the signed-in customer of a portal request.
type viewer struct {
	Account *storage.Account
	Session *storage.Session
	App     *storage.Application
	Store   *storage.IdentityStore
	Lang    string
	// HasFactors: the account enrolled a second factor, so a fresh
	// sign-in must have proved one (acr 2).
	HasFactors bool
}

// authed runs fn for a request of a signed-in customer, through serve.
// Without a valid SSO session bound to the portal, GETs go to the sign-in
// and POSTs are refused with a redirect to the portal's start (a post has
// no page to come back to).
func (h *Handler) authed(fn func(http.ResponseWriter, *http.Request, *viewer) error) http.HandlerFunc {
	return h.serve(func(w http.ResponseWriter, r *http.Request) error {
		v, err := h.viewerOf(r)
		if err == nil && r.Method == http.MethodGet && otherStore(r, v) {
			// The portal of another store was asked for: sign in there
			// (the SSO session of this one does not count for it).
			err = session.ErrNoSession
		}
		if errors.Is(err, session.ErrNoSession) || errors.Is(err, storage.ErrNotFound) {
			h.clearCookie(w, portalCookie)
			next := BasePath
			if r.Method == http.MethodGet {
				next = r.URL.Path
			}
			http.Redirect(w, r, h.path(signInRoute, withStore(r, url.Values{"next": {next}})), http.StatusSeeOther)
			return nil
		}
		if err != nil {
			return err
		}
		if app := r.URL.Query().Get("app"); app != "" && r.Method == http.MethodGet {
			h.chooseApp(w, r, v, app)
		}
		return fn(w, r, v)
	})
}

func (h *Handler) viewerOf(r *http.Request) (*viewer, error) {
	sess, err := h.sessions.Current(r)
	if err != nil {
		return nil, err
	}
	if !h.opened("portal", h.cookie(r, portalCookie), sess.ID) {
		return nil, session.ErrNoSession
	}
	ctx := r.Context()
	acct, err := h.store.GetAccount(ctx, sess.AccountID)
	if err != nil {
		return nil, err
	}
	if acct.Status != storage.AccountEnabled {
		return nil, session.ErrNoSession
	}
	store, err := h.store.GetIdentityStore(ctx, acct.StoreID)
	if err != nil {
		return nil, fmt.Errorf("portal: identity store: %w", err)
	}
	app, err := h.brandingApp(r)
	if err != nil {
		return nil, err
	}
	if app.StoreID != "" && app.StoreID != acct.StoreID {
		// A look chosen for another store's account (a shared browser), or
		// none chosen for an account outside the default store: the
		// application of the account's own store's portal.
		if app, err = h.storeApplication(ctx, acct.StoreID); err != nil {
			return nil, fmt.Errorf("portal: application of store %s: %w", acct.StoreID, err)
		}
	}
	auths, err := h.store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("portal: authenticators: %w", err)
	}
	lang := h.render.NegotiateRequest(r, "", acct.Language)
	return &viewer{Account: acct, Session: sess, App: app, Store: store, Lang: lang, HasFactors: len(auths) > 0}, nil
}

// home is the portal's entry: the application launcher when signed in,
// otherwise the sign-in.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	if id := r.URL.Query().Get(StoreParam); id != "" {
		if _, err := h.storePortal(r.Context(), id); err != nil {
			h.notFound(w, r)
			return
		}
	}
	if app := r.URL.Query().Get("app"); app != "" {
		if a, err := h.store.GetApplication(r.Context(), app); err == nil {
			h.setCookie(w, appCookie, a.ID, 0)
		}
	}
	http.Redirect(w, r, h.path(appsRoute, withStore(r, nil)), http.StatusFound)
}

// otherStore reports whether the request names an identity store other
// than the signed-in account's.
func otherStore(r *http.Request, v *viewer) bool {
	id := r.URL.Query().Get(StoreParam)
	return id != "" && id != v.Account.StoreID
}

// logout ends the SSO session (and so the portal's) through the session
// manager, which tells relying parties by back-channel logout.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	ended, err := h.sessions.End(w, r)
	if err != nil {
		return err
	}
	h.clearCookie(w, portalCookie)
	// "Open your account" leads back to the portal of the store signed
	// out of.
	storeID := ""
	if ended != nil {
		if acct, err := h.store.GetAccount(r.Context(), ended.AccountID); err == nil {
			storeID = acct.StoreID
		}
	}
	h.messageIn(w, r, http.StatusOK, "account.signed_out", storeID)
	return nil
}

func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails; it panics instead
	return base64.RawURLEncoding.EncodeToString(b)
}

// safeNext keeps post-sign-in redirects inside the portal.
func safeNext(next string) string {
	if next != BasePath && !strings.HasPrefix(next, BasePath+"/") || strings.ContainsAny(next, "\\\r\n") || strings.Contains(next, "//") {
		return appsPath
	}
	return next
}

// seal returns value with an HMAC bound to purpose.
func (h *Handler) seal(purpose, value string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(value)) + "." + h.mac(purpose, value)
}

func (h *Handler) mac(purpose, value string) string {
	m := hmac.New(sha256.New, h.cfg.CookieKey)
	m.Write([]byte("portal\x00" + purpose + "\x00" + value))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// unseal returns the value of a sealed string, if its HMAC checks.
func (h *Handler) unseal(purpose, sealed string) (string, bool) {
	enc, sig, ok := strings.Cut(sealed, ".")
	if !ok {
		return "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil || !hmac.Equal([]byte(sig), []byte(h.mac(purpose, string(raw)))) {
		return "", false
	}
	return string(raw), true
}

// opened reports whether sealed is value sealed for purpose.
func (h *Handler) opened(purpose, sealed, value string) bool {
	got, ok := h.unseal(purpose, sealed)
	return ok && hmac.Equal([]byte(got), []byte(value))
}

// flowCodec signs the sign-in state cookie together with the time it was
// set and refuses it once flowLifetime has passed: Max-Age only asks the
// browser to drop it, and a copy kept longer must not start a callback
// later. The age is checked against the wall clock (securecookie's), not
// cfg.Now; production's clock is the wall clock, and the test of expiry
// stamps a cookie in the past (sessiontest.SignedAt).
func (h *Handler) flowCodec() *securecookie.SecureCookie {
	return session.NewStateCodec(h.cfg.CookieKey, flowLifetime)
}

// readFlow is the sign-in state of this browser, while it is fresh.
func (h *Handler) readFlow(r *http.Request) (flowState, bool) {
	var st flowState
	v := h.cookie(r, flowCookie)
	if err := h.flowCodec().Decode(flowCookie, v, &st); err != nil {
		st = h.legacyFlow(v)
	}
	if st.State == "" {
		return flowState{}, false
	}
	return st, true
}

// legacyFlow reads a state cookie sealed the way Foyer did before it used
// securecookie (StepSigner.SealUntil, expiry inside the HMAC), so a
// sign-in in flight across a rolling upgrade still finishes. Such cookies
// live ten minutes: this can go in the release after.
func (h *Handler) legacyFlow(v string) flowState {
	var st flowState
	raw, ok := session.NewStepSigner(h.cfg.CookieKey).OpenAt("flow", v, h.cfg.Now())
	if !ok || json.Unmarshal([]byte(raw), &st) != nil {
		return flowState{}
	}
	return st
}

// setCookie sets a portal cookie; its name and attributes come from
// session.Cookies ("__Host-" names on https, so Path is always /).
func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := h.cookies().New(name, value)
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) { h.cookies().Clear(w, name) }

// cookie is the request's portal cookie of that base name, or "".
func (h *Handler) cookie(r *http.Request, name string) string { return h.cookies().Value(r, name) }

func (h *Handler) cookies() session.Cookies { return session.Cookies{Secure: h.cfg.Secure} }
