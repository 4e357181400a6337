package authz

import (
	"html/template"
	"net/http"
	"net/url"

	"github.com/ory/fosite"

	"foyer/storage"
	"foyer/themes"
)

// leavePage shows an interstitial that names where a link leads instead of
// redirecting there: the destination belongs to a self-registered client
// and nothing in the request vouches for it, so an automatic redirect
// would make Foyer's origin a stepping stone for phishing (RFC 9700
// section 4.11.2). The user follows the link, or not.
func (h *Handler) leavePage(w http.ResponseWriter, r *http.Request, target *url.URL, status int, title, message string) {
	w.Header().Set("Cache-Control", "no-store")
	lang := h.render.NegotiateRequest(r, r.FormValue("ui_locales"), "")
	err := h.render.Render(w, r, themes.Page{
		Template: "leave",
		Lang:     lang,
		Status:   status,
		Branding: h.requestBranding(r), // the client the link leads back to

		Data: leaveData{
			Title: title, Message: message, Host: hostInWords(target),
			// The target is a URI the client registered (checked by the
			// caller); a native app's private-use scheme must survive
			// html/template's URL filter.
			LinkURL: template.URL(target.String()), //nolint:gosec // G203: a registered redirect URI
		},
	})
	if err != nil {
		h.log.ErrorContext(r.Context(), "render leave page", "err", err)
	}
}

// hostInWords names a destination for people: its host (with a port when
// it has one), or a native app's private-use scheme.
func hostInWords(u *url.URL) string {
	if u.Host != "" {
		return u.Host
	}
	return u.Scheme
}

// unvouchedError reports whether an authorization error would send the
// browser to a self-registered client straight from the authorization
// endpoint. Anyone holding an initial access token can register a
// redirect URI and then craft a failing request (an unknown scope,
// prompt=none without a session) that bounces the browser there: Foyer
// would be an open redirector. After sign-in or consent (resume, the
// consent page) the user has gone through Foyer's own pages for this
// request, and the client's answer is expected.
func unvouchedError(r *http.Request, ar fosite.AuthorizeRequester) bool {
	if r.URL.Path != AuthorizePath {
		return false
	}
	c, ok := ar.GetClient().(interface{ Storage() *storage.Client })
	return ok && c.Storage().RegistrationTokenHash != nil
}

// errorTarget is the redirect URI with the error parameters in the query,
// or in the fragment for response_mode=fragment.
func errorTarget(ar fosite.AuthorizeRequester, params url.Values) *url.URL {
	target := *ar.GetRedirectURI()
	if ar.GetResponseMode() == fosite.ResponseModeFragment {
		target.Fragment = params.Encode()
		return &target
	}
	q := target.Query()
	for k, v := range params {
		q[k] = v
	}
	target.RawQuery, target.Fragment = q.Encode(), ""
	return &target
}
