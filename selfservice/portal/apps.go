package portal

import (
	"context"
	"net/http"
	"net/url"

	"foyer/selfservice/route"
	"foyer/storage"
)

// tile is one application in the launcher.
type tile struct {
	Name, URL, LogoURL string
}

func (h *Handler) showApps(w http.ResponseWriter, r *http.Request, v *viewer) error {
	tiles, err := h.launcherTiles(r.Context(), v.Account)
	if err != nil {
		return err
	}
	h.renderPage(w, r, v, "account_apps", http.StatusOK, &appsData{Tiles: tiles})
	return nil
}

// launcherTiles lists the applications with the launcher on that the
// account may use (by group restriction, storage's one definition, which
// the authorization and token endpoints enforce too), each through a
// client that has a brand portal.
func (h *Handler) launcherTiles(ctx context.Context, acct *storage.Account) ([]tile, error) {
	settings, err := h.store.ListPortalSettings(ctx)
	if err != nil {
		return nil, err
	}
	groups, err := h.store.ListAccountGroups(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	clients, err := h.store.ListClients(ctx)
	if err != nil {
		return nil, err
	}
	var tiles []tile
	for _, s := range settings {
		if !s.LauncherEnabled {
			continue
		}
		app, err := h.store.GetApplication(ctx, s.ApplicationID)
		if err != nil {
			return nil, err
		}
		if app.StoreID != "" && app.StoreID != acct.StoreID {
			continue // another population's application
		}
		if !s.Admits(app, groups) {
			continue
		}
		if c := launchClient(clients, app.ID); c != nil {
			q := url.Values{"client_id": {c.ID}, "login_hint": {loginHint(acct)}}
			tiles = append(tiles, tile{Name: app.Name, LogoURL: app.LogoURL, URL: h.path(route.Initiate, q)})
		}
	}
	return tiles, nil
}

// launchClient is the application's first client with a brand portal;
// self-registered clients are never launched (authz refuses them too).
func launchClient(clients []storage.Client, appID string) *storage.Client {
	for i := range clients {
		c := &clients[i]
		if c.ApplicationID == appID && c.InitiateLoginURI != "" && c.RegistrationTokenHash == nil {
			return c
		}
	}
	return nil
}

func loginHint(a *storage.Account) string {
	for _, s := range []string{a.Email, a.Username, a.Phone} {
		if s != "" {
			return s
		}
	}
	return ""
}
