package manage

import (
	"context"
	"time"

	"foyer/storage"
)

// AccountProfilesStore is what the AccountProfiles service needs.
type AccountProfilesStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	UpdateAccountProfileAt(ctx context.Context, a *storage.Account, version int64) error
	ListGroups(ctx context.Context, storeID string) ([]storage.Group, error)
	ListAccountGroups(ctx context.Context, accountID string) ([]storage.Group, error)
	ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error)
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
	ListAuditEntries(ctx context.Context, f storage.AuditFilter) ([]storage.AuditEntry, error)
	ListAccountRoles(ctx context.Context, accountID string) ([]storage.AccountRole, error)
	ListAccountOrganizations(ctx context.Context, accountID string) ([]storage.OrganizationMember, error)
	ListIdentityVerifications(ctx context.Context, accountID string) ([]storage.IdentityVerification, error)
	exportStore
}

// AccountProfiles reads an account's profile for the console's overview
// panel and Attributes and Groups tabs, edits its attributes and builds
// its export. The actions on it are AccountActions'.
type AccountProfiles struct {
	core  *Core
	store AccountProfilesStore
	// device names a user agent's browser and system in exports; nil:
	// unknown.
	device func(userAgent string) (browser, os string)
	// notices tells the customer of an edit (account_notify.go); nil: none.
	notices *CustomerNotices
}

// NewAccountProfiles returns the service; device may be nil.
func NewAccountProfiles(core *Core, store AccountProfilesStore, device func(userAgent string) (browser, os string)) *AccountProfiles {
	return &AccountProfiles{core: core, store: store, device: device}
}

// GroupRef names a group.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ExternalIdentityView is a linked social or enterprise login: the
// upstream provider's id and name (a legacy identity linked by "foyer
// account link" names a provider that is no upstream provider's id; its
// name is that raw value), the upstream's subject and e-mail address,
// and what the upstream said of its last sign-in with it.
type ExternalIdentityView struct {
	Provider     string     `json:"provider"`
	ProviderName string     `json:"provider_name"`
	Subject      string     `json:"subject"`
	Email        string     `json:"email,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	LastUsedAt   *time.Time `json:"last_used_at,omitempty"`
	AMR          []string   `json:"amr,omitempty"`
	ACR          string     `json:"acr,omitempty"`
}

// AttributeField is one attribute of the store's schema the console
// shows, and whether it may change it.
type AttributeField struct {
	Name      string                `json:"name"`
	Label     string                `json:"label"`
	Type      storage.AttributeType `json:"type"`
	Required  bool                  `json:"required"`
	Editable  bool                  `json:"editable"`
	MaxLength int                   `json:"max_length,omitempty"`
	Options   []string              `json:"options,omitempty"`
}

// AccountProfile is an account as the API and the console show it: its
// own fields, the attributes the schema shows in the console, labels,
// groups and linked identities. Version is the account's (the ETag).
type AccountProfile struct {
	ID             string                   `json:"id"`
	StoreID        string                   `json:"store_id"`
	Status         storage.AccountStatus    `json:"status"`
	Labels         []Label                  `json:"labels"`
	Username       string                   `json:"username,omitempty"`
	Email          string                   `json:"email,omitempty"`
	EmailConfirmed bool                     `json:"email_confirmed"`
	Phone          string                   `json:"phone,omitempty"`
	PhoneConfirmed bool                     `json:"phone_confirmed"`
	Language       string                   `json:"language,omitempty"`
	Attributes     map[string]string        `json:"attributes"`
	Fields         []AttributeField         `json:"attribute_fields"`
	Identifiers    []storage.IdentifierType `json:"identifier_types"`
	Groups         []GroupRef               `json:"groups"`
	External       []ExternalIdentityView   `json:"external_identities"`
	CreatedAt      time.Time                `json:"created_at"`
	UpdatedAt      time.Time                `json:"updated_at"`
	LastLoginAt    *time.Time               `json:"last_login_at,omitempty"`
	Version        int64                    `json:"version"`
}

// Get returns the account's profile.
func (s *AccountProfiles) Get(ctx context.Context, a Actor, storeID, id string) (*AccountProfile, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, id)
	if err != nil {
		return nil, err
	}
	return s.profile(ctx, acct)
}

func (s *AccountProfiles) profile(ctx context.Context, acct *storage.Account) (*AccountProfile, error) {
	is, err := s.store.GetIdentityStore(ctx, acct.StoreID)
	if err != nil {
		return nil, err
	}
	groups, err := s.groups(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	links, err := s.store.ListExternalIdentities(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	p := &AccountProfile{ID: acct.ID, StoreID: acct.StoreID, Status: acct.Status, Labels: Labels(acct, len(links) > 0),
		Username: acct.Username, Email: acct.Email, EmailConfirmed: acct.EmailConfirmed, Phone: acct.Phone,
		PhoneConfirmed: acct.PhoneConfirmed, Language: acct.Language, Attributes: map[string]string{},
		Fields: adminFields(is.Attributes), Identifiers: is.IdentifierTypes, Groups: groups,
		External: []ExternalIdentityView{}, CreatedAt: acct.CreatedAt, UpdatedAt: acct.UpdatedAt,
		LastLoginAt: acct.LastLoginAt, Version: acct.Version}
	// Only what the schema shows in the console: a hidden attribute stays
	// out of the view (and of its ETag's reach).
	for _, f := range p.Fields {
		if v, ok := acct.Attributes[f.Name]; ok {
			p.Attributes[f.Name] = v
		}
	}
	if p.External, err = externalViews(ctx, s.store, acct.StoreID, links); err != nil {
		return nil, err
	}
	return p, nil
}

// adminFields are the schema's attributes visible in the console.
func adminFields(schema []storage.AttributeDef) []AttributeField {
	out := []AttributeField{}
	for _, d := range schema {
		if !d.AdminVisible {
			continue
		}
		out = append(out, AttributeField{Name: d.Name, Label: d.LabelOrName(), Type: d.TypeOrDefault(), Required: d.Required,
			Editable: d.AdminEditable, MaxLength: d.MaxLength, Options: d.Options})
	}
	return out
}

// Groups returns the groups the account belongs to, by name.
func (s *AccountProfiles) Groups(ctx context.Context, a Actor, storeID, id string) ([]GroupRef, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, id)
	if err != nil {
		return nil, err
	}
	return s.groups(ctx, acct.ID)
}

// StoreGroups returns every group of the store the account may join, by
// name (the Groups tab's choice).
func (s *AccountProfiles) StoreGroups(ctx context.Context, a Actor, storeID string) ([]GroupRef, error) {
	if storeID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	if err := a.Require(ReadAccounts, storeID); err != nil {
		return nil, err
	}
	gs, err := s.store.ListGroups(ctx, storeID)
	if err != nil {
		return nil, err
	}
	return groupRefs(gs), nil
}

func (s *AccountProfiles) groups(ctx context.Context, accountID string) ([]GroupRef, error) {
	gs, err := s.store.ListAccountGroups(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return groupRefs(gs), nil
}

func groupRefs(gs []storage.Group) []GroupRef {
	out := make([]GroupRef, 0, len(gs))
	for _, g := range gs {
		out = append(out, GroupRef{ID: g.ID, Name: g.Name})
	}
	return out
}
