package authz

import (
	"errors"
	"net/http"
	"net/url"

	"foyer/storage"
)

// InitiatePath starts a third-party initiated login at a client's portal.
const InitiatePath = "/oauth2/initiate"

var (
	// ErrNoInitiateLoginURI means the client registered no brand portal.
	ErrNoInitiateLoginURI = errors.New("authz: client has no initiate_login_uri")
	// ErrTargetNotAllowed means target_link_uri is not one of the client's
	// registered URIs (or at their origin).
	ErrTargetNotAllowed = errors.New("authz: target_link_uri is not registered for the client")
)

// InitiateLoginURL is where to send a browser so that the client's brand
// portal starts an ordinary authorization request (OpenID Connect Core 1.0
// section 4): the client's initiate_login_uri with iss, and login_hint and
// target_link_uri when given. Activation links, invitations and the
// application launcher all go through it. target_link_uri must lie at the
// origin of one of the client's registered URIs, so Foyer never becomes an
// open redirect to a third site through the portal.
func InitiateLoginURL(issuer string, c *storage.Client, loginHint, targetLinkURI string) (string, error) {
	if c.InitiateLoginURI == "" {
		return "", ErrNoInitiateLoginURI
	}
	u, err := url.Parse(c.InitiateLoginURI)
	if err != nil {
		return "", ErrNoInitiateLoginURI
	}
	if targetLinkURI != "" && !targetAllowed(c, targetLinkURI) {
		return "", ErrTargetNotAllowed
	}
	q := u.Query()
	q.Set("iss", issuer)
	if loginHint != "" {
		q.Set("login_hint", loginHint)
	}
	if targetLinkURI != "" {
		q.Set("target_link_uri", targetLinkURI)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// targetAllowed: the target is absolute http(s) without user info or
// fragment, at the origin of the initiate_login_uri or a redirect URI.
func targetAllowed(c *storage.Client, target string) bool {
	t, err := url.Parse(target)
	if err != nil || (t.Scheme != "https" && t.Scheme != "http") || t.Host == "" || t.User != nil || t.Fragment != "" {
		return false
	}
	for _, registered := range append([]string{c.InitiateLoginURI}, c.RedirectURIs...) {
		r, err := url.Parse(registered)
		if err == nil && r.Scheme == t.Scheme && r.Host == t.Host {
			return true
		}
	}
	return false
}

// initiate sends the browser to the client's brand portal.
func (h *Handler) initiate(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	c, err := h.store.GetClient(r.Context(), q.Get("client_id"))
	if errors.Is(err, storage.ErrNotFound) {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	if err != nil {
		return errorf("load client: %w", err)
	}
	if c.RegistrationTokenHash != nil {
		// A self-registered client is no brand portal the operator vouched
		// for: sending browsers to its URI would make Foyer a redirector.
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil
	}
	target, err := InitiateLoginURL(h.cfg.Issuer, c, q.Get("login_hint"), q.Get("target_link_uri"))
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad_request")
		return nil //nolint:nilerr // an unusable initiate_login_uri is answered with a page
	}
	http.Redirect(w, r, target, http.StatusFound) //nolint:gosec // G710: the client's registered initiate_login_uri
	return nil
}
