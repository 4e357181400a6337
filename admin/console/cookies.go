package console

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"foyer/selfservice/session"
)

// Cookies of the console, by base name (session.Cookies decides the names
// and attributes). The flow cookie lives for one sign-in; the console
// cookie names the administrator and the SSO session it signed in with,
// so ending that session (anywhere) signs the console out too.
const (
	flowCookie    = "foyer_admin_flow"
	consoleCookie = "foyer_admin"
	flowLifetime  = 10 * time.Minute
	// formTokenField is the hidden field every console form posts.
	formTokenField = "form_token"
)

// binding is what the console cookie seals: the SSO session and the
// administrator's account.
type binding struct {
	SessionID string
	AccountID string
}

// signer seals the console's cookies together with their expiry, read
// against the console's clock: Max-Age only asks the browser to drop a
// cookie, and a copy kept longer must not open the console later.
func (h *Handler) signer() *session.StepSigner { return session.NewStepSigner(h.cfg.CookieKey) }

// readFlow is the sign-in state of this browser, while it is fresh.
func (h *Handler) readFlow(r *http.Request) (flowState, bool) {
	var st flowState
	raw, ok := h.signer().OpenAt("flow", h.cookie(r, flowCookie), h.cfg.Now())
	if !ok || json.Unmarshal([]byte(raw), &st) != nil || st.State == "" {
		return st, false
	}
	return st, true
}

// binding is the console sign-in the request's cookie seals, while it
// is fresh; it still has to match the live SSO session (see actorOf).
func (h *Handler) binding(r *http.Request) (binding, bool) {
	raw, ok := h.signer().OpenAt("console", h.cookie(r, consoleCookie), h.cfg.Now())
	if !ok {
		return binding{}, false
	}
	sid, sub, ok := strings.Cut(raw, "\x00")
	if !ok || sid == "" || sub == "" {
		return binding{}, false
	}
	return binding{SessionID: sid, AccountID: sub}, true
}

// formToken is the token every form of the console session b posts: an
// HMAC over the session, so a form of one sign-in does not pass in
// another, and a page another site frames or forges cannot know it.
func (h *Handler) formToken(b binding) string {
	m := hmac.New(sha256.New, h.cfg.CookieKey)
	m.Write([]byte("console-form\x00" + b.SessionID + "\x00" + b.AccountID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// formTokenOK reports whether the posted form carries b's token
// (compared in constant time).
func (h *Handler) formTokenOK(r *http.Request, b binding) bool {
	got := r.PostFormValue(formTokenField)
	return got != "" && hmac.Equal([]byte(got), []byte(h.formToken(b)))
}

// setCookie sets a console cookie; its name and attributes come from
// session.Cookies ("__Host-" names on https, so Path is always /).
func (h *Handler) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := h.cookies().New(name, value)
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

func (h *Handler) clearCookie(w http.ResponseWriter, name string) { h.cookies().Clear(w, name) }

func (h *Handler) cookie(r *http.Request, name string) string { return h.cookies().Value(r, name) }

func (h *Handler) cookies() session.Cookies { return session.Cookies{Secure: h.cfg.Secure} }
