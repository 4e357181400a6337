package authz

import (
	"encoding/json"
	"net/http"

	"foyer/selfservice/session"
)

// discovery serves the OpenID Provider metadata. It lists exactly what is
// supported, no more.
func (h *Handler) discovery(w http.ResponseWriter, _ *http.Request) {
	doc := map[string]any{
		"issuer":                 h.cfg.Issuer,
		"authorization_endpoint": h.url(AuthorizePath),
		"token_endpoint":         h.url(TokenPath),
		"userinfo_endpoint":      h.url(UserInfoPath),
		"jwks_uri":               h.url(JWKSPath),
		"end_session_endpoint":   h.url(LogoutPath),
		"revocation_endpoint":    h.url(RevocationPath),
		"introspection_endpoint": h.url(IntrospectionPath),
		"revocation_endpoint_auth_methods_supported":    AuthMethods,
		"introspection_endpoint_auth_methods_supported": []string{AuthMethodBasic},
		"registration_endpoint":                         h.url(RegistrationPath),
		"pushed_authorization_request_endpoint":         h.url(PARPath),
		"require_pushed_authorization_requests":         false, // per client only
		"response_types_supported":                      []string{"code"},
		"response_modes_supported":                      []string{"query", "form_post"},
		"grant_types_supported":                         []string{"authorization_code", "refresh_token", "client_credentials"},
		"subject_types_supported":                       []string{"public"},
		"id_token_signing_alg_values_supported":         IDTokenAlgorithms,
		"scopes_supported":                              []string{"openid", "profile", "email", "phone", "address", "offline_access", "roles", VerifiedClaimsScope},
		"token_endpoint_auth_methods_supported":         AuthMethods,
		"code_challenge_methods_supported":              []string{"S256"},
		"prompt_values_supported":                       allowedPrompts,
		// "1": one factor; "2": two factors (acr_values=2 asks for it).
		"acr_values_supported": []string{session.ACRSingle, session.ACRMFA},
		"claims_supported": []string{
			"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "at_hash",
			"email", "email_verified", "phone_number", "phone_number_verified",
			"preferred_username", "name", "given_name", "family_name", "middle_name", "nickname", "picture",
			"website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address",
			"roles",                  // roles per organization (authz/roleclaims), or in the one signed in to (organizational clients)
			ClaimOrgID, ClaimOrgName, // organizational clients (orgsignin.go)
			VerifiedClaimsClaim,
		},
		"ui_locales_supported":                           h.render.Languages(),
		"claims_parameter_supported":                     true,
		"request_parameter_supported":                    false,
		"request_uri_parameter_supported":                false,
		"frontchannel_logout_supported":                  false,
		"backchannel_logout_supported":                   true,
		"backchannel_logout_session_supported":           true,
		"authorization_response_iss_parameter_supported": true,
	}
	// private_key_jwt assertions: the same algorithms wherever they are
	// accepted (introspection takes HTTP Basic only).
	for _, ep := range []string{"token", "revocation"} {
		doc[ep+"_endpoint_auth_signing_alg_values_supported"] = AssertionSigningAlgs
	}
	identityAssuranceMetadata(doc)
	writeJSON(w, doc, "public, max-age=300")
}

// jwks publishes the active and recently retired verification keys.
func (h *Handler) jwks(w http.ResponseWriter, r *http.Request) {
	set, err := h.keys.PublicKeySet(r.Context())
	if err != nil && h.unavailable(w, r) {
		return // never loaded since the start, and the database is down
	}
	if err != nil {
		h.log.ErrorContext(r.Context(), "jwks", "err", err)
		http.Error(w, "server error", http.StatusInternalServerError)
		return
	}
	// Shorter than the time a new key is published before it signs (twice
	// the keys' refresh interval, 20 s), so no relying party holds a JWKS
	// without the key that signed its token.
	writeJSON(w, set, "public, max-age=10")
}

func writeJSON(w http.ResponseWriter, v any, cacheControl string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", cacheControl)
	_ = json.NewEncoder(w).Encode(v)
}
