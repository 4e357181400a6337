package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type applicationRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	StoreID        string    `gorm:"column:store_id"`
	Name           string    `gorm:"column:name"`
	LogoURL        string    `gorm:"column:logo_url"`
	PrimaryColor   string    `gorm:"column:primary_color"`
	Organizational bool      `gorm:"column:organizational"`
	LoginSteps     string    `gorm:"column:login_steps"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	// SelfService is the policy as JSON; "{}" (the column default) and
	// absent keys read as the defaults.
	SelfService string `gorm:"column:self_service_policy"`
	MFAPolicy   string `gorm:"column:mfa_policy"`
	// ConsentPolicy is JSON; "" (the column default) is the default policy.
	ConsentPolicy string `gorm:"column:consent_policy"`
}

func (applicationRow) TableName() string { return "applications" }

func (r *applicationRow) toStorage() (*storage.Application, error) {
	steps, err := decodeList[string](r.LoginSteps, "applications.login_steps")
	if err != nil {
		return nil, err
	}
	policy, err := decodePolicy(r.SelfService)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application %q: %w", r.ID, err)
	}
	mfa, err := decodeMFAPolicy(r.MFAPolicy)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application %q: %w", r.ID, err)
	}
	var consents []storage.ConsentDocument
	if r.ConsentPolicy != "" {
		if err := json.Unmarshal([]byte(r.ConsentPolicy), &consents); err != nil {
			return nil, fmt.Errorf("sqlstore: application %q: decode consent_policy: %w", r.ID, err)
		}
		if consents == nil {
			consents = []storage.ConsentDocument{}
		}
	}
	return &storage.Application{ID: r.ID, StoreID: r.StoreID, Name: r.Name, LogoURL: r.LogoURL,
		PrimaryColor: r.PrimaryColor, Organizational: r.Organizational, LoginSteps: steps,
		CreatedAt: r.CreatedAt.UTC(), SelfService: policy, MFA: mfa, Consents: consents}, nil
}

// encodePolicy stores an unset policy as "{}" so that it keeps following
// the defaults, and a set one in full.
func encodePolicy(p storage.SelfServicePolicy) string {
	if p.IsZero() {
		return "{}"
	}
	return encodeJSON(p, "{}")
}

func decodePolicy(s string) (storage.SelfServicePolicy, error) {
	if s == "" {
		s = "{}"
	}
	var p storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("decode applications.self_service_policy: %w", err)
	}
	return p.WithDefaults(), nil
}

// CreateApplication inserts a, filling in ID and CreatedAt when empty.
func (s *Store) CreateApplication(ctx context.Context, a *storage.Application) error {
	if a.ID == "" {
		a.ID = newID()
	}
	a.CreatedAt = orNow(a.CreatedAt)
	row := applicationRow{ID: a.ID, StoreID: a.StoreID, Name: a.Name, LogoURL: a.LogoURL,
		PrimaryColor: a.PrimaryColor, Organizational: a.Organizational,
		LoginSteps: encodeJSON(a.LoginSteps, "[]"), CreatedAt: a.CreatedAt,
		SelfService: encodePolicy(a.SelfService), MFAPolicy: encodeJSON(a.MFA, "{}"), ConsentPolicy: encodeConsents(a.Consents)}
	return wrapErr(s.db(ctx).Create(&row).Error, "create application %q", a.ID)
}

// GetApplication reads one application.
func (s *Store) GetApplication(ctx context.Context, id string) (*storage.Application, error) {
	var row applicationRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get application %q", id)
	}
	return row.toStorage()
}

// SetSelfServicePolicy replaces the application's self-service policy.
func (s *Store) SetSelfServicePolicy(ctx context.Context, applicationID string, p storage.SelfServicePolicy) error {
	res := s.db(ctx).Model(&applicationRow{}).Where("id = ?", applicationID).
		Update("self_service_policy", encodePolicy(p))
	if res.Error != nil {
		return wrapErr(res.Error, "set self-service policy of application %q", applicationID)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("set self-service policy of application %q: %w", applicationID, storage.ErrNotFound)
	}
	return nil
}

// ListApplications returns every application, oldest first.
func (s *Store) ListApplications(ctx context.Context) ([]storage.Application, error) {
	var rows []applicationRow
	if err := s.db(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list applications")
	}
	out := make([]storage.Application, 0, len(rows))
	for i := range rows {
		a, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

type clientRow struct {
	ID                      string     `gorm:"column:id;primaryKey"`
	ApplicationID           string     `gorm:"column:application_id"`
	Name                    string     `gorm:"column:name"`
	SecretHash              []byte     `gorm:"column:secret_hash"`
	PreviousSecretHash      []byte     `gorm:"column:previous_secret_hash"`
	PreviousSecretExpiresAt *time.Time `gorm:"column:previous_secret_expires_at"`
	Version                 int64      `gorm:"column:version"`
	Public                  bool       `gorm:"column:public"`
	FirstParty              bool       `gorm:"column:first_party"`
	ResourceServer          bool       `gorm:"column:resource_server"`
	RedirectURIs            string     `gorm:"column:redirect_uris"`
	PostLogoutRedirectURIs  string     `gorm:"column:post_logout_redirect_uris"`
	InitiateLoginURI        string     `gorm:"column:initiate_login_uri"`
	GrantTypes              string     `gorm:"column:grant_types"`
	ResponseTypes           string     `gorm:"column:response_types"`
	Scopes                  string     `gorm:"column:scopes"`
	Audience                string     `gorm:"column:audience"`
	TokenEndpointAuthMethod string     `gorm:"column:token_endpoint_auth_method"`
	CreatedAt               time.Time  `gorm:"column:created_at"`
	UpdatedAt               time.Time  `gorm:"column:updated_at"`

	BackchannelLogoutURI             string `gorm:"column:backchannel_logout_uri"`
	BackchannelLogoutSessionRequired bool   `gorm:"column:backchannel_logout_session_required"`

	JWKS                               string `gorm:"column:jwks"`
	JWKSURI                            string `gorm:"column:jwks_uri"`
	TokenEndpointAuthSigningAlg        string `gorm:"column:token_endpoint_auth_signing_alg"`
	IDTokenSignedResponseAlg           string `gorm:"column:id_token_signed_response_alg"`
	AccessTokenFormat                  string `gorm:"column:access_token_format"`
	AccessTokenLifetime                int64  `gorm:"column:access_token_lifetime"`
	RefreshTokenLifetime               int64  `gorm:"column:refresh_token_lifetime"`
	IDTokenLifetime                    int64  `gorm:"column:id_token_lifetime"`
	RequirePushedAuthorizationRequests bool   `gorm:"column:require_pushed_authorization_requests"`
	ClientURI                          string `gorm:"column:client_uri"`
	LogoURI                            string `gorm:"column:logo_uri"`
	PolicyURI                          string `gorm:"column:policy_uri"`
	TOSURI                             string `gorm:"column:tos_uri"`
	Contacts                           string `gorm:"column:contacts"`
	RegistrationTokenHash              []byte `gorm:"column:registration_token_hash"`
}

func (clientRow) TableName() string { return "clients" }

func fromClient(c *storage.Client) clientRow {
	return clientRow{
		ID: c.ID, ApplicationID: c.ApplicationID, Name: c.Name, SecretHash: c.SecretHash,
		PreviousSecretHash: c.PreviousSecretHash, PreviousSecretExpiresAt: dbTimePtr(c.PreviousSecretExpiresAt), Version: c.Version,
		Public: c.Public, FirstParty: c.FirstParty, ResourceServer: c.ResourceServer,
		RedirectURIs:            encodeJSON(c.RedirectURIs, "[]"),
		PostLogoutRedirectURIs:  encodeJSON(c.PostLogoutRedirectURIs, "[]"),
		InitiateLoginURI:        c.InitiateLoginURI,
		GrantTypes:              encodeJSON(c.GrantTypes, "[]"),
		ResponseTypes:           encodeJSON(c.ResponseTypes, "[]"),
		Scopes:                  encodeJSON(c.Scopes, "[]"),
		Audience:                encodeJSON(c.Audience, "[]"),
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		CreatedAt:               c.CreatedAt, UpdatedAt: c.UpdatedAt,
		BackchannelLogoutURI: c.BackchannelLogoutURI, BackchannelLogoutSessionRequired: c.BackchannelLogoutSessionRequired,

		JWKS: string(c.JWKS), JWKSURI: c.JWKSURI, TokenEndpointAuthSigningAlg: c.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg: c.IDTokenSignedResponseAlg, AccessTokenFormat: c.AccessTokenFormat,
		AccessTokenLifetime:                int64(c.AccessTokenLifetime / time.Second),
		RefreshTokenLifetime:               int64(c.RefreshTokenLifetime / time.Second),
		IDTokenLifetime:                    int64(c.IDTokenLifetime / time.Second),
		RequirePushedAuthorizationRequests: c.RequirePushedAuthorizationRequests,
		ClientURI:                          c.ClientURI, LogoURI: c.LogoURI, PolicyURI: c.PolicyURI, TOSURI: c.TOSURI,
		Contacts:              encodeJSON(c.Contacts, "[]"),
		RegistrationTokenHash: c.RegistrationTokenHash,
	}
}

func (r *clientRow) toStorage() (*storage.Client, error) {
	c := &storage.Client{
		ID: r.ID, ApplicationID: r.ApplicationID, Name: r.Name, SecretHash: r.SecretHash,
		PreviousSecretHash: r.PreviousSecretHash, PreviousSecretExpiresAt: utcPtr(r.PreviousSecretExpiresAt), Version: r.Version,
		Public: r.Public, FirstParty: r.FirstParty, ResourceServer: r.ResourceServer, InitiateLoginURI: r.InitiateLoginURI,
		TokenEndpointAuthMethod: r.TokenEndpointAuthMethod,
		CreatedAt:               r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		BackchannelLogoutURI: r.BackchannelLogoutURI, BackchannelLogoutSessionRequired: r.BackchannelLogoutSessionRequired,

		JWKSURI: r.JWKSURI, TokenEndpointAuthSigningAlg: r.TokenEndpointAuthSigningAlg,
		IDTokenSignedResponseAlg: r.IDTokenSignedResponseAlg, AccessTokenFormat: r.AccessTokenFormat,
		AccessTokenLifetime:                time.Duration(r.AccessTokenLifetime) * time.Second,
		RefreshTokenLifetime:               time.Duration(r.RefreshTokenLifetime) * time.Second,
		IDTokenLifetime:                    time.Duration(r.IDTokenLifetime) * time.Second,
		RequirePushedAuthorizationRequests: r.RequirePushedAuthorizationRequests,
		ClientURI:                          r.ClientURI, LogoURI: r.LogoURI, PolicyURI: r.PolicyURI, TOSURI: r.TOSURI,
		RegistrationTokenHash: r.RegistrationTokenHash,
	}
	if r.JWKS != "" {
		c.JWKS = []byte(r.JWKS)
	}
	lists := []struct {
		dst    *[]string
		src    string
		column string
	}{
		{&c.RedirectURIs, r.RedirectURIs, "redirect_uris"},
		{&c.PostLogoutRedirectURIs, r.PostLogoutRedirectURIs, "post_logout_redirect_uris"},
		{&c.GrantTypes, r.GrantTypes, "grant_types"},
		{&c.ResponseTypes, r.ResponseTypes, "response_types"},
		{&c.Scopes, r.Scopes, "scopes"},
		{&c.Audience, r.Audience, "audience"},
		{&c.Contacts, r.Contacts, "contacts"},
	}
	for _, l := range lists {
		v, err := decodeList[string](l.src, "clients."+l.column)
		if err != nil {
			return nil, err
		}
		*l.dst = v
	}
	return c, nil
}

// CreateClient inserts c, filling in ID and times when empty; a taken ID is
// ErrConflict.
func (s *Store) CreateClient(ctx context.Context, c *storage.Client) error {
	if c.ID == "" {
		c.ID = newID()
	}
	c.CreatedAt = orNow(c.CreatedAt)
	c.UpdatedAt = orNow(c.UpdatedAt)
	c.Version = 1
	row := fromClient(c)
	return wrapErr(s.db(ctx).Create(&row).Error, "create client %q", c.ID)
}

// GetClient reads one client (a primary-key lookup: it runs on every
// token request).
func (s *Store) GetClient(ctx context.Context, id string) (*storage.Client, error) {
	var row clientRow
	if err := s.db(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get client %q", id)
	}
	return row.toStorage()
}

// ListClients returns every client, oldest first.
func (s *Store) ListClients(ctx context.Context) ([]storage.Client, error) {
	var rows []clientRow
	if err := s.db(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list clients")
	}
	out := make([]storage.Client, 0, len(rows))
	for i := range rows {
		c, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// ListClientsPage returns up to limit clients with ids above after, by id.
func (s *Store) ListClientsPage(ctx context.Context, after string, limit int) ([]storage.Client, error) {
	var rows []clientRow
	if err := s.db(ctx).Where("id > ?", after).Order("id").Limit(limit).Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list clients")
	}
	out := make([]storage.Client, 0, len(rows))
	for i := range rows {
		c, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *c)
	}
	return out, nil
}

// UpdateClient replaces the client's fields, keeping ID and CreatedAt, and
// increments its version; with c.Version set, only if that is still the
// stored version (else ErrStale, or ErrNotFound when the client is gone).
func (s *Store) UpdateClient(ctx context.Context, c *storage.Client) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		expected := c.Version
		q := tx.Model(&clientRow{}).Where("id = ?", c.ID)
		if expected != 0 {
			q = q.Where("version = ?", expected)
		} else {
			// No check asked: the update applies over whatever version is
			// stored (dynamic registration's RFC 7592 updates).
			if err := tx.Raw(`SELECT version FROM clients WHERE id = ?`, c.ID).Scan(&expected).Error; err != nil {
				return wrapErr(err, "update client %q", c.ID)
			}
			if expected == 0 {
				return fmt.Errorf("sqlstore: update client %q: %w", c.ID, storage.ErrNotFound)
			}
		}
		updated := *c
		updated.UpdatedAt = orNow(time.Time{})
		updated.Version = expected + 1
		row := fromClient(&updated)
		// UpdateColumns, not Updates: GORM would stamp updated_at itself, a
		// few microseconds off the value handed back in c.
		res := q.Select("*").Omit("id", "created_at").UpdateColumns(&row)
		if err := res.Error; err != nil {
			return wrapErr(err, "update client %q", c.ID)
		}
		if res.RowsAffected == 0 {
			return s.staleOrMissing(tx, c.ID)
		}
		c.UpdatedAt, c.Version = updated.UpdatedAt, updated.Version
		return nil
	})
}

// staleOrMissing tells an update that matched no row apart: the client is
// gone (ErrNotFound) or another update came first (ErrStale).
func (s *Store) staleOrMissing(tx *gorm.DB, id string) error {
	var n int64
	if err := tx.Model(&clientRow{}).Where("id = ?", id).Count(&n).Error; err != nil {
		return wrapErr(err, "update client %q", id)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: update client %q: %w", id, storage.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: update client %q: %w", id, storage.ErrStale)
}

// DeleteClient removes the client and every token issued to it, together.
func (s *Store) DeleteClient(ctx context.Context, id string) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if err := tx.Exec(`DELETE FROM oauth2_tokens WHERE client_id = ?`, id).Error; err != nil {
			return wrapErr(err, "delete tokens of client %q", id)
		}
		return affected(tx.Exec(`DELETE FROM clients WHERE id = ?`, id), "delete client %q", id)
	})
}

// UseClientAssertionJTI records jti until exp. An expired record of the
// same jti is replaced in the same statement, so two nodes racing on one
// assertion cannot both succeed.
func (s *Store) UseClientAssertionJTI(ctx context.Context, jti string, exp time.Time) error {
	res := s.db(ctx).Exec(`INSERT INTO client_assertion_jtis (jti, expires_at) VALUES (?, ?)
		ON CONFLICT (jti) DO UPDATE SET expires_at = excluded.expires_at
		WHERE client_assertion_jtis.expires_at <= ?`, jti, dbTime(exp), now())
	if res.Error != nil {
		return wrapErr(res.Error, "use client assertion jti %q", jti)
	}
	if res.RowsAffected == 0 {
		return wrapErr(storage.ErrConflict, "use client assertion jti %q: already used", jti)
	}
	return nil
}

// ClientAssertionJTIKnown reports whether jti is recorded and unexpired.
func (s *Store) ClientAssertionJTIKnown(ctx context.Context, jti string) (bool, error) {
	var n int64
	err := s.db(ctx).Table("client_assertion_jtis").Where("jti = ? AND expires_at > ?", jti, now()).Count(&n).Error
	if err != nil {
		return false, wrapErr(err, "look up client assertion jti %q", jti)
	}
	return n > 0, nil
}
