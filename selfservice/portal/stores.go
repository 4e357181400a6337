package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"foyer/storage"
)

// StoreParam names the identity store whose portal client a sign-in uses:
// /account?store=ID. Without it the portal signs in to the store of the
// browser's SSO session, else to the default store.
const StoreParam = "store"

// errNoPortal: the store named does not exist or has no portal client
// (the administrators store); answered 404 like any unknown page.
var errNoPortal = errors.New("portal: no account portal for this identity store")

// portalOf is a store's portal client and the application it belongs to.
type portalOf struct {
	StoreID, ClientID, ApplicationID string
}

// storePortal is the portal client of the identity store storeID, checked
// against storage: the store exists and the client is there, in an
// application of that store (so a client of another store never signs in
// here under its name).
func (h *Handler) storePortal(ctx context.Context, storeID string) (portalOf, error) {
	if storeID == "" || storeID == h.cfg.DefaultStoreID {
		return portalOf{StoreID: h.cfg.DefaultStoreID, ClientID: h.cfg.ClientID, ApplicationID: h.cfg.DefaultApplicationID}, nil
	}
	if h.cfg.StoreClient == nil || storeID == storage.AdministratorsStoreID {
		return portalOf{}, errNoPortal
	}
	clientID := h.cfg.StoreClient(storeID)
	if clientID == "" {
		return portalOf{}, errNoPortal
	}
	c, err := h.store.GetClient(ctx, clientID)
	if errors.Is(err, storage.ErrNotFound) {
		return portalOf{}, errNoPortal
	}
	if err != nil {
		return portalOf{}, fmt.Errorf("portal: client of store %s: %w", storeID, err)
	}
	app, err := h.store.GetApplication(ctx, c.ApplicationID)
	if errors.Is(err, storage.ErrNotFound) {
		return portalOf{}, errNoPortal
	}
	if err != nil {
		return portalOf{}, fmt.Errorf("portal: application of store %s: %w", storeID, err)
	}
	if app.StoreID != storeID {
		return portalOf{}, errNoPortal
	}
	return portalOf{StoreID: storeID, ClientID: c.ID, ApplicationID: app.ID}, nil
}

// signInPortal is the portal a sign-in starts with: the store the request
// names (an unknown one is errNoPortal), else the store of the browser's
// SSO session (so "Sign in again" and a portal cookie that went stale
// stay in the customer's store), else the default store.
func (h *Handler) signInPortal(r *http.Request) (portalOf, error) {
	ctx := r.Context()
	if id := r.URL.Query().Get(StoreParam); id != "" {
		return h.storePortal(ctx, id)
	}
	if h.sessions == nil {
		return h.storePortal(ctx, "")
	}
	if sess, err := h.sessions.Current(r); err == nil {
		if acct, err := h.store.GetAccount(ctx, sess.AccountID); err == nil {
			if p, err := h.storePortal(ctx, acct.StoreID); err == nil {
				return p, nil
			}
		}
	}
	return h.storePortal(ctx, "")
}

// storeQuery is the query naming storeID for links into the portal: none
// for the default store, whose portal the plain /account is.
func (h *Handler) storeQuery(storeID string) url.Values {
	if storeID == "" || storeID == h.cfg.DefaultStoreID {
		return nil
	}
	return url.Values{StoreParam: {storeID}}
}

// withStore adds the store parameter of the request, if any, to q.
func withStore(r *http.Request, q url.Values) url.Values {
	if id := r.URL.Query().Get(StoreParam); id != "" {
		if q == nil {
			q = url.Values{}
		}
		q.Set(StoreParam, id)
	}
	return q
}

// storeApplication is the application that stands for storeID's portal
// (its consent, MFA and branding when no application of the store was
// chosen).
func (h *Handler) storeApplication(ctx context.Context, storeID string) (*storage.Application, error) {
	p, err := h.storePortal(ctx, storeID)
	if errors.Is(err, errNoPortal) {
		// A store without a portal of its own (an account created in it
		// directly): the default application, as before per-store portals.
		p, err = h.storePortal(ctx, "")
	}
	if err != nil {
		return nil, err
	}
	return h.store.GetApplication(ctx, p.ApplicationID)
}
