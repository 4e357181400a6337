package console

import "foyer/admin/manage"

// storeItem is what the page of one item of a store (a group, a role, an
// organization) shows around its form: the store, the version the form
// is sent with, whether the actor may change it, and its three links.
type storeItem struct {
	StoreName string
	Version   int64
	CanWrite  bool
	SaveURL   string
	DeleteURL string
	BackURL   string
}

// storeItemOf fills it for the item id of s, named param in its item and
// delete routes; list is the route of the store's list of such items.
func (h *Handler) storeItemOf(rq *request, s *manage.IdentityStore, version int64, param, id, item, del, list string) storeItem {
	return storeItem{StoreName: s.Name, Version: version, CanWrite: rq.Actor.Can(manage.WriteConfig, s.ID),
		SaveURL:   h.path(item, nil, "store", s.ID, param, id),
		DeleteURL: h.path(del, nil, "store", s.ID, param, id),
		BackURL:   h.path(list, nil, "store", s.ID)}
}
