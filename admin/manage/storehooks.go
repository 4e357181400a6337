package manage

import (
	"context"
	"fmt"
	"slices"

	"foyer/storage"
)

// StoreHooks attach other parts of Foyer to an identity store's life
// without this package knowing them (cmd/foyer gives the account portal's
// per-store application and client this way). Each runs inside the
// transaction of the creation or deletion and returns the changes it
// made, which are audited with the store's, as the same actor: a failing
// hook undoes the whole change.
type StoreHooks struct {
	// Provision runs after the store is created.
	Provision func(ctx context.Context, s *storage.IdentityStore) ([]Change, error)
	// Deprovision runs before the store is deleted; the deletion still
	// refuses a store that keeps accounts or other applications, and then
	// rolls back what Deprovision removed.
	Deprovision func(ctx context.Context, s *storage.IdentityStore) ([]Change, error)
}

// provision records the store's creation and runs the Provision hook,
// recording its changes after the store's own entry.
func (s *Stores) provision(ctx context.Context, a Actor, is *storage.IdentityStore, created Change) error {
	if err := s.core.Record(ctx, a, WriteConfig, created); err != nil {
		return err
	}
	return s.runHook(ctx, a, is, s.hooks.Provision)
}

// deprovision runs the Deprovision hook before the store goes.
func (s *Stores) deprovision(ctx context.Context, a Actor, is *storage.IdentityStore) error {
	return s.runHook(ctx, a, is, s.hooks.Deprovision)
}

func (s *Stores) runHook(ctx context.Context, a Actor, is *storage.IdentityStore,
	hook func(context.Context, *storage.IdentityStore) ([]Change, error)) error {
	if hook == nil {
		return nil
	}
	changes, err := hook(ctx, is)
	if err != nil {
		return fmt.Errorf("manage: store %s: %w", is.ID, err)
	}
	for _, ch := range changes {
		if err := s.core.Record(ctx, a, WriteConfig, ch); err != nil {
			return err
		}
	}
	return nil
}

// pruneGrants takes the deleted store's id out of every admin grant
// limited to stores: a grant limited to that store alone is deleted, the
// others keep their remaining stores. Otherwise a store created later
// with the same id would be administered by whoever held the old one.
// Each principal's change is audited (administrator.roles_set,
// client.roles_set, as when an owner sets them).
func (s *Stores) pruneGrants(ctx context.Context, a Actor, storeID string) error {
	if err := s.store.LockAdminGrants(ctx); err != nil {
		return err
	}
	all, err := s.store.ListAllAdminGrants(ctx)
	if err != nil {
		return err
	}
	type principal struct {
		kind storage.PrincipalKind
		id   string
	}
	touched := map[principal]bool{}
	var order []principal
	for _, g := range all {
		if slices.Contains(g.StoreIDs, storeID) {
			p := principal{g.PrincipalKind, g.PrincipalID}
			if !touched[p] {
				touched[p] = true
				order = append(order, p)
			}
		}
	}
	for _, p := range order {
		if err := s.prunePrincipal(ctx, a, p.kind, p.id, storeID); err != nil {
			return err
		}
	}
	return nil
}

// prunePrincipal rewrites one principal's grants without storeID.
func (s *Stores) prunePrincipal(ctx context.Context, a Actor, kind storage.PrincipalKind, id, storeID string) error {
	grants, err := s.store.ListAdminGrants(ctx, kind, id)
	if err != nil {
		return err
	}
	before, after := grantsView(grants), []Grant{}
	for _, g := range grants {
		if !slices.Contains(g.StoreIDs, storeID) {
			after = append(after, Grant{Role: g.Role, StoreIDs: g.StoreIDs})
			continue
		}
		if err := s.store.DeleteAdminGrant(ctx, g.ID); err != nil {
			return fmt.Errorf("manage: prune grant %s: %w", g.ID, err)
		}
		rest := slices.DeleteFunc(slices.Clone(g.StoreIDs), func(s string) bool { return s == storeID })
		if len(rest) == 0 {
			continue // limited to the deleted store alone: it goes
		}
		ng := &storage.AdminGrant{PrincipalKind: kind, PrincipalID: id, Role: g.Role, StoreIDs: rest}
		if err := s.store.CreateAdminGrant(ctx, ng); err != nil {
			return fmt.Errorf("manage: prune grant %s: %w", g.ID, err)
		}
		after = append(after, Grant{Role: g.Role, StoreIDs: rest})
	}
	target := "administrator"
	if kind == storage.PrincipalClient {
		target = "client"
	}
	return s.core.Record(ctx, a, WriteConfig, Change{Action: target + ".roles_set", TargetType: target, TargetID: id,
		StoreID: storeID, Before: map[string]any{"grants": before}, After: map[string]any{"grants": after}})
}

func grantsView(gs []storage.AdminGrant) []Grant {
	out := make([]Grant, 0, len(gs))
	for _, g := range gs {
		out = append(out, Grant{Role: g.Role, StoreIDs: g.StoreIDs})
	}
	return out
}
