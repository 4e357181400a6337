package authz

import (
	"encoding/json"
	"errors"
	"maps"
	"net/http"

	"github.com/ory/fosite"

	"foyer/storage"
)

// userinfo answers the OpenID Connect UserInfo endpoint with the claims the
// access token's scopes allow.
func (h *Handler) userinfo(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := fosite.AccessTokenFromRequest(r)
	if token == "" {
		bearerError(w, http.StatusUnauthorized, "invalid_request", "No access token was given.")
		return
	}
	sess := newSession()
	use, ar, err := h.oauth.IntrospectToken(ctx, token, fosite.AccessToken, sess)
	if err == nil && use != fosite.AccessToken {
		// fosite falls back to refresh tokens; a refresh token is not a
		// bearer credential.
		err = fosite.ErrRequestUnauthorized
	}
	if err != nil {
		if h.unavailable(w, r) {
			return
		}
		bearerError(w, http.StatusUnauthorized, "invalid_token", "The access token is not valid.")
		return
	}
	if !ar.GetGrantedScopes().Has("openid") {
		bearerError(w, http.StatusForbidden, "insufficient_scope", "The access token lacks the openid scope.")
		return
	}
	acct, err := h.store.GetAccount(ctx, sess.GetSubject())
	if err != nil && !errors.Is(err, storage.ErrNotFound) && h.unavailable(w, r) {
		return
	}
	if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Status != storage.AccountEnabled) {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "The account is no longer active.")
		return
	}
	if err != nil {
		h.log.ErrorContext(ctx, "userinfo", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	claims := Claims(acct, ar.GetGrantedScopes())
	org, inOrg, err := h.organizationClaims(ctx, ar.GetSession())
	if err != nil {
		h.log.ErrorContext(ctx, "userinfo: organization", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	if !inOrg {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "The account no longer holds a role in the organization.")
		return
	}
	maps.Copy(claims, org)
	sourced, err := h.sourcedClaims(ctx, acct, ar.GetClient().GetID(), ar.GetGrantedScopes())
	if err != nil {
		h.log.ErrorContext(ctx, "userinfo: claims", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	for k, v := range sourced {
		if _, taken := claims[k]; !taken {
			claims[k] = v
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(claims)
}

// Claims are an account's standard claims for the granted scopes.
func Claims(acct *storage.Account, scopes fosite.Arguments) map[string]any {
	c := map[string]any{"sub": acct.ID}
	if scopes.Has("email") && acct.Email != "" {
		c["email"] = acct.Email
		c["email_verified"] = acct.EmailConfirmed
	}
	if scopes.Has("phone") && acct.Phone != "" {
		c["phone_number"] = acct.Phone
		c["phone_number_verified"] = acct.PhoneConfirmed
	}
	if addr := addressClaim(acct); scopes.Has("address") && addr != nil {
		c["address"] = addr
	}
	if scopes.Has("profile") {
		if acct.Username != "" {
			c["preferred_username"] = acct.Username
		}
		for _, k := range []string{"name", "given_name", "family_name", "middle_name", "nickname", "picture", "website", "gender", "birthdate", "zoneinfo"} {
			if v := acct.Attributes[k]; v != "" {
				c[k] = v
			}
		}
		if acct.Language != "" {
			c["locale"] = acct.Language
		}
		c["updated_at"] = acct.UpdatedAt.Unix()
	}
	return c
}

func bearerError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="`+code+`", error_description="`+description+`"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}
