package authz

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/ory/fosite"

	"foyer/storage"
)

// token handles the token endpoint: authorization code (with PKCE), refresh
// token (with rotation and reuse detection) and client credentials.
func (h *Handler) token(w http.ResponseWriter, r *http.Request) {
	// One request's view of the code records: read once, deleted together.
	ctx, finish := h.records.BeginRequest(r.Context())
	defer func() {
		if err := finish(); err != nil {
			h.logServerError(r, "token endpoint: finish", err, "")
		}
	}()
	r = r.WithContext(ctx)
	if h.clientAuthHeld(w, r) {
		return
	}
	ar, err := h.oauth.NewAccessRequest(ctx, r, newSession())
	if err != nil {
		h.clientAuthFailed(r, err)
		h.accessError(w, r, ar, rfc6749TokenError(r, ar, err))
		return
	}
	switch {
	case ar.GetGrantTypes().ExactOne("client_credentials"):
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		for _, a := range ar.GetRequestedAudience() {
			ar.GrantAudience(a)
		}
	case ar.GetGrantTypes().ExactOne("refresh_token"):
		// A disabled or deleted account loses its refresh tokens' power.
		if err := h.checkSubjectActive(r, ar.GetSession().GetSubject()); err != nil {
			h.accessError(w, r, ar, err)
			return
		}
		if err := h.refreshAllowed(r, ar); err != nil {
			h.accessError(w, r, ar, err)
			return
		}
		// Claims kept outside the account row are as they are now.
		if err := h.refreshSourcedClaims(ctx, ar); err != nil {
			h.accessError(w, r, ar, err)
			return
		}
		// So are the roles in an organizational grant's organization.
		if err := h.refreshOrganization(ctx, ar); err != nil {
			h.accessError(w, r, ar, err)
			return
		}
	}
	if ar.GetGrantTypes().ExactOne("authorization_code") {
		// Its writes go to the database as one statement (fositestore).
		h.records.DeferCodeUse(ctx)
	}
	resp, err := h.oauth.NewAccessResponse(ctx, ar)
	if errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) {
		// Lost a race with another exchange of the same code: a reuse. By
		// now the winner has committed (its conditional update held the
		// row), so its tokens can be revoked, as for any replayed code.
		h.revokeGrant(r, ar.GetID())
		err = fosite.ErrInvalidGrant.WithHint("The authorization code has already been used.")
	}
	if errors.Is(err, fosite.ErrSerializationFailure) && ar.GetGrantTypes().ExactOne("refresh_token") {
		// Lost a race with another refresh with the same token: that token
		// is used, and presenting a used refresh token revokes its family
		// (RFC 9700 section 4.14.2), the winner's new tokens included (its
		// conditional update held the row, so it has committed). fosite
		// would answer invalid_request and ask for a retry.
		h.revokeGrant(r, ar.GetID())
		err = fosite.ErrInvalidGrant.WithHint("The refresh token was already used.")
	}
	if err != nil {
		h.accessError(w, r, ar, err)
		return
	}
	h.oauth.WriteAccessResponse(ctx, w, ar, resp)
}

// revokeGrant revokes every token of one grant (request id).
func (h *Handler) revokeGrant(r *http.Request, requestID string) {
	for _, revoke := range []func(context.Context, string) error{h.records.RevokeAccessToken, h.records.RevokeRefreshToken} {
		if err := revoke(r.Context(), requestID); err != nil && !errors.Is(err, fosite.ErrNotFound) {
			h.logServerError(r, "revoke tokens of a reused code or refresh token", err, "")
		}
	}
}

func (h *Handler) checkSubjectActive(r *http.Request, subject string) error {
	acct, err := h.store.GetAccount(r.Context(), subject)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Status != storage.AccountEnabled) {
		return fosite.ErrInvalidGrant.WithHint("The account is no longer active.")
	}
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	return nil
}

func (h *Handler) accessError(w http.ResponseWriter, r *http.Request, ar fosite.AccessRequester, err error) {
	if h.unavailable(w, r) {
		return
	}
	rfc := fosite.ErrorToRFC6749Error(err)
	if rfc.ErrorField == unknownErrorName {
		// Not one of RFC 6749's errors: a failure of ours, which fosite
		// would answer as {"error":"error"}.
		err = fosite.ErrServerError.WithWrap(err).WithDebug(err.Error())
		rfc = fosite.ErrorToRFC6749Error(err)
	}
	if rfc.CodeField >= http.StatusInternalServerError {
		h.logServerError(r, "token endpoint", err, rfc.DebugField)
	}
	h.oauth.WriteAccessError(r.Context(), w, ar, err)
}

// unknownErrorName is the error code fosite gives an error that is none
// of RFC 6749's.
const unknownErrorName = "error"

// rfc6749TokenError gives two refusals the codes RFC 6749 section 5.2 names
// where fosite words them loosely: a grant type no handler serves is
// unsupported_grant_type (fosite: invalid_request), and a public client
// asking for client_credentials is unauthorized_client (fosite:
// invalid_grant).
func rfc6749TokenError(r *http.Request, ar fosite.AccessRequester, err error) error {
	grant := r.PostForm.Get("grant_type")
	switch {
	case errors.Is(err, fosite.ErrInvalidRequest) && grant != "" && !slices.Contains(supportedGrants, grant):
		return fosite.ErrUnsupportedGrantType.WithHintf("Supported grant types: %s.", strings.Join(supportedGrants, ", "))
	case errors.Is(err, fosite.ErrInvalidGrant) && grant == "client_credentials" && ar != nil && ar.GetClient() != nil && ar.GetClient().IsPublic():
		return fosite.ErrUnauthorizedClient.WithHint("Public clients cannot use client_credentials.")
	}
	return err
}
