package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"

	"foyer/storage"
)

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

// clientApplicationRow is a client with its application's columns, each
// selected as app_ + its name (applicationColumns).
type clientApplicationRow struct {
	Client clientRow      `gorm:"embedded"`
	App    applicationRow `gorm:"embedded;embeddedPrefix:app_"`
}

// applicationColumns selects every column of applicationRow as app_ +
// its name.
var applicationColumns = sync.OnceValues(func() (string, error) {
	return prefixedColumns(&applicationRow{}, "applications", "app_")
})

// prefixedColumns selects every column of row, a row of table, as prefix
// + its name, for a join that scans into a struct embedding row with that
// prefix. The list is read from the row's schema, so a new column cannot
// be forgotten.
func prefixedColumns(row any, table, prefix string) (string, error) {
	sch, err := schema.Parse(row, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		return "", fmt.Errorf("sqlstore: the %s row: %w", table, err)
	}
	cols := make([]string, len(sch.DBNames))
	for i, name := range sch.DBNames {
		cols[i] = table + "." + name + " AS " + prefix + name
	}
	return strings.Join(cols, ", "), nil
}

// GetClientApplication reads a client and its application in one
// statement.
func (s *Store) GetClientApplication(ctx context.Context, clientID string) (*storage.Client, *storage.Application, error) {
	appCols, err := applicationColumns()
	if err != nil {
		return nil, nil, err
	}
	var row clientApplicationRow
	err = s.db(ctx).Table("clients").Select("clients.*, "+appCols).
		Joins("JOIN applications ON applications.id = clients.application_id").
		Where("clients.id = ?", clientID).Take(&row).Error
	if err != nil {
		return nil, nil, wrapErr(err, "get client %q and its application", clientID)
	}
	c, err := row.Client.toStorage()
	if err != nil {
		return nil, nil, err
	}
	app, err := row.App.toStorage()
	if err != nil {
		return nil, nil, err
	}
	return c, app, nil
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
