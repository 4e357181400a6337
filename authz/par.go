package authz

import (
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/par"

	"foyer/authz/fositestore"
)

// PARPath is the pushed authorization request endpoint (RFC 9126).
const PARPath = "/oauth2/par"

// parURIPrefix starts every request_uri Foyer hands out (RFC 9126 section
// 2.2 suggests this URN namespace).
const parURIPrefix = "urn:ietf:params:oauth:request_uri:"

// defaultPARLifespan is how long a pushed request can be used: the client
// redirects the browser right after pushing, so a minute and a half is
// plenty (RFC 9126 section 2.2 suggests 5 to 600 seconds).
const defaultPARLifespan = 90 * time.Second

// credentialParams are client credentials a client may send in the pushed
// request's body; they authenticate the push and are not kept with it.
var credentialParams = []string{"client_secret", "client_assertion", "client_assertion_type"}

// addPAR wires fosite's pushed authorization handler into fc.
func addPAR(fc *fosite.Config, cfg Config, store *fositestore.Store) {
	fc.PushedAuthorizeRequestURIPrefix = parURIPrefix
	fc.PushedAuthorizeContextLifespan = cfg.PARLifespan
	// Enforcement is per client (authorize checks
	// RequirePushedAuthorizationRequests), never global.
	fc.IsPushedAuthorizeEnforced = false
	fc.PushedAuthorizeEndpointHandlers.Append(&par.PushedAuthorizeHandler{Storage: store, Config: fc})
}

// pushAuthorize handles the PAR endpoint: the client authenticates as at
// the token endpoint, the request is validated as an authorization request
// would be, and it is stored under a one-time request_uri (201 Created).
func (h *Handler) pushAuthorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if refused := refuseRequestObjects(r); refused != nil {
		h.pushError(w, r, nil, refused)
		return
	}
	ar, err := h.oauth.NewPushedAuthorizeRequest(ctx, r)
	if err != nil {
		h.pushError(w, r, ar, err)
		return
	}
	if err := checkPushed(ar); err != nil {
		h.pushError(w, r, ar, err)
		return
	}
	resp, err := h.oauth.NewPushedAuthorizeResponse(ctx, ar, newSession())
	if err != nil {
		h.pushError(w, r, ar, err)
		return
	}
	h.oauth.WritePushedAuthorizeResponse(ctx, w, ar, resp)
}

// checkPushed applies at push time what authorize checks before sign-in
// (response mode, PKCE, prompt, max_age), so a bad request fails where the
// client can see the error, and bounds what is stored. It drops the
// client's credentials from the form, which is kept with the request.
func checkPushed(ar fosite.AuthorizeRequester) error {
	if err := checkResponseMode(ar); err != nil {
		return err
	}
	if err := precheck(ar); err != nil {
		return err
	}
	form := ar.GetRequestForm()
	for _, k := range credentialParams {
		form.Del(k)
	}
	if len(form.Encode()) > maxPushedRequest {
		return fosite.ErrInvalidRequest.WithHint("The authorization request is too large (over 8 KiB).")
	}
	return nil
}

func (h *Handler) pushError(w http.ResponseWriter, r *http.Request, ar fosite.AuthorizeRequester, err error) {
	if h.unavailable(w, r) {
		return
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	if rfc.CodeField >= http.StatusInternalServerError {
		h.logServerError(r, "pushed authorization request", err, rfc.DebugField)
	}
	h.oauth.WritePushedAuthorizeError(r.Context(), w, ar, err)
}

// checkResponseMode: the code flow answers by query or form_post only.
func checkResponseMode(ar fosite.AuthorizeRequester) error {
	switch ar.GetResponseMode() {
	case fosite.ResponseModeDefault, fosite.ResponseModeQuery, fosite.ResponseModeFormPost:
		return nil
	}
	return fosite.ErrUnsupportedResponseMode.WithHint("Supported response modes: query, form_post.")
}

// pushedReference reports whether an authorization request refers to a
// pushed request, and if so keeps only client_id and request_uri: the
// pushed parameters alone make the request (as for request objects, RFC
// 9101 section 6.3), so nothing added in the browser can change it.
func pushedReference(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false // fosite reports the malformed request
	}
	uri := r.Form.Get("request_uri")
	if !strings.HasPrefix(uri, parURIPrefix) {
		return false
	}
	r.Form = url.Values{"client_id": {r.Form.Get("client_id")}, "request_uri": {uri}}
	// fosite parses a multipart body on its own and would add its fields
	// to Form: mark the body as parsed and empty.
	r.PostForm = url.Values{}
	r.MultipartForm = &multipart.Form{Value: map[string][]string{}, File: map[string][]*multipart.FileHeader{}}
	r.Body = http.NoBody
	return true
}

// storedForm is the authorization request to keep while the user signs in
// or consents: its resolved parameters, without request_uri, which was
// used up when the request arrived. Replaying them is an ordinary
// authorization request, validated afresh; the PAR requirement was checked
// when it arrived.
func storedForm(ar fosite.AuthorizeRequester) string {
	form := url.Values{}
	for k, v := range ar.GetRequestForm() {
		if k != "request_uri" {
			form[k] = v
		}
	}
	return form.Encode()
}

// requirePAR refuses a plain authorization request from a client that
// must push its requests.
func requirePAR(ar fosite.AuthorizeRequester, pushed bool) error {
	if c := storedClient(ar); c != nil && c.RequirePushedAuthorizationRequests && !pushed {
		return fosite.ErrInvalidRequest.WithHint("This client must use pushed authorization requests (RFC 9126).")
	}
	return nil
}
