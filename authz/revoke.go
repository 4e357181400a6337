package authz

import (
	"errors"
	"net/http"
	"strings"

	"github.com/ory/fosite"
)

// Paths of the token management endpoints.
const (
	RevocationPath    = "/oauth2/revoke"
	IntrospectionPath = "/oauth2/introspect"
)

// revoke is the RFC 7009 revocation endpoint. A client revokes its own
// access or refresh tokens; revoking either ends the whole grant (the
// refresh token and every access token issued from it). Unknown tokens get
// 200, as the RFC requires.
func (h *Handler) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	err := h.oauth.NewRevocationRequest(ctx, r)
	if err != nil && h.unavailable(w, r) {
		return
	}
	if err != nil {
		if rfc := fosite.ErrorToRFC6749Error(err); rfc.CodeField >= http.StatusInternalServerError {
			h.logServerError(r, "revocation endpoint", err, rfc.DebugField)
		}
	}
	if errors.Is(err, fosite.ErrUnauthorizedClient) {
		// Another client's token: refused and said so (RFC 7009 section
		// 2.1), where fosite would answer 200 as if it had been revoked.
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":"unauthorized_client","error_description":"The token was not issued to this client."}` + "\n"))
		return
	}
	h.oauth.WriteRevocationResponse(ctx, w, err)
}

// introspect is the RFC 7662 introspection endpoint for resource servers.
// Callers authenticate as a confidential client with HTTP Basic: fosite
// would also accept any valid access token as the caller's credential,
// which would let every token holder inspect every other token.
func (h *Handler) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	// fosite takes an access token from the Authorization header or from
	// an access_token parameter (query or body) as the caller's credential;
	// either way any token holder could inspect any other token.
	// fosite.AccessTokenFromRequest is the very test fosite applies
	// (multipart bodies included): with no token there, fosite
	// authenticates the HTTP Basic client that introspectionAllowed reads.
	_, _, basic := r.BasicAuth()
	if !basic || fosite.AccessTokenFromRequest(r) != "" {
		h.oauth.WriteAccessError(ctx, w, nil, fosite.ErrInvalidClient.WithHint("Authenticate with the client's credentials (HTTP Basic)."))
		return
	}
	resp, err := h.oauth.NewIntrospectionRequest(ctx, r, newSession())
	if err != nil && h.unavailable(w, r) {
		return
	}
	if err != nil && fosite.ErrorToRFC6749Error(err).ErrorField == fosite.ErrRequestUnauthorized.ErrorField {
		// RFC 7662 section 2.3 answers a caller without valid credentials
		// as RFC 6749 section 5.2 does: 401 invalid_client, not fosite's
		// own request_unauthorized. (Only the outermost error counts: an
		// inactive token wraps request_unauthorized too.)
		h.oauth.WriteAccessError(ctx, w, nil, fosite.ErrInvalidClient.WithHint("Authenticate with the client's credentials (HTTP Basic).").WithWrap(err))
		return
	}
	if err == nil && resp.IsActive() {
		allowed, aerr := h.introspectionAllowed(ctx, r, resp)
		if aerr != nil {
			err = fosite.ErrServerError.WithWrap(aerr).WithDebug(aerr.Error())
		} else if !allowed {
			resp = &fosite.IntrospectionResponse{Active: false}
		}
	}
	if err != nil && h.unavailable(w, r) {
		return
	}
	if err != nil {
		rfc := fosite.ErrorToRFC6749Error(err)
		if rfc.CodeField >= http.StatusInternalServerError {
			h.logServerError(r, "introspection endpoint", err, rfc.DebugField)
		}
		h.oauth.WriteIntrospectionError(ctx, w, err)
		return
	}
	writeJSON(w, introspectionResponse(h.cfg.Issuer, resp), "no-store")
}

// introspectionResponse is the RFC 7662 answer. It is written here rather
// than by fosite, whose writer leaves out token_type and iss and reports a
// refresh token's expiry as its access token's. It has no "username": the
// account's e-mail address would reach a resource server whose token was
// not granted the email scope.
func introspectionResponse(issuer string, resp fosite.IntrospectionResponder) map[string]any {
	if !resp.IsActive() {
		return map[string]any{"active": false}
	}
	ar := resp.GetAccessRequester()
	sess := ar.GetSession()
	out := map[string]any{
		"active":     true,
		"iss":        issuer,
		"client_id":  ar.GetClient().GetID(),
		"scope":      strings.Join(ar.GetGrantedScopes(), " "),
		"iat":        ar.GetRequestedAt().Unix(),
		"token_use":  string(resp.GetTokenUse()),
		"token_type": "refresh_token",
	}
	kind := fosite.RefreshToken
	if resp.GetTokenUse() == fosite.AccessToken {
		kind, out["token_type"] = fosite.AccessToken, "Bearer"
	}
	if exp := sess.GetExpiresAt(kind); !exp.IsZero() {
		out["exp"] = exp.Unix()
	}
	if sub := sess.GetSubject(); sub != "" {
		out["sub"] = sub
	}
	if aud := ar.GetGrantedAudience(); len(aud) > 0 {
		out["aud"] = aud
	}
	return out
}
