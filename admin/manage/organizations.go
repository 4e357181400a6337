package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"foyer/storage"
)

// OrganizationsStore is what the Organizations service needs.
type OrganizationsStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	CreateOrganization(ctx context.Context, o *storage.Organization) error
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	ListOrganizations(ctx context.Context, storeID, after string, limit int) ([]storage.Organization, error)
	UpdateOrganization(ctx context.Context, o *storage.Organization, expectedVersion int64) error
	DeleteOrganization(ctx context.Context, storeID, id string, expectedVersion int64) error
	DeletePartnerCode(ctx context.Context, storeID, organizationID string) error
}

// Organizations manages the organizations of an identity store.
type Organizations struct {
	core  *Core
	store OrganizationsStore
}

// NewOrganizations returns the service.
func NewOrganizations(core *Core, store OrganizationsStore) *Organizations {
	return &Organizations{core: core, store: store}
}

// Organization is an organization as the API, the console and the audit
// log show it.
type Organization struct {
	ID      string   `json:"id"`
	StoreID string   `json:"store_id"`
	Name    string   `json:"name"`
	Partner bool     `json:"partner"`
	Domains []string `json:"domains"`
	// Attributes is the company information (the store's organization
	// schema).
	Attributes map[string]string `json:"attributes"`
	OrganizationBrandingInput
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SortKey is the key Organizations.List pages by.
func (o Organization) SortKey() string { return strings.ToLower(o.Name) }

func organizationView(o *storage.Organization) Organization {
	v := Organization{ID: o.ID, StoreID: o.StoreID, Name: o.Name, Partner: o.Partner, Domains: o.Domains,
		Version: o.Version, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
		OrganizationBrandingInput: OrganizationBrandingInput{DisplayName: o.DisplayName, LogoURL: o.LogoURL, PrimaryColor: o.PrimaryColor}}
	if v.Domains == nil {
		v.Domains = []string{}
	}
	v.Attributes = o.Attributes
	if v.Attributes == nil {
		v.Attributes = map[string]string{}
	}
	return v
}

// OrganizationInput is what an administrator submits for an organization.
type OrganizationInput struct {
	Name    string   `json:"name"`
	Partner bool     `json:"partner"`
	Domains []string `json:"domains"`
	// Attributes are checked against the store's organization schema; nil
	// (absent) on an update keeps the stored ones unjudged.
	Attributes map[string]string `json:"attributes,omitempty"`
	// The branding is replaced like the other fields: absent is empty.
	OrganizationBrandingInput
}

const (
	maxDomains = 100
)

// validateOrganization cleans the input (domains trimmed and lower-cased)
// and checks all of it.
func validateOrganization(in OrganizationInput) (OrganizationInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	p := Problems{}
	checkName(p, "name", in.Name, storage.MaxOrganizationName)
	if len(in.Domains) > maxDomains {
		p.Add("domains", fmt.Sprintf("at most %d domains", maxDomains))
	}
	seen := map[string]bool{}
	domains := make([]string, 0, len(in.Domains))
	for i, d := range in.Domains {
		d = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
		field := fmt.Sprintf("domains[%d]", i)
		switch {
		case !ValidDomain(d):
			p.Add(field, "is not a domain name like example.com")
		case seen[d]:
			p.Add(field, "is listed twice")
		}
		seen[d] = true
		domains = append(domains, d)
	}
	in.Domains = domains
	in.OrganizationBrandingInput = checkOrganizationBranding(p, in.OrganizationBrandingInput)
	return in, p.Err()
}

// ValidDomain reports whether d is a lower-case DNS name of at least two
// labels (letters, digits and inner hyphens, 1 to 63 each), at most 253
// characters: what an e-mail address's domain can be.
func ValidDomain(d string) bool {
	if len(d) > 253 {
		return false
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return false
			}
		}
	}
	return true
}

// List returns the store's organizations by lower-cased name
// (Organization.SortKey), after the key.
func (s *Organizations) List(ctx context.Context, a Actor, storeID, after string, limit int) (_ []Organization, more bool, _ error) {
	if err := requireExistingStore(ctx, s.store, a, ReadConfig, storeID); err != nil {
		return nil, false, err
	}
	rows, err := s.store.ListOrganizations(ctx, storeID, after, pageSize(limit))
	if err != nil {
		return nil, false, err
	}
	rows, more = cut(rows, limit)
	out := make([]Organization, len(rows))
	for i := range rows {
		out[i] = organizationView(&rows[i])
	}
	return out, more, nil
}

// Get returns one organization of the store.
func (s *Organizations) Get(ctx context.Context, a Actor, storeID, id string) (*Organization, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	o, err := s.store.GetOrganization(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	v := organizationView(o)
	return &v, nil
}

// Create makes an organization (action organization.created); a name or
// domain taken in the store is ErrConflict.
func (s *Organizations) Create(ctx context.Context, a Actor, storeID string, in OrganizationInput) (*Organization, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateOrganization(in)
	if err != nil {
		return nil, err
	}
	o := &storage.Organization{StoreID: storeID, Name: in.Name, Partner: in.Partner, Domains: in.Domains, CreatedAt: s.core.Now()}
	in.applyBranding(o)
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		attrs, err := s.companyInfo(ctx, storeID, in.Attributes)
		if err != nil {
			return Change{}, err
		}
		o.Attributes = attrs
		if err := s.store.CreateOrganization(ctx, o); err != nil {
			return Change{}, conflictAs(err, "an organization with this name or one of these domains exists in the store")
		}
		return Change{Action: "organization.created", TargetType: "organization", TargetID: o.ID, StoreID: storeID,
			After: organizationView(o)}, nil
	})
	if err != nil {
		return nil, err
	}
	v := organizationView(o)
	return &v, nil
}

// Update replaces an organization's name, partner flag, domains, branding
// and (when given) company information if it
// is still at version (action organization.updated).
func (s *Organizations) Update(ctx context.Context, a Actor, storeID, id string, version int64, in OrganizationInput) (*Organization, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateOrganization(in)
	if err != nil {
		return nil, err
	}
	var v Organization
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		o, err := s.store.GetOrganization(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		before := organizationView(o)
		o.Name, o.Partner, o.Domains = in.Name, in.Partner, in.Domains
		in.applyBranding(o)
		if in.Attributes != nil {
			if o.Attributes, err = s.companyInfo(ctx, storeID, in.Attributes); err != nil {
				return Change{}, err
			}
		}
		if err := s.store.UpdateOrganization(ctx, o, version); err != nil {
			return Change{}, conflictAs(err, "another organization of the store has this name or one of these domains")
		}
		if before.Partner && !o.Partner {
			if err := s.dropPartnerCode(ctx, a, o); err != nil {
				return Change{}, err
			}
		}
		v = organizationView(o)
		return Change{Action: "organization.updated", TargetType: "organization", TargetID: id, StoreID: storeID,
			Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes an organization if it is still at version (action
// organization.deleted); its domains are free again.
func (s *Organizations) Delete(ctx context.Context, a Actor, storeID, id string, version int64) error {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		o, err := s.store.GetOrganization(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteOrganization(ctx, storeID, id, version); err != nil {
			return Change{}, conflictAs(err, "the organization is still in use")
		}
		return Change{Action: "organization.deleted", TargetType: "organization", TargetID: id, StoreID: storeID,
			Before: organizationView(o)}, nil
	})
}

// companyInfo cleans posted company information and checks it against
// the store's organization schema, as self-service checks account
// attributes; empty values are dropped (an optional attribute left blank).
func (s *Organizations) companyInfo(ctx context.Context, storeID string, posted map[string]string) (map[string]string, error) {
	is, err := s.store.GetIdentityStore(ctx, storeID)
	if err != nil {
		return nil, err
	}
	values := map[string]string{}
	for name, v := range posted {
		if v = cleanAttribute(is.OrganizationAttributes, name, v); v != "" {
			values[name] = v
		}
	}
	p := Problems{}
	for name, msg := range storage.CheckAttributes(is.OrganizationAttributes, values) {
		p.Add("attributes."+name, msg)
	}
	return values, p.Err()
}

// dropPartnerCode deletes the code of an organization that is no longer a
// partner's: registration must not join anyone to it as a partner.
func (s *Organizations) dropPartnerCode(ctx context.Context, a Actor, o *storage.Organization) error {
	err := s.store.DeletePartnerCode(ctx, o.StoreID, o.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.core.Record(ctx, a, WriteConfig, Change{Action: "organization.partner_code_deleted", TargetType: "organization",
		TargetID: o.ID, StoreID: o.StoreID, Before: map[string]any{"reason": "no longer a partner organization"}})
}
