package authz

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"foyer/authz/netguard"
	"foyer/httpin"
	"foyer/storage"
)

// RegistrationPath is the dynamic client registration endpoint (RFC 7591);
// a client's configuration endpoint (RFC 7592) is RegistrationPath/{id}.
const RegistrationPath = "/oauth2/register"

// RegistrationStore is what dynamic registration needs from storage.
type RegistrationStore interface {
	UseInitialAccessToken(ctx context.Context, tokenHash []byte, now time.Time) error
	CreateClient(ctx context.Context, c *storage.Client) error
	UpdateClient(ctx context.Context, c *storage.Client) error
	DeleteClient(ctx context.Context, id string) error
}

// clientMetadata is a client's metadata as RFC 7591 section 2 spells it,
// in requests and responses; the response-only fields are ignored in
// requests, and so is metadata Foyer does not know (RFC 7591 section 2).
type clientMetadata struct {
	ClientID                           string          `json:"client_id,omitempty"`
	ClientSecret                       string          `json:"client_secret,omitempty"`
	ClientName                         string          `json:"client_name,omitempty"`
	RedirectURIs                       []string        `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs             []string        `json:"post_logout_redirect_uris,omitempty"`
	GrantTypes                         []string        `json:"grant_types,omitempty"`
	ResponseTypes                      []string        `json:"response_types,omitempty"`
	Scope                              string          `json:"scope,omitempty"`
	TokenEndpointAuthMethod            string          `json:"token_endpoint_auth_method,omitempty"`
	TokenEndpointAuthSigningAlg        string          `json:"token_endpoint_auth_signing_alg,omitempty"`
	JWKS                               json.RawMessage `json:"jwks,omitempty"`
	JWKSURI                            string          `json:"jwks_uri,omitempty"`
	IDTokenSignedResponseAlg           string          `json:"id_token_signed_response_alg,omitempty"`
	RequirePushedAuthorizationRequests bool            `json:"require_pushed_authorization_requests,omitempty"`
	InitiateLoginURI                   string          `json:"initiate_login_uri,omitempty"`
	BackchannelLogoutURI               string          `json:"backchannel_logout_uri,omitempty"`
	BackchannelLogoutSessionRequired   bool            `json:"backchannel_logout_session_required,omitempty"`
	ClientURI                          string          `json:"client_uri,omitempty"`
	LogoURI                            string          `json:"logo_uri,omitempty"`
	PolicyURI                          string          `json:"policy_uri,omitempty"`
	TOSURI                             string          `json:"tos_uri,omitempty"`
	Contacts                           []string        `json:"contacts,omitempty"`

	// Response only.
	ClientIDIssuedAt        int64  `json:"client_id_issued_at,omitempty"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string `json:"registration_client_uri,omitempty"`
}

// spec turns registration metadata into the spec the CLI and admin API
// also use, with RFC 7591's defaults. Dynamically registered clients are
// third-party: they get the consent page and no Foyer scopes.
func (m *clientMetadata) spec(applicationID string) (ClientSpec, error) {
	s := ClientSpec{
		// Every RFC 7591 field is optional, client_name too.
		ApplicationID: applicationID, Name: cmp.Or(strings.TrimSpace(m.ClientName), "Unnamed client"),
		RedirectURIs: m.RedirectURIs, PostLogoutRedirectURIs: m.PostLogoutRedirectURIs,
		InitiateLoginURI: m.InitiateLoginURI, GrantTypes: m.GrantTypes, Scopes: strings.Fields(m.Scope),
		BackchannelLogoutURI: m.BackchannelLogoutURI, BackchannelLogoutSessionRequired: m.BackchannelLogoutSessionRequired,
		TokenEndpointAuthMethod: cmp.Or(m.TokenEndpointAuthMethod, AuthMethodBasic), JWKSURI: m.JWKSURI,
		TokenEndpointAuthSigningAlg: m.TokenEndpointAuthSigningAlg, IDTokenSignedResponseAlg: m.IDTokenSignedResponseAlg,
		RequirePushedAuthorizationRequests: m.RequirePushedAuthorizationRequests,
		ClientURI:                          m.ClientURI, LogoURI: m.LogoURI, PolicyURI: m.PolicyURI, TOSURI: m.TOSURI, Contacts: m.Contacts,
	}
	if len(s.GrantTypes) == 0 {
		s.GrantTypes = []string{"authorization_code"}
	}
	if raw := strings.TrimSpace(string(m.JWKS)); raw != "" && raw != "null" {
		s.JWKS = []byte(raw)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: "+format, append([]any{ErrInvalidClientMetadata}, args...)...))
	}
	for _, rt := range m.ResponseTypes {
		if rt != "code" {
			bad("unsupported response type %q (supported: code)", rt)
		} else if !slices.Contains(s.GrantTypes, "authorization_code") {
			bad("response type code needs the authorization_code grant type")
		}
	}
	for _, sc := range s.Scopes {
		if strings.HasPrefix(sc, InternalScopePrefix) {
			bad("scope %q can only be granted by an administrator", sc)
		}
	}
	return s, errors.Join(errs...)
}

// checkRegistrantURIs holds the URIs Foyer itself requests (jwks_uri,
// backchannel_logout_uri) to https on a host that is not obviously
// internal, unless the operator allowed private networks. Operators (CLI,
// admin API) may still register http on loopback: this applies only to
// anonymous registrants. The dialer re-checks every address at request
// time (netguard), which also covers names resolving to internal hosts.
func (h *Handler) checkRegistrantURIs(s ClientSpec) error {
	if h.cfg.AllowPrivateNetworkURIs {
		return nil
	}
	var errs []error
	for _, u := range [][2]string{{"jwks_uri", s.JWKSURI}, {"backchannel_logout_uri", s.BackchannelLogoutURI}} {
		if u[1] == "" {
			continue
		}
		if err := checkPublicHTTPS(u[1]); err != nil {
			errs = append(errs, fmt.Errorf("%w: %s %q: %w", ErrInvalidClientMetadata, u[0], u[1], err))
		}
	}
	return errors.Join(errs...)
}

// checkPublicHTTPS: https, to a host that is neither a localhost name nor
// a literal non-public address.
func checkPublicHTTPS(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return errors.New("must be https")
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return errors.New("must not name a loopback host")
	}
	if ip, err := netip.ParseAddr(host); err == nil && !netguard.Allowed(ip) {
		return errors.New("must not name a private or otherwise non-public address")
	}
	return nil
}

// metadataOf is the stored client as registration metadata, without
// credentials.
func metadataOf(c *storage.Client) *clientMetadata {
	m := &clientMetadata{
		ClientID: c.ID, ClientName: c.Name, RedirectURIs: c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, GrantTypes: c.GrantTypes, ResponseTypes: []string{},
		Scope: strings.Join(c.Scopes, " "), TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		TokenEndpointAuthSigningAlg: c.TokenEndpointAuthSigningAlg, JWKS: c.JWKS, JWKSURI: c.JWKSURI,
		IDTokenSignedResponseAlg:           c.IDTokenSignedResponseAlg,
		RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		InitiateLoginURI:                   c.InitiateLoginURI, BackchannelLogoutURI: c.BackchannelLogoutURI,
		BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,
		ClientURI:                        c.ClientURI, LogoURI: c.LogoURI, PolicyURI: c.PolicyURI, TOSURI: c.TOSURI,
		Contacts: c.Contacts, ClientIDIssuedAt: c.CreatedAt.Unix(),
	}
	if slices.Contains(c.GrantTypes, "authorization_code") {
		m.ResponseTypes = []string{"code"}
	}
	if m.TokenEndpointAuthSigningAlg == "" && m.TokenEndpointAuthMethod == AuthMethodPrivateKey {
		m.TokenEndpointAuthSigningAlg = "RS256"
	}
	if usesSecret(c.TokenEndpointAuthMethod) {
		never := int64(0) // Foyer's client secrets do not expire
		m.ClientSecretExpiresAt = &never
	}
	return m
}

// register is RFC 7591's registration endpoint. The initial access token
// is spent in the same transaction that stores the client, so a rejected
// registration costs no use. The body is read before the transaction
// begins: a client trickling it in must not hold the database's write lock.
func (h *Handler) register(w http.ResponseWriter, r *http.Request) {
	token, ok := bearerToken(r)
	if !ok {
		writeBearerChallenge(w, "An initial access token is required.")
		return
	}
	var m clientMetadata
	decodeErr := readMetadata(r, &m)
	ctx, err := h.store.BeginTx(r.Context())
	if err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	defer func() { _ = h.store.Rollback(ctx) }()
	digest := sha256.Sum256([]byte(token))
	err = h.store.UseInitialAccessToken(ctx, digest[:], h.now())
	if errors.Is(err, storage.ErrNotFound) {
		writeBearerChallenge(w, "The initial access token is unknown, expired or used up.")
		return
	}
	if err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	if decodeErr != nil {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", metadataDecodeProblem(decodeErr))
		return
	}
	spec, err := m.spec(h.cfg.RegistrationApplicationID)
	if err = errors.Join(err, spec.validate(), h.checkRegistrantURIs(spec)); err != nil {
		writeMetadataError(w, err)
		return
	}
	client, secret, err := NewClient(spec)
	if err != nil {
		writeMetadataError(w, err)
		return
	}
	regToken, regDigest, err := NewClientSecret()
	if err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	client.RegistrationTokenHash = regDigest
	if err := h.store.CreateClient(ctx, client); err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	if err := h.store.Commit(ctx); err != nil {
		h.registrationServerError(w, r, err)
		return
	}
	h.log.InfoContext(r.Context(), "client registered dynamically", "client_id", client.ID, "name", client.Name)
	resp := metadataOf(client)
	resp.ClientSecret, resp.RegistrationAccessToken = secret, regToken
	resp.RegistrationClientURI = h.url(h.routes.Path(clientConfigurationRoute, nil, "client_id", client.ID))
	writeRegistration(w, http.StatusCreated, resp)
}

// decodeMetadata reads the request's JSON body; on failure it has
// answered.
func decodeMetadata(w http.ResponseWriter, r *http.Request) (*clientMetadata, bool) {
	var m clientMetadata
	if err := readMetadata(r, &m); err != nil {
		writeRegistrationError(w, http.StatusBadRequest, "invalid_client_metadata", metadataDecodeProblem(err))
		return nil, false
	}
	return &m, true
}

// readMetadata decodes the request's JSON body into m, refusing a key
// given twice in one object (which encoding/json would resolve to the
// last, where another reader may take the first).
func readMetadata(r *http.Request, m *clientMetadata) error {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	if err := httpin.NoDuplicateKeys(body); err != nil {
		return err
	}
	return json.Unmarshal(body, m)
}

// metadataDecodeProblem says what is wrong with an unreadable body.
func metadataDecodeProblem(err error) string {
	var dup *httpin.DuplicateKeyError
	if errors.As(err, &dup) {
		return "The client metadata is ambiguous: " + dup.Error() + "."
	}
	return "The request body must be a JSON object of client metadata."
}

// bearerToken is the request's RFC 6750 bearer token.
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	return token, ok && strings.EqualFold(scheme, "Bearer") && token != ""
}

// writeBearerChallenge answers 401 with RFC 6750's challenge.
func writeBearerChallenge(w http.ResponseWriter, description string) {
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+description+`"`)
	writeRegistrationError(w, http.StatusUnauthorized, "invalid_token", description)
}

// writeMetadataError answers RFC 7591 section 3.2.2's error for a spec
// that failed validation, naming every problem.
func writeMetadataError(w http.ResponseWriter, err error) {
	code := "invalid_client_metadata"
	if errors.Is(err, ErrInvalidRedirectURI) {
		code = "invalid_redirect_uri"
	}
	var problems []string
	for _, line := range strings.Split(err.Error(), "\n") {
		problems = append(problems, strings.TrimPrefix(line, ErrInvalidClientMetadata.Error()+": "))
	}
	writeRegistrationError(w, http.StatusBadRequest, code, strings.Join(problems, "; "))
}

func writeRegistrationError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": description})
}

func writeRegistration(w http.ResponseWriter, status int, m *clientMetadata) {
	w.Header().Set("Content-Type", "application/json")
	// The response may carry a secret and the registration access token.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(m) //nolint:gosec // G117: RFC 7591 returns the new secret to its client, once
}

// registrationServerError answers a failure of the registration and
// client configuration endpoints: 503 temporarily_unavailable when the
// database could not be reached (the registrant should retry, not give
// up), else 500 server_error.
func (h *Handler) registrationServerError(w http.ResponseWriter, r *http.Request, err error) {
	if h.unavailable(w, r) {
		return
	}
	h.logServerError(r, "client registration", err, "")
	writeRegistrationError(w, http.StatusInternalServerError, "server_error", "The client could not be registered; try again later.")
}
