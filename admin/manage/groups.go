package manage

import (
	"context"
	"strings"
	"time"

	"foyer/storage"
)

// GroupsStore is what the Groups service needs.
type GroupsStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	CreateGroup(ctx context.Context, g *storage.Group) error
	GetGroup(ctx context.Context, storeID, id string) (*storage.Group, error)
	GetGroupByName(ctx context.Context, storeID, name string) (*storage.Group, error)
	ListGroupsPage(ctx context.Context, storeID, after string, limit int) ([]storage.Group, error)
	RenameGroup(ctx context.Context, g *storage.Group, expectedVersion int64) error
	DeleteGroup(ctx context.Context, storeID, id string, expectedVersion int64) error
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	AddGroupMember(ctx context.Context, groupID, accountID string) error
	RemoveGroupMember(ctx context.Context, groupID, accountID string) error
}

// Groups manages the groups of an identity store and their members.
type Groups struct {
	core  *Core
	store GroupsStore
}

// NewGroups returns the service.
func NewGroups(core *Core, store GroupsStore) *Groups { return &Groups{core: core, store: store} }

// Group is a group as the API, the console and the audit log show it.
type Group struct {
	ID        string    `json:"id"`
	StoreID   string    `json:"store_id"`
	Name      string    `json:"name"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func groupView(g *storage.Group) Group {
	return Group{ID: g.ID, StoreID: g.StoreID, Name: g.Name, Version: g.Version, CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
}

// GroupInput is what an administrator submits for a group.
type GroupInput struct {
	Name string `json:"name"`
}

// GroupName is what a group may be called: portal restrictions and the
// CLI name groups, so names stay plain.
var GroupName = storage.GroupNamePattern // one rule, shared with portal policies

func validateGroup(in GroupInput) (GroupInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	p := Problems{}
	if !GroupName.MatchString(in.Name) {
		p.Add("name", "use 1 to 64 letters, digits, '_', '.' and '-', starting with a letter or digit")
	}
	return in, p.Err()
}

// List returns the store's groups by name, after the key.
func (s *Groups) List(ctx context.Context, a Actor, storeID, after string, limit int) (_ []Group, more bool, _ error) {
	if err := requireExistingStore(ctx, s.store, a, ReadConfig, storeID); err != nil {
		return nil, false, err
	}
	rows, err := s.store.ListGroupsPage(ctx, storeID, after, pageSize(limit))
	if err != nil {
		return nil, false, err
	}
	rows, more = cut(rows, limit)
	out := make([]Group, len(rows))
	for i := range rows {
		out[i] = groupView(&rows[i])
	}
	return out, more, nil
}

// Get returns one group of the store.
func (s *Groups) Get(ctx context.Context, a Actor, storeID, id string) (*Group, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	g, err := s.store.GetGroup(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	v := groupView(g)
	return &v, nil
}

// FindByName returns the store's group of that name (the CLI names
// groups).
func (s *Groups) FindByName(ctx context.Context, a Actor, storeID, name string) (*Group, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	g, err := s.store.GetGroupByName(ctx, storeID, name)
	if err != nil {
		return nil, err
	}
	v := groupView(g)
	return &v, nil
}

// Create makes a group (action group.created); a taken name is
// ErrConflict.
func (s *Groups) Create(ctx context.Context, a Actor, storeID string, in GroupInput) (*Group, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateGroup(in)
	if err != nil {
		return nil, err
	}
	g := &storage.Group{StoreID: storeID, Name: in.Name, CreatedAt: s.core.Now()}
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateGroup(ctx, g); err != nil {
			return Change{}, conflictAs(err, "a group with this name exists in the store")
		}
		return Change{Action: "group.created", TargetType: "group", TargetID: g.ID, StoreID: storeID, After: groupView(g)}, nil
	})
	if err != nil {
		return nil, err
	}
	v := groupView(g)
	return &v, nil
}

// Update renames a group if it is still at version (action
// group.renamed); a group a portal restriction names is ErrConflict.
func (s *Groups) Update(ctx context.Context, a Actor, storeID, id string, version int64, in GroupInput) (*Group, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateGroup(in)
	if err != nil {
		return nil, err
	}
	var v Group
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		g, err := s.store.GetGroup(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		before := groupView(g)
		g.Name = in.Name
		if err := s.store.RenameGroup(ctx, g, version); err != nil {
			return Change{}, conflictAs(err, "the name is taken in the store, or an application's portal restriction names the group")
		}
		v = groupView(g)
		return Change{Action: "group.renamed", TargetType: "group", TargetID: id, StoreID: storeID, Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes a group and its memberships if it is still at version
// (action group.deleted); a group a portal restriction names is
// ErrConflict.
func (s *Groups) Delete(ctx context.Context, a Actor, storeID, id string, version int64) error {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		g, err := s.store.GetGroup(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteGroup(ctx, storeID, id, version); err != nil {
			return Change{}, conflictAs(err, "an application's portal restriction names the group")
		}
		return Change{Action: "group.deleted", TargetType: "group", TargetID: id, StoreID: storeID, Before: groupView(g)}, nil
	})
}

// AddMember puts an account of the store into the group (action
// group.member_added); membership is account management (WriteAccounts).
// Adding a member twice is no error.
func (s *Groups) AddMember(ctx context.Context, a Actor, storeID, groupID, accountID string) error {
	return s.membership(ctx, a, storeID, groupID, accountID, true)
}

// RemoveMember takes an account out of the group (action
// group.member_removed); ErrNotFound when it was no member.
func (s *Groups) RemoveMember(ctx context.Context, a Actor, storeID, groupID, accountID string) error {
	return s.membership(ctx, a, storeID, groupID, accountID, false)
}

func (s *Groups) membership(ctx context.Context, a Actor, storeID, groupID, accountID string, add bool) error {
	if err := requireStore(a, WriteAccounts, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		g, err := s.store.GetGroup(ctx, storeID, groupID)
		if err != nil {
			return Change{}, err
		}
		acct, err := s.store.GetAccount(ctx, accountID)
		if err != nil {
			return Change{}, err
		}
		if acct.StoreID != storeID {
			return Change{}, ErrNotFound
		}
		ch := Change{Action: "group.member_removed", TargetType: "group", TargetID: g.ID, StoreID: storeID,
			Before: map[string]string{"account_id": acct.ID, "group": g.Name}}
		if add {
			err = s.store.AddGroupMember(ctx, g.ID, acct.ID)
			ch.Action, ch.Before, ch.After = "group.member_added", nil, ch.Before
		} else {
			err = s.store.RemoveGroupMember(ctx, g.ID, acct.ID)
		}
		return ch, err
	})
}
