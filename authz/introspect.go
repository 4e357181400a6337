package authz

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/ory/fosite"

	"foyer/authz/fositestore"
	"foyer/storage"
)

// introspectionAllowed decides whether the authenticated caller may learn
// about an active token. fosite's introspection answers any authenticated
// client about any token; RFC 7662 section 4 leaves it to the server to
// decide who may see what. A token is shown to the client it was issued
// to and to clients an administrator marked as resource servers in the
// identity store of that client's application, and only while its account
// may still use it (as UserInfo and the refresh grant check): anyone else
// is told {"active": false}, as for an unknown token.
func (h *Handler) introspectionAllowed(ctx context.Context, r *http.Request, resp fosite.IntrospectionResponder) (bool, error) {
	ar := resp.GetAccessRequester()
	caller, ok := basicClientID(r)
	if !ok {
		return false, nil // fosite authenticated the caller; never reached
	}
	if caller != ar.GetClient().GetID() {
		ok, err := h.resourceServerOf(ctx, caller, ar.GetClient())
		if err != nil || !ok {
			return false, err
		}
	}
	sub := ar.GetSession().GetSubject()
	if sub == "" {
		return true, nil // a client_credentials token: no account
	}
	acct, err := h.store.GetAccount(ctx, sub)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil && acct.Status == storage.AccountEnabled, err
}

// resourceServerOf reports whether the client caller is a resource server
// of the identity store the token's client belongs to (through their
// applications): tenants stay apart, so a resource server an administrator
// of one store created learns nothing of another store's tokens. The
// caller and its application are one read; the owner's application one
// more only when it is another application.
func (h *Handler) resourceServerOf(ctx context.Context, caller string, owner fosite.Client) (bool, error) {
	c, app, err := h.store.GetClientApplication(ctx, caller)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil || !c.ResourceServer {
		return false, err
	}
	fc, ok := owner.(*fositestore.Client)
	if !ok {
		return false, nil // not a stored client: no store to match
	}
	if ownerApp := fc.Storage().ApplicationID; ownerApp != c.ApplicationID {
		oa, err := h.store.GetApplication(ctx, ownerApp)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil || oa.StoreID != app.StoreID {
			return false, err
		}
	}
	return true, nil
}

// basicClientID is the client id of the HTTP Basic credentials fosite
// authenticated, decoded as fosite decodes it (RFC 6749 section 2.3.1).
func basicClientID(r *http.Request) (string, bool) {
	id, _, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	id, err := url.QueryUnescape(id)
	return id, err == nil
}
