package authz

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/storage"
)

// registeredClient authorizes an RFC 7592 request: the bearer token must be
// the client's registration access token. An unknown client, one not
// registered dynamically (no token) and a wrong token all answer 401 alike,
// so the endpoint does not reveal which client ids exist. On failure it
// has answered.
func (h *Handler) registeredClient(w http.ResponseWriter, r *http.Request) (*storage.Client, string, bool) {
	token, ok := bearerToken(r)
	if !ok {
		writeBearerChallenge(w, "The registration access token is required.")
		return nil, "", false
	}
	c, err := h.store.GetClient(r.Context(), mux.Vars(r)["client_id"])
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.registrationServerError(w, r, err)
		return nil, "", false
	}
	digest := sha256.Sum256([]byte(token))
	if c == nil || len(c.RegistrationTokenHash) == 0 || subtle.ConstantTimeCompare(c.RegistrationTokenHash, digest[:]) != 1 {
		writeBearerChallenge(w, "The registration access token is not valid for this client.")
		return nil, "", false
	}
	return c, token, true
}

// configurationResponse is the client information response of RFC 7592
// section 3: the metadata, the configuration URI and the token the caller
// authenticated with (RFC 7592 requires it; it is not rotated). The
// secret is not shown again.
func (h *Handler) configurationResponse(c *storage.Client, token string) *clientMetadata {
	m := metadataOf(c)
	m.RegistrationAccessToken = token
	m.RegistrationClientURI = h.url(h.routes.Path(clientConfigurationRoute, nil, "client_id", c.ID))
	return m
}

// readRegistration is RFC 7592's client read request.
func (h *Handler) readRegistration(w http.ResponseWriter, r *http.Request) {
	c, token, ok := h.registeredClient(w, r)
	if !ok {
		return
	}
	writeRegistration(w, http.StatusOK, h.configurationResponse(c, token))
}

// updateRegistration is RFC 7592's client update request: the request
// replaces every metadata value (an omitted one returns to its default).
// client_id cannot change, and a client_secret sent must be the current
// one; the secret is kept unless the new auth method needs a first one.
func (h *Handler) updateRegistration(w http.ResponseWriter, r *http.Request) {
	c, token, ok := h.registeredClient(w, r)
	if !ok {
		return
	}
	m, ok := decodeMetadata(w, r)
	if !ok {
		return
	}
	if m.ClientID != "" && m.ClientID != c.ID {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", "client_id cannot be changed.")
		return
	}
	if m.ClientSecret != "" {
		sum := sha256.Sum256([]byte(m.ClientSecret))
		if subtle.ConstantTimeCompare(c.SecretHash, sum[:]) != 1 {
			writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", "client_secret is not the client's secret; it cannot be chosen by the client.")
			return
		}
	}
	spec, err := m.spec(c.ApplicationID)
	// What only an operator sets, and registration metadata has no names
	// for, is not the registrant's to reset.
	spec.AccessTokenFormat = c.AccessTokenFormat
	spec.AccessTokenLifetime, spec.RefreshTokenLifetime, spec.IDTokenLifetime = c.AccessTokenLifetime, c.RefreshTokenLifetime, c.IDTokenLifetime
	if err = errors.Join(err, spec.validate(), h.checkRegistrantURIs(spec)); err != nil {
		writeMetadataError(w, err)
		return
	}
	secret, err := UpdateClient(c, spec)
	if err != nil {
		writeMetadataError(w, err)
		return
	}
	if err := h.store.UpdateClient(r.Context(), c); err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "dynamically registered client updated", "client_id", c.ID)
	resp := h.configurationResponse(c, token)
	resp.ClientSecret = secret
	writeRegistration(w, http.StatusOK, resp)
}

// deleteRegistration is RFC 7592's client delete request: the client and
// every token issued to it go.
func (h *Handler) deleteRegistration(w http.ResponseWriter, r *http.Request) {
	c, _, ok := h.registeredClient(w, r)
	if !ok {
		return
	}
	err := h.store.DeleteClient(r.Context(), c.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		h.registrationServerError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "dynamically registered client deleted", "client_id", c.ID)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}
