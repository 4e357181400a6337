package manage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/selfservice/upstream"
	"foyer/storage"
)

// UpstreamsStore is what the Upstreams service needs.
type UpstreamsStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	CreateUpstreamProvider(ctx context.Context, p *storage.UpstreamProvider) error
	GetUpstreamProvider(ctx context.Context, id string) (*storage.UpstreamProvider, error)
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
	UpdateUpstreamProvider(ctx context.Context, p *storage.UpstreamProvider) error
	DeleteUpstreamProvider(ctx context.Context, id string) error
	CountExternalIdentities(ctx context.Context, provider string) (int64, error)
	ListApplications(ctx context.Context) ([]storage.Application, error)
	ListPolicies(ctx context.Context, kind storage.PolicyKind, after string, limit int) ([]storage.Policy, error)
}

// UpstreamSealer seals an upstream provider's secret field bound to the
// provider (cmd/foyer's upstreamSealer; sign-in opens it).
type UpstreamSealer interface {
	SealUpstreamSecret(providerID, field string, plain []byte) ([]byte, error)
}

// Upstreams configures the upstream identity providers (social and
// enterprise sign-in) of identity stores, for the console, the API and
// the CLI. Secrets go in and are sealed; they never come out.
type Upstreams struct {
	core   *Core
	store  UpstreamsStore
	sealer UpstreamSealer
	issuer string
}

// NewUpstreams returns the service; issuer is Foyer's own public URL, the
// base of the redirect URI each provider is registered with.
func NewUpstreams(core *Core, store UpstreamsStore, sealer UpstreamSealer, issuer string) *Upstreams {
	return &Upstreams{core: core, store: store, sealer: sealer, issuer: strings.TrimRight(issuer, "/")}
}

// Upstream is a provider as the API, the console and the audit log show
// it: whether a secret is set, never the secret.
type Upstream struct {
	ID              string            `json:"id"`
	StoreID         string            `json:"store_id"`
	Name            string            `json:"name"`
	Preset          string            `json:"preset"`
	Kind            string            `json:"kind"`
	Issuer          string            `json:"issuer"`
	AuthURL         string            `json:"auth_url"`
	TokenURL        string            `json:"token_url"`
	UserInfoURL     string            `json:"userinfo_url"`
	ClientID        string            `json:"client_id"`
	ClientSecretSet bool              `json:"client_secret_set"`
	TeamID          string            `json:"team_id"`
	KeyID           string            `json:"key_id"`
	PrivateKeySet   bool              `json:"private_key_set"`
	Scopes          []string          `json:"scopes"`
	ClaimMapping    map[string]string `json:"claim_mapping"`
	Enabled         bool              `json:"enabled"`
	Version         int64             `json:"version"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	// Identities counts the accounts' identities linked through it.
	Identities int64 `json:"identities"`
	// RedirectURI is what the operator registers at the upstream.
	RedirectURI string `json:"redirect_uri"`
}

// RedirectURI is the callback a provider's upstream sends the browser
// back to (selfservice's route).
func (s *Upstreams) RedirectURI(providerID string) string {
	return s.issuer + "/login/external/" + providerID + "/callback"
}

func (s *Upstreams) view(ctx context.Context, p *storage.UpstreamProvider) (Upstream, error) {
	n, err := s.store.CountExternalIdentities(ctx, p.ID)
	if err != nil {
		return Upstream{}, err
	}
	scopes, mapping := p.Scopes, p.ClaimMapping
	if scopes == nil {
		scopes = []string{}
	}
	if mapping == nil {
		mapping = map[string]string{}
	}
	return Upstream{ID: p.ID, StoreID: p.StoreID, Name: p.Name, Preset: p.Preset, Kind: p.Kind, Issuer: p.Issuer,
		AuthURL: p.AuthURL, TokenURL: p.TokenURL, UserInfoURL: p.UserInfoURL, ClientID: p.ClientID,
		ClientSecretSet: len(p.ClientSecretSealed) > 0, TeamID: p.TeamID, KeyID: p.KeyID,
		PrivateKeySet: len(p.PrivateKeySealed) > 0, Scopes: scopes, ClaimMapping: mapping, Enabled: p.Enabled,
		Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, Identities: n, RedirectURI: s.RedirectURI(p.ID)}, nil
}

// List returns the store's providers by name.
func (s *Upstreams) List(ctx context.Context, a Actor, storeID string) ([]Upstream, error) {
	if err := requireExistingStore(ctx, s.store, a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListUpstreamProviders(ctx, storeID)
	if err != nil {
		return nil, err
	}
	out := make([]Upstream, len(rows))
	for i := range rows {
		if out[i], err = s.view(ctx, &rows[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ListBy returns a page of the store's providers (listing.go).
func (s *Upstreams) ListBy(ctx context.Context, a Actor, storeID string, o ListOptions) (Page[Upstream], error) {
	all, err := s.List(ctx, a, storeID)
	if err != nil {
		return Page[Upstream]{}, err
	}
	return listPage(all, func(v Upstream) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// provider reads one and checks the actor may do perm in its store; one
// of another store than storeID ("" any), or of a store the actor may not
// see, is ErrNotFound.
func (s *Upstreams) provider(ctx context.Context, a Actor, perm Permission, storeID, id string) (*storage.UpstreamProvider, error) {
	p, err := s.store.GetUpstreamProvider(ctx, id)
	if err != nil {
		return nil, err
	}
	if (storeID != "" && p.StoreID != storeID) || !canSeeStore(a, p.StoreID) {
		return nil, fmt.Errorf("identity provider %q: %w", id, ErrNotFound)
	}
	if err := a.Require(perm, p.StoreID); err != nil {
		return nil, err
	}
	return p, nil
}

// Get returns one provider of the store (storeID "": of any store the
// actor may read, as the CLI names it by id alone).
func (s *Upstreams) Get(ctx context.Context, a Actor, storeID, id string) (*Upstream, error) {
	p, err := s.provider(ctx, a, ReadConfig, storeID, id)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, p)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// attributeNames are the names of the store's attribute schema, the
// claim mapping's other targets.
func (s *Upstreams) attributeNames(ctx context.Context, storeID string) ([]string, error) {
	is, err := s.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, fmt.Errorf("identity store %q: %w", storeID, err)
	}
	names := make([]string, len(is.Attributes))
	for i, d := range is.Attributes {
		names[i] = d.Name
	}
	return names, nil
}

// newUpstreamID is 16 random bytes in hex, as storage makes ids: made here
// because the secrets are sealed bound to it before the row exists.
func newUpstreamID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// Create adds a provider to the store (action upstream.created); a name
// the store uses already (in any case) is ErrConflict.
func (s *Upstreams) Create(ctx context.Context, a Actor, storeID string, in UpstreamInput) (*Upstream, error) {
	if err := requireExistingStore(ctx, s.store, a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	if storeID == storage.AdministratorsStoreID {
		// Administrators sign in as the administrators service made them
		// (password or passkey and a second factor); an upstream would be
		// a way into the console that service knows nothing of.
		return nil, Problems{"store_id": "the administrators store has no identity providers"}.Err()
	}
	in = in.normalize()
	attrs, err := s.attributeNames(ctx, storeID)
	if err != nil {
		return nil, err
	}
	if err := validateUpstream(in, attrs, false); err != nil {
		return nil, err
	}
	p := &storage.UpstreamProvider{ID: newUpstreamID(), StoreID: storeID, Enabled: in.Enabled == nil || *in.Enabled}
	if err := s.apply(p, in); err != nil {
		return nil, err
	}
	var v Upstream
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateUpstreamProvider(ctx, p); err != nil {
			return Change{}, conflictAs(fmt.Errorf("create identity provider %q: %w", in.Name, err),
				"an identity provider with this name exists in the store")
		}
		if v, err = s.view(ctx, p); err != nil {
			return Change{}, err
		}
		return Change{Action: "upstream.created", TargetType: "upstream", TargetID: p.ID, StoreID: storeID, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// apply copies the normalized input onto p, sealing the secrets given
// (bound to p.ID) and dropping those the provider no longer uses.
func (s *Upstreams) apply(p *storage.UpstreamProvider, in UpstreamInput) error {
	p.Name, p.Preset, p.Kind, p.Issuer = in.Name, in.Preset, in.Kind, in.Issuer
	p.AuthURL, p.TokenURL, p.UserInfoURL, p.ClientID = in.AuthURL, in.TokenURL, in.UserInfoURL, in.ClientID
	p.TeamID, p.KeyID, p.Scopes, p.ClaimMapping = in.TeamID, in.KeyID, in.Scopes, in.ClaimMapping
	if in.Enabled != nil {
		p.Enabled = *in.Enabled
	}
	need := needsOf(in.Kind, in.Preset)
	if !need.clientSecret {
		p.ClientSecretSealed = nil
	}
	if !need.appleKey {
		p.PrivateKeySealed = nil
	}
	for _, f := range []struct {
		field, plain string
		to           *[]byte
	}{{upstream.FieldClientSecret, in.ClientSecret, &p.ClientSecretSealed}, {upstream.FieldPrivateKey, strings.TrimSpace(in.PrivateKey), &p.PrivateKeySealed}} {
		if f.plain == "" {
			continue
		}
		if s.sealer == nil {
			return errors.New("manage: no sealer for identity provider secrets")
		}
		sealed, err := s.sealer.SealUpstreamSecret(p.ID, f.field, []byte(f.plain))
		if err != nil {
			return fmt.Errorf("manage: seal identity provider %s: %w", f.field, err)
		}
		*f.to = sealed
	}
	return nil
}

// Update replaces the provider's settings if it is still at version
// (action upstream.updated); empty secrets keep the stored ones.
func (s *Upstreams) Update(ctx context.Context, a Actor, storeID, id string, version int64, in UpstreamInput) (*Upstream, error) {
	cur, err := s.provider(ctx, a, WriteConfig, storeID, id)
	if err != nil {
		return nil, err
	}
	in = in.normalize()
	attrs, err := s.attributeNames(ctx, cur.StoreID)
	if err != nil {
		return nil, err
	}
	if err := validateUpstream(in, attrs, len(cur.PrivateKeySealed) > 0); err != nil {
		return nil, err
	}
	var v Upstream
	err = s.core.Apply(ctx, a, WriteConfig, cur.StoreID, func(ctx context.Context) (Change, error) {
		p, err := s.store.GetUpstreamProvider(ctx, id)
		if err != nil {
			return Change{}, err
		}
		before, err := s.view(ctx, p)
		if err != nil {
			return Change{}, err
		}
		if err := secretsStayWithEndpoints(p, in); err != nil {
			return Change{}, err
		}
		if err := s.apply(p, in); err != nil {
			return Change{}, err
		}
		p.Version = version
		if err := s.store.UpdateUpstreamProvider(ctx, p); err != nil {
			return Change{}, conflictAs(err, "another identity provider of the store has this name")
		}
		if v, err = s.view(ctx, p); err != nil {
			return Change{}, err
		}
		return Change{Action: "upstream.updated", TargetType: "upstream", TargetID: id, StoreID: p.StoreID, Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// secretsStayWithEndpoints refuses an update that keeps a stored secret
// (left empty: "keep it") while changing where Foyer sends it: the
// issuer, whose discovery names the token endpoint, or the token URL,
// also through a changed preset or kind. Otherwise anyone allowed to edit
// the provider, who is never shown its secret, could point the token
// endpoint at a server of theirs and have the next sign-in deliver the
// client secret (or, for Apple, a client assertion signed with the key)
// there. Whoever moves the endpoint enters the secret again.
func secretsStayWithEndpoints(cur *storage.UpstreamProvider, in UpstreamInput) error {
	was := upstream.EffectiveProvider(cur)
	now := upstream.EffectiveProvider(&storage.UpstreamProvider{Kind: in.Kind, Preset: in.Preset,
		Issuer: in.Issuer, TokenURL: in.TokenURL})
	if was.Issuer == now.Issuer && was.TokenURL == now.TokenURL {
		return nil
	}
	const why = "enter it again: the issuer or token URL changed, and a stored secret is only sent where it was entered for"
	p := Problems{}
	need := needsOf(in.Kind, in.Preset)
	if need.clientSecret && in.ClientSecret == "" && len(cur.ClientSecretSealed) > 0 {
		p.Add("client_secret", why)
	}
	if need.appleKey && in.PrivateKey == "" && len(cur.PrivateKeySealed) > 0 {
		p.Add("private_key", why)
	}
	return p.Err()
}

// Delete removes the provider if it is still at version (0: any; action
// upstream.deleted). While accounts have identities of it, it is a
// Conflict saying how many and that disabling it is the alternative.
func (s *Upstreams) Delete(ctx context.Context, a Actor, storeID, id string, version int64) error {
	cur, err := s.provider(ctx, a, WriteConfig, storeID, id)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, cur.StoreID, func(ctx context.Context) (Change, error) {
		p, err := s.store.GetUpstreamProvider(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if version != 0 && p.Version != version {
			return Change{}, fmt.Errorf("identity provider %q is at version %d: %w", id, p.Version, ErrStale)
		}
		before, err := s.view(ctx, p)
		if err != nil {
			return Change{}, err
		}
		if offeredBy, err := s.offeredBy(ctx, id); err != nil || len(offeredBy) > 0 {
			if err != nil {
				return Change{}, err
			}
			return Change{}, Conflict("the self-service policies of " + strings.Join(offeredBy, ", ") +
				" offer this identity provider: take it out of them first (or disable it).")
		}
		err = s.store.DeleteUpstreamProvider(ctx, id)
		if errors.Is(err, ErrConflict) {
			return Change{}, Conflict(linkedDetail(before.Identities))
		}
		if err != nil {
			return Change{}, err
		}
		return Change{Action: "upstream.deleted", TargetType: "upstream", TargetID: id, StoreID: p.StoreID, Before: before}, nil
	})
}

// offeredBy names the applications and named self-service policies that
// offer the provider: deleting it under them would leave a policy that
// names a provider that no longer exists.
func (s *Upstreams) offeredBy(ctx context.Context, id string) ([]string, error) {
	var names []string
	apps, err := s.store.ListApplications(ctx)
	if err != nil {
		return nil, err
	}
	for _, app := range apps {
		if slices.Contains(app.SelfService.External.Providers, id) {
			names = append(names, fmt.Sprintf("application %q", app.Name))
		}
	}
	for after := ""; ; {
		page, err := s.store.ListPolicies(ctx, storage.PolicySelfService, after, 100)
		if err != nil {
			return nil, err
		}
		for _, p := range page {
			if slices.Contains(p.SelfService.External.Providers, id) {
				names = append(names, fmt.Sprintf("policy %q", p.Name))
			}
		}
		if len(page) < 100 {
			return names, nil
		}
		after = page[len(page)-1].ID
	}
}

func linkedDetail(n int64) string {
	accounts := fmt.Sprintf("%d accounts sign in", n)
	if n == 1 {
		accounts = "1 account signs in"
	}
	return accounts + " with this identity provider, so it cannot be deleted: disable it instead " +
		"(their identities stay linked), or remove their identities first."
}
