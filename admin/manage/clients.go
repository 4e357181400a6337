package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"foyer/storage"
)

// MaxSecretOverlap bounds how long a rotated-out client secret keeps
// working.
const MaxSecretOverlap = 7 * 24 * time.Hour

// ClientInput is a client as an administrator describes it, in RFC 7591's
// field names. An update replaces every field, so an omitted one takes
// its default.
type ClientInput struct {
	// ApplicationID defaults to the default application.
	ApplicationID          string   `json:"application_id"`
	ClientName             string   `json:"client_name"`
	RedirectURIs           []string `json:"redirect_uris"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
	// GrantTypes default to authorization_code and refresh_token.
	GrantTypes []string `json:"grant_types"`
	// Scope is space-separated; empty means the default scopes.
	Scope string `json:"scope"`
	// TokenEndpointAuthMethod is client_secret_basic (the default) or
	// client_secret_post for confidential clients, none for public ones.
	TokenEndpointAuthMethod string `json:"token_endpoint_auth_method"`
	FirstParty              bool   `json:"first_party"`
	// ResourceServer lets the client introspect the tokens of other clients
	// of its identity store.
	ResourceServer                   bool   `json:"resource_server"`
	Public                           bool   `json:"public"`
	InitiateLoginURI                 string `json:"initiate_login_uri"`
	BackchannelLogoutURI             string `json:"backchannel_logout_uri"`
	BackchannelLogoutSessionRequired bool   `json:"backchannel_logout_session_required"`
	// Base is what the ClientRegistry starts a new client from, for the
	// metadata the API does not show (the CLI's flags); nil for the API.
	Base any `json:"-"`
}

// Client is a registered client as the API, the console and the audit
// log show it.
type Client struct {
	ClientID string `json:"client_id"`
	// ClientSecret is set only in the answer to a create or a rotation,
	// once; only its digest is stored.
	ClientSecret string `json:"client_secret,omitempty"`
	// ClientSecretExpiresAt is 0 (never) whenever a secret is issued, as
	// RFC 7591 requires.
	ClientSecretExpiresAt *int64 `json:"client_secret_expires_at,omitempty"`
	ClientInput
	// PreviousSecretExpiresAt is when the secret a rotation replaced stops
	// working; absent when none does.
	PreviousSecretExpiresAt *time.Time `json:"previous_secret_expires_at,omitempty"`
	Version                 int64      `json:"version"`
	CreatedAt               time.Time  `json:"created_at"`
	UpdatedAt               time.Time  `json:"updated_at"`
}

// ClientRegistry is authz's validation and secret generation (wired in
// cmd/foyer, so that this package does not depend on the OAuth server).
// Bad input is a *ValidationError naming the ClientInput's fields.
type ClientRegistry interface {
	// NewClient returns a client to store for in and its secret ("" when
	// it has none); ApplicationID is set.
	NewClient(in ClientInput) (*storage.Client, string, error)
	// Replace returns c with in's fields applied, validated; c is not
	// changed.
	Replace(c *storage.Client, in ClientInput) (*storage.Client, error)
	// NewSecret returns a fresh secret and its stored digest.
	NewSecret() (secret string, digest []byte, err error)
	// View is the client as the API shows it.
	View(c *storage.Client) Client
}

// ClientsStore is what Clients needs from storage.
type ClientsStore interface {
	storage.Clients
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
}

// Clients manages OAuth clients. A client belongs to the identity store
// of its application: reading it needs ReadConfig there, changing it
// WriteConfig, and for the administrators store's clients the owner role
// (requireStore). A client of a store the actor cannot read is
// ErrNotFound. The console's client (ConsoleClientID) cannot be changed,
// rotated or deleted through the service at all.
type Clients struct {
	core     *Core
	store    ClientsStore
	registry ClientRegistry
}

// NewClients returns the service.
func NewClients(core *Core, store ClientsStore, registry ClientRegistry) *Clients {
	return &Clients{core: core, store: store, registry: registry}
}

// storeOf is the identity store of the client's application.
func (s *Clients) storeOf(ctx context.Context, applicationID string) (string, error) {
	app, err := s.store.GetApplication(ctx, applicationID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", &ValidationError{Fields: map[string]string{"application_id": fmt.Sprintf("there is no application %q", applicationID)}}
	}
	if err != nil {
		return "", fmt.Errorf("application of client: %w", err)
	}
	return app.StoreID, nil
}

// visible reads the client and its store, or ErrNotFound when the actor
// may not see it.
func (s *Clients) visible(ctx context.Context, a Actor, id string) (*storage.Client, string, error) {
	c, err := s.store.GetClient(ctx, id)
	if err != nil {
		return nil, "", fmt.Errorf("get client: %w", err)
	}
	storeID, err := s.storeOf(ctx, c.ApplicationID)
	if err != nil {
		return nil, "", err
	}
	if requireStore(a, ReadConfig, storeID) != nil {
		return nil, "", ErrNotFound
	}
	return c, storeID, nil
}

// Get returns one client.
func (s *Clients) Get(ctx context.Context, a Actor, id string) (*Client, error) {
	c, _, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v := s.registry.View(c)
	return &v, nil
}

// List returns up to limit clients the actor may see with ids above
// after, by id; more says whether there are further ones.
func (s *Clients) List(ctx context.Context, a Actor, after string, limit int) (page []Client, more bool, err error) {
	if !a.CanAnyStore(ReadConfig) {
		return nil, false, ErrForbidden
	}
	stores := map[string]string{} // application → store, for this call
	for {
		batch, err := s.store.ListClientsPage(ctx, after, limit+1)
		if err != nil {
			return nil, false, fmt.Errorf("list clients: %w", err)
		}
		for i := range batch {
			c := &batch[i]
			storeID, ok := stores[c.ApplicationID]
			if !ok {
				if storeID, err = s.storeOf(ctx, c.ApplicationID); err != nil {
					return nil, false, err
				}
				stores[c.ApplicationID] = storeID
			}
			if requireStore(a, ReadConfig, storeID) != nil {
				continue
			}
			if len(page) == limit {
				return page, true, nil
			}
			page = append(page, s.registry.View(c))
		}
		if len(batch) <= limit {
			return page, false, nil
		}
		after = batch[len(batch)-1].ID
	}
}

// Create registers a client and returns it with its secret, if it has
// one, shown this once.
func (s *Clients) Create(ctx context.Context, a Actor, in ClientInput) (*Client, error) {
	c, secret, err := s.registry.NewClient(in)
	if err != nil {
		return nil, err
	}
	storeID, err := s.storeOf(ctx, c.ApplicationID)
	if err != nil {
		return nil, err
	}
	if err := requireClientTarget(a, storeID); err != nil {
		return nil, err
	}
	var out Client
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateClient(ctx, c); err != nil {
			return Change{}, fmt.Errorf("create client: %w", err)
		}
		out = s.registry.View(c)
		return Change{Action: "client.created", TargetType: "client", TargetID: c.ID, StoreID: storeID, After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	withSecret(&out, secret)
	return &out, nil
}

func withSecret(v *Client, secret string) {
	if secret != "" {
		never := int64(0)
		v.ClientSecret, v.ClientSecretExpiresAt = secret, &never
	}
}

// Update replaces the client's metadata if version is still its version
// (else ErrStale); its id and secret stay. Moving it to an application of
// another store needs WriteConfig on both and is audited in both: a
// "client.moved_out" entry of the old store, then "client.updated" of the
// new one.
func (s *Clients) Update(ctx context.Context, a Actor, id string, version int64, in ClientInput) (*Client, error) {
	c, storeID, err := s.current(ctx, a, id, version)
	if err != nil {
		return nil, err
	}
	updated, err := s.registry.Replace(c, in)
	if err != nil {
		return nil, err
	}
	newStore, err := s.storeOf(ctx, updated.ApplicationID)
	if err != nil {
		return nil, err
	}
	if err := requireClientTarget(a, newStore); err != nil {
		return nil, err
	}
	var out Client
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.UpdateClient(ctx, updated); err != nil {
			return Change{}, fmt.Errorf("update client: %w", err)
		}
		out = s.registry.View(updated)
		if newStore != storeID {
			// The main entry is the new store's; the old store's auditors
			// see the client leave.
			err := s.core.Record(ctx, a, WriteConfig, Change{Action: "client.moved_out", TargetType: "client", TargetID: id,
				StoreID: storeID, Before: s.registry.View(c), After: out})
			if err != nil {
				return Change{}, err
			}
		}
		return Change{Action: "client.updated", TargetType: "client", TargetID: id, StoreID: newStore,
			Before: s.registry.View(c), After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// current reads the client for a change: ErrNotFound when the actor may
// not see it, ErrStale when version (non-zero) is not its version, else
// what mayChange says.
func (s *Clients) current(ctx context.Context, a Actor, id string, version int64) (*storage.Client, string, error) {
	c, storeID, err := s.visible(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	if version != 0 && c.Version != version {
		return nil, "", ErrStale
	}
	if err := s.mayChange(ctx, a, c, storeID); err != nil {
		return nil, "", err
	}
	return c, storeID, nil
}

// deletedClient is a deleted client as its audit entry shows it, with the
// admin grants that went with it.
type deletedClient struct {
	Client
	AdminGrants []Grant `json:"admin_grants,omitempty"`
}

// Delete removes the client, every token issued to it and its admin
// grants, if version is still its version.
func (s *Clients) Delete(ctx context.Context, a Actor, id string, version int64) error {
	c, storeID, err := s.current(ctx, a, id, version)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		// Re-checked in the transaction: a change since the read wins.
		now, err := s.store.GetClient(ctx, id)
		if err != nil {
			return Change{}, fmt.Errorf("delete client: %w", err)
		}
		if now.Version != c.Version {
			return Change{}, ErrStale
		}
		roles, err := s.roles(ctx, id)
		if err != nil {
			return Change{}, err
		}
		// Its grants go with it: a later client given the same id must not
		// inherit them.
		if _, err := s.core.store.DeleteAdminGrantsOf(ctx, storage.PrincipalClient, id); err != nil {
			return Change{}, fmt.Errorf("delete client: %w", err)
		}
		if err := s.store.DeleteClient(ctx, id); err != nil {
			return Change{}, fmt.Errorf("delete client: %w", err)
		}
		before := deletedClient{Client: s.registry.View(c)}
		if len(roles.Grants) > 0 {
			before.AdminGrants = roles.Grants
		}
		return Change{Action: "client.deleted", TargetType: "client", TargetID: id, StoreID: storeID, Before: before}, nil
	})
}

// RotateSecret gives the client a new secret, returned this once. With an
// overlap (0 to MaxSecretOverlap) the previous secret keeps working at
// the token endpoint until it ends; without, it stops at once. version 0
// skips the If-Match check. A client without a secret is ErrConflict.
func (s *Clients) RotateSecret(ctx context.Context, a Actor, id string, version int64, overlap time.Duration) (*Client, error) {
	if overlap < 0 || overlap > MaxSecretOverlap {
		return nil, &ValidationError{Fields: map[string]string{
			"overlap_seconds": fmt.Sprintf("must be between 0 and %d", int64(MaxSecretOverlap/time.Second))}}
	}
	c, storeID, err := s.current(ctx, a, id, version)
	if err != nil {
		return nil, err
	}
	if len(c.SecretHash) == 0 {
		return nil, Conflict("the client has no secret to rotate (public or private_key_jwt)")
	}
	secret, digest, err := s.registry.NewSecret()
	if err != nil {
		return nil, err
	}
	rotated := *c
	rotated.SecretHash, rotated.PreviousSecretHash, rotated.PreviousSecretExpiresAt = digest, nil, nil
	if overlap > 0 {
		until := s.core.Now().Add(overlap)
		rotated.PreviousSecretHash, rotated.PreviousSecretExpiresAt = slices.Clone(c.SecretHash), &until
	}
	var out Client
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.UpdateClient(ctx, &rotated); err != nil {
			return Change{}, fmt.Errorf("rotate client secret: %w", err)
		}
		out = s.registry.View(&rotated)
		return Change{Action: "client.secret_rotated", TargetType: "client", TargetID: id, StoreID: storeID,
			Before: s.registry.View(c), After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	withSecret(&out, secret)
	return &out, nil
}
