package storage

import (
	"context"
	"errors"
	"slices"
)

// Admits reports whether an account that belongs to the groups in
// memberships may use app under these settings (nil: none stored). This is
// the one definition of the group restriction: the portal's launcher shows
// a tile by it, the authorization endpoint issues by it and the token
// endpoint refreshes by it, so a customer removed from the groups loses the
// application everywhere at once (not just its tile). Group names belong to
// an identity store, so only memberships in the application's store count.
func (p *PortalSettings) Admits(app *Application, memberships []Group) bool {
	if p == nil || len(p.Groups) == 0 {
		return true
	}
	return slices.ContainsFunc(memberships, func(g Group) bool {
		return (app.StoreID == "" || g.StoreID == app.StoreID) && slices.Contains(p.Groups, g.Name)
	})
}

// GroupAccessReader is what MayUseApplication reads.
type GroupAccessReader interface {
	GetPortalSettings(ctx context.Context, applicationID string) (*PortalSettings, error)
	GroupLister
}

// GroupLister lists an account's groups (MayUseWith).
type GroupLister interface {
	ListAccountGroups(ctx context.Context, accountID string) ([]Group, error)
}

// MayUseApplication loads the application's group restriction and the
// account's memberships and applies Admits.
func MayUseApplication(ctx context.Context, r GroupAccessReader, app *Application, accountID string) (bool, error) {
	settings, err := r.GetPortalSettings(ctx, app.ID)
	if errors.Is(err, ErrNotFound) {
		return true, nil // nothing stored: no restriction
	}
	if err != nil {
		return false, err
	}
	return MayUseWith(ctx, r, app, settings, accountID)
}

// MayUseWith is MayUseApplication for settings already read (nil: none
// stored, as GetApplicationPortal gives them).
func MayUseWith(ctx context.Context, r GroupLister, app *Application, settings *PortalSettings, accountID string) (bool, error) {
	if settings == nil || len(settings.Groups) == 0 {
		return true, nil // spares the membership query
	}
	groups, err := r.ListAccountGroups(ctx, accountID)
	if err != nil {
		return false, err
	}
	return settings.Admits(app, groups), nil
}
