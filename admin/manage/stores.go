package manage

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// StoresStore is what the Stores service needs.
type StoresStore interface {
	CoreStore
	CreateIdentityStore(ctx context.Context, s *storage.IdentityStore) error
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	ListIdentityStoresPage(ctx context.Context, after string, limit int) ([]storage.IdentityStore, error)
	UpdateIdentityStore(ctx context.Context, s *storage.IdentityStore, expectedVersion int64) error
	DeleteIdentityStore(ctx context.Context, id string, expectedVersion int64) error
}

// Stores manages identity stores: their names, identifier types and
// attribute schemas. The administrators store is shown to owners only,
// and its identifier types and existence are fixed.
type Stores struct {
	core  *Core
	store StoresStore
	hooks StoreHooks
}

// NewStores returns the service; hooks (at most one set) attach other
// parts of Foyer to a store's creation and deletion (storehooks.go).
func NewStores(core *Core, store StoresStore, hooks ...StoreHooks) *Stores {
	s := &Stores{core: core, store: store}
	if len(hooks) > 0 {
		s.hooks = hooks[0]
	}
	return s
}

// IdentityStore is an identity store as the API, the console and the
// audit log show it.
type IdentityStore struct {
	ID              string                   `json:"id"`
	Name            string                   `json:"name"`
	IdentifierTypes []storage.IdentifierType `json:"identifier_types"`
	Attributes      []storage.AttributeDef   `json:"attributes"`
	// OrganizationAttributes is the organization schema: the company
	// information organizations of the store hold.
	OrganizationAttributes []storage.AttributeDef `json:"organization_attributes"`
	Version                int64                  `json:"version"`
	CreatedAt              time.Time              `json:"created_at"`
	UpdatedAt              time.Time              `json:"updated_at"`
}

func storeView(s *storage.IdentityStore) IdentityStore {
	v := IdentityStore{ID: s.ID, Name: s.Name, IdentifierTypes: s.IdentifierTypes, Attributes: s.Attributes,
		Version: s.Version, CreatedAt: s.CreatedAt, UpdatedAt: s.UpdatedAt}
	if v.IdentifierTypes == nil {
		v.IdentifierTypes = []storage.IdentifierType{}
	}
	if v.Attributes == nil {
		v.Attributes = []storage.AttributeDef{}
	}
	v.OrganizationAttributes = s.OrganizationAttributes
	if v.OrganizationAttributes == nil {
		v.OrganizationAttributes = []storage.AttributeDef{}
	}
	return v
}

// StoreInput is what an administrator submits for a store. ID is read by
// Create only (empty: generated); an update replaces the other fields.
type StoreInput struct {
	ID              string                   `json:"id,omitempty"`
	Name            string                   `json:"name"`
	IdentifierTypes []storage.IdentifierType `json:"identifier_types"`
	Attributes      []storage.AttributeDef   `json:"attributes"`
	// OrganizationAttributes is the organization schema; nil (absent) on
	// an update keeps the stored one, so callers that predate it do not
	// erase it.
	OrganizationAttributes []storage.AttributeDef `json:"organization_attributes,omitempty"`
}

// storeID is a chosen store id: it appears in URLs and configuration.
var storeID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

const maxStoreName = 100

// List returns the stores the actor may read, by id, after the key; more
// says whether another page follows.
func (s *Stores) List(ctx context.Context, a Actor, after string, limit int) (_ []IdentityStore, more bool, _ error) {
	if !a.CanAnyStore(ReadConfig) {
		return nil, false, ErrForbidden
	}
	var out []IdentityStore
	for {
		rows, err := s.store.ListIdentityStoresPage(ctx, after, pageSize(limit))
		if err != nil {
			return nil, false, err
		}
		for i := range rows {
			if canSeeStore(a, rows[i].ID) {
				out = append(out, storeView(&rows[i]))
			}
		}
		if limit <= 0 || len(out) > limit || len(rows) < pageSize(limit) {
			page, more := cut(out, limit)
			return page, more, nil
		}
		after = rows[len(rows)-1].ID
	}
}

// Get returns one store.
func (s *Stores) Get(ctx context.Context, a Actor, id string) (*IdentityStore, error) {
	if err := requireStore(a, ReadConfig, id); err != nil {
		return nil, err
	}
	is, err := s.store.GetIdentityStore(ctx, id)
	if err != nil {
		return nil, err
	}
	v := storeView(is)
	return &v, nil
}

// Create makes a store (action store.created). Stores belong to no store
// yet, so creating one takes WriteConfig on every store.
func (s *Stores) Create(ctx context.Context, a Actor, in StoreInput) (*IdentityStore, error) {
	if err := a.Require(WriteConfig, ""); err != nil {
		return nil, err
	}
	in = cleanStoreInput(in)
	p := Problems{}
	if in.ID != "" && !storeID.MatchString(in.ID) {
		p.Add("id", "use 1 to 63 lower-case letters, digits and '-', starting with a letter or digit")
	}
	if in.ID == storage.AdministratorsStoreID {
		p.Add("id", "is reserved")
	}
	validateStoreInput(p, in)
	if err := p.Err(); err != nil {
		return nil, err
	}
	is := &storage.IdentityStore{ID: in.ID, Name: in.Name, IdentifierTypes: in.IdentifierTypes,
		Attributes: in.Attributes, OrganizationAttributes: in.OrganizationAttributes, CreatedAt: s.core.Now()}
	var v IdentityStore
	err := s.core.Apply(ctx, a, WriteConfig, "", func(ctx context.Context) (Change, error) {
		if err := s.store.CreateIdentityStore(ctx, is); err != nil {
			return Change{}, err
		}
		v = storeView(is)
		created := Change{Action: "store.created", TargetType: "store", TargetID: is.ID, StoreID: is.ID, After: v}
		return Change{}, s.provision(ctx, a, is, created)
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Update replaces a store's name, identifier types and schema if it is
// still at version (action store.renamed when only the name changed,
// store.updated otherwise).
func (s *Stores) Update(ctx context.Context, a Actor, id string, version int64, in StoreInput) (*IdentityStore, error) {
	if err := requireStore(a, WriteConfig, id); err != nil {
		return nil, err
	}
	in = cleanStoreInput(in)
	p := Problems{}
	validateStoreInput(p, in)
	var v IdentityStore
	err := s.core.Apply(ctx, a, WriteConfig, id, func(ctx context.Context) (Change, error) {
		is, err := s.store.GetIdentityStore(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if id == storage.AdministratorsStoreID && !slices.Equal(in.IdentifierTypes, is.IdentifierTypes) {
			p.Add("identifier_types", "the administrators store's identifier types cannot change")
		}
		if err := p.Err(); err != nil {
			return Change{}, err
		}
		before := storeView(is)
		action := "store.updated"
		if in.OrganizationAttributes == nil {
			in.OrganizationAttributes = is.OrganizationAttributes
		}
		if in.Name != is.Name && slices.Equal(in.IdentifierTypes, is.IdentifierTypes) &&
			sameSchema(in.Attributes, is.Attributes) && sameSchema(in.OrganizationAttributes, is.OrganizationAttributes) {
			action = "store.renamed"
		}
		is.Name, is.IdentifierTypes, is.Attributes = in.Name, in.IdentifierTypes, in.Attributes
		is.OrganizationAttributes = in.OrganizationAttributes
		if err := s.store.UpdateIdentityStore(ctx, is, version); err != nil {
			return Change{}, err
		}
		v = storeView(is)
		return Change{Action: action, TargetType: "store", TargetID: id, StoreID: id, Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes an empty store (no accounts, no applications) with its
// groups, roles and organizations if it is still at version (action
// store.deleted). The Deprovision hook first removes what Provision made
// (the store's own portal application), and the store's id leaves every
// admin grant (storehooks.go), in the same transaction. The
// administrators store is never deleted.
func (s *Stores) Delete(ctx context.Context, a Actor, id string, version int64) error {
	if err := requireStore(a, WriteConfig, id); err != nil {
		return err
	}
	if id == storage.AdministratorsStoreID {
		return fmt.Errorf("the administrators store cannot be deleted: %w", ErrForbidden)
	}
	return s.core.Apply(ctx, a, WriteConfig, id, func(ctx context.Context) (Change, error) {
		is, err := s.store.GetIdentityStore(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if err := s.deprovision(ctx, a, is); err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteIdentityStore(ctx, id, version); err != nil {
			return Change{}, err
		}
		deleted := Change{Action: "store.deleted", TargetType: "store", TargetID: id, StoreID: id, Before: storeView(is)}
		if err := s.core.Record(ctx, a, WriteConfig, deleted); err != nil {
			return Change{}, err
		}
		return Change{}, s.pruneGrants(ctx, a, id)
	})
}

func cleanStoreInput(in StoreInput) StoreInput {
	in.ID = strings.TrimSpace(in.ID)
	in.Name = strings.TrimSpace(in.Name)
	for _, defs := range [][]storage.AttributeDef{in.Attributes, in.OrganizationAttributes} {
		for i := range defs {
			defs[i].Name = strings.TrimSpace(defs[i].Name)
			defs[i].Label = strings.TrimSpace(defs[i].Label)
		}
	}
	return in
}

// validateStoreInput checks everything but the id.
func validateStoreInput(p Problems, in StoreInput) {
	checkName(p, "name", in.Name, maxStoreName)
	if len(in.IdentifierTypes) == 0 {
		p.Add("identifier_types", "choose at least one of email, username and phone")
	}
	seen := map[storage.IdentifierType]bool{}
	for i, t := range in.IdentifierTypes {
		switch {
		case t != storage.IdentifierEmail && t != storage.IdentifierUsername && t != storage.IdentifierPhone:
			p.Add(fmt.Sprintf("identifier_types[%d]", i), "is not email, username or phone")
		case seen[t]:
			p.Add(fmt.Sprintf("identifier_types[%d]", i), "is listed twice")
		}
		seen[t] = true
	}
	for field, msg := range storage.ValidateSchema(in.Attributes) {
		p.Add(field, msg)
	}
	// The organization schema follows the same rules; its messages are
	// keyed by its own field name.
	for field, msg := range storage.ValidateSchema(in.OrganizationAttributes) {
		p.Add("organization_"+field, msg)
	}
}

func sameSchema(a, b []storage.AttributeDef) bool {
	return slices.EqualFunc(a, b, func(x, y storage.AttributeDef) bool {
		return x.Name == y.Name && x.Label == y.Label && x.Type == y.Type && x.Required == y.Required &&
			x.Visible == y.Visible && x.Editable == y.Editable && x.AdminVisible == y.AdminVisible &&
			x.AdminEditable == y.AdminEditable && x.MaxLength == y.MaxLength && x.Pattern == y.Pattern &&
			slices.Equal(x.Options, y.Options)
	})
}
