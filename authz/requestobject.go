package authz

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/ory/fosite"

	"foyer/storage"
)

// requestObjectParams are the OpenID Connect request object parameters
// (OIDC Core 1.0 section 6, RFC 9101). Foyer does not support them
// (discovery says so): fosite would accept an unsigned ("alg": "none")
// object from any client with registered keys and let its claims replace
// the form, client_id included, after the client was checked.
var requestObjectParams = []string{"request", "request_uri"}

// maxMultipartMemory is what fosite allows a multipart form in memory.
const maxMultipartMemory = 1 << 20

// refuseRequestObjects answers request_not_supported for a request object
// and request_uri_not_supported for a request_uri that is not one of
// Foyer's PAR references (pushedReference has already reduced a PAR
// reference's form to client_id and request_uri). It returns nil when the
// request has neither.
func refuseRequestObjects(r *http.Request) error {
	// The form as fosite will read it: query, urlencoded and multipart
	// bodies alike (a multipart request object would otherwise pass by).
	// A malformed body leaves r.Form partly filled; fosite reports it.
	_ = r.ParseMultipartForm(maxMultipartMemory) //nolint:gosec // G120: request bodies are capped (64 KiB) by the server's middleware
	if r.Form.Has("request") {
		return fosite.ErrRequestNotSupported.WithHint("Request objects are not supported; send the parameters in the request.")
	}
	if uri := r.Form.Get("request_uri"); r.Form.Has("request_uri") && !strings.HasPrefix(uri, parURIPrefix) {
		return fosite.ErrRequestURINotSupported.WithHint("request_uri is supported only for pushed authorization requests (RFC 9126).")
	}
	return nil
}

// requestWithout parses the request as fosite would without params, so
// that the error for a refused parameter goes to the client's registered
// redirect URI when the rest of the request names one; nil otherwise (the
// caller then shows an error page).
func (h *Handler) requestWithout(r *http.Request, params []string) fosite.AuthorizeRequester {
	clean := r.Clone(r.Context())
	clean.Form, clean.PostForm = cloneValues(r.Form), cloneValues(r.PostForm)
	for _, p := range params {
		clean.Form.Del(p)
		clean.PostForm.Del(p)
	}
	ar, err := h.oauth.NewAuthorizeRequest(r.Context(), clean)
	if err != nil && (ar == nil || !ar.IsRedirectURIValid()) {
		return nil
	}
	return ar
}

func cloneValues(v map[string][]string) map[string][]string {
	out := make(map[string][]string, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// errClientSwitched: a stored authorization request names another client
// than the one its interaction was created for.
var errClientSwitched = errors.New("authz: stored request names another client")

// replay validates an interaction's stored authorization request afresh
// through fosite. The interaction belongs to the client that was checked
// when it was created (PAR requirement included): a stored request that
// names another client, or carries a request object, is refused with
// errClientSwitched and must not be answered to either client.
func (h *Handler) replay(r *http.Request, in *storage.Interaction) (fosite.AuthorizeRequester, error) {
	replay := r.Clone(r.Context())
	replay.Method = http.MethodGet
	replay.URL.RawQuery = in.Request
	replay.Form, replay.PostForm = nil, nil
	if err := replay.ParseForm(); err != nil {
		return nil, errClientSwitched
	}
	if replay.Form.Get("client_id") != in.ClientID || replay.Form.Has("request") || replay.Form.Has("request_uri") {
		return nil, errClientSwitched
	}
	ar, err := h.oauth.NewAuthorizeRequest(r.Context(), replay)
	if err == nil && ar.GetClient().GetID() != in.ClientID {
		return nil, errClientSwitched
	}
	return ar, err
}

// interactionClient is the client an interaction was created for: the
// replayed request's, or when the replay failed (the request is no longer
// valid), the stored client, so that the session is still checked against
// its identity store. Nil when the client is gone.
func (h *Handler) interactionClient(ctx context.Context, ar fosite.AuthorizeRequester, in *storage.Interaction) *storage.Client {
	if ar != nil {
		if c := storedClient(ar); c != nil {
			return c
		}
	}
	c, err := h.store.GetClient(ctx, in.ClientID)
	if err != nil {
		return nil
	}
	return c
}
