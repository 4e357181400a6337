package selfservice

import (
	"net/url"

	"foyer/selfservice/route"
)

// accountPortalLink is the absolute address of the account portal for an
// account of the identity store storeID: /account, with ?store= unless
// the store's portal client is the default store's. "" when the store has
// no portal (the administrators) or none is configured. It reads nothing
// from storage, so messages to known and unknown identifiers still cost
// the same work.
func (h *Handler) accountPortalLink(storeID string) string {
	client := h.cfg.PortalClientID
	if h.cfg.PortalClientFor != nil {
		client = h.cfg.PortalClientFor(storeID)
	}
	if client == "" {
		return ""
	}
	var q url.Values
	if client != h.cfg.PortalClientID {
		q = url.Values{"store": {storeID}}
	}
	return h.cfg.Issuer + h.routes.Path(route.AccountHome, q)
}
