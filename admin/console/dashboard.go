package console

import (
	"net/http"
	"strings"

	"foyer/admin/manage"
	"foyer/storage"
)

// nav is the menu the actor's roles open.
func (h *Handler) nav(rq *request, r *http.Request) []navItem {
	items := []struct {
		route, label string
		show         bool
	}{
		{homeRoute, "admin.nav.dashboard", true},
		{storesRoute, "admin.nav.stores", rq.Actor.CanAnyStore(manage.ReadConfig)},
		{accountsStartRoute, "admin.nav.accounts", h.accountSearch != nil && rq.Actor.CanAnyStore(manage.ReadAccounts)},
		{applicationsRoute, "admin.nav.applications", rq.Actor.CanAnyStore(manage.ReadConfig)},
		{policiesRoute, "admin.nav.policies", rq.Actor.CanAnyStore(manage.ReadConfig)},
		{administratorsRoute, "admin.nav.administrators", rq.Actor.Can(manage.ReadAdministrators, "")},
		{auditRoute, "admin.nav.audit", rq.Actor.CanAnyStore(manage.ReadAudit)},
	}
	home := h.path(homeRoute, nil)
	out := make([]navItem, 0, len(items))
	for _, it := range items {
		if !it.show {
			continue
		}
		p := h.path(it.route, nil)
		cur := r.URL.Path == p || (p != home && strings.HasPrefix(r.URL.Path, p+"/"))
		out = append(out, navItem{Path: p, Label: it.label, Current: cur})
	}
	return out
}

// dashboardPage is the data of admin_dashboard.
type dashboardPage struct {
	frame
	StoreCounts []storeCount
	// Administrators is the number of administrators, shown (with
	// AdminsURL) to those who may see them.
	Administrators int64
	AdminsURL      string
	AuditURL       string
}

type storeCount struct {
	ID, Name string
	Accounts int64
	URL      string
}

// dashboard shows each visible store with its number of accounts.
func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request, rq *request) error {
	p := &dashboardPage{}
	for _, s := range rq.Stores {
		n, err := h.store.CountAccounts(r.Context(), s.ID)
		if err != nil {
			return err
		}
		p.StoreCounts = append(p.StoreCounts, storeCount{ID: s.ID, Name: s.Name, Accounts: n, URL: h.path(storeRoute, nil, "store", s.ID)})
	}
	if rq.Actor.Can(manage.ReadAdministrators, "") {
		n, err := h.store.CountAccounts(r.Context(), storage.AdministratorsStoreID)
		if err != nil {
			return err
		}
		p.Administrators, p.AdminsURL = n, h.path(administratorsRoute, nil)
	}
	if rq.Actor.CanAnyStore(manage.ReadAudit) {
		p.AuditURL = h.path(auditRoute, nil)
	}
	h.page(w, r, rq, "admin_dashboard", http.StatusOK, "", p)
	return nil
}

// switchStore is the store switcher's target (a GET form, so it works
// without JavaScript): it opens the chosen store if the actor may see it.
func (h *Handler) switchStore(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := r.URL.Query().Get("store")
	if !rq.canSee(id) {
		http.Redirect(w, r, h.path(homeRoute, nil), http.StatusSeeOther)
		return nil
	}
	if r.URL.Query().Get("view") == "accounts" && h.accountSearch != nil && rq.Actor.Can(manage.ReadAccounts, id) {
		http.Redirect(w, r, h.path(accountsRoute, nil, "store", id), http.StatusSeeOther) //nolint:gosec // G710: the console's own route, a store the actor sees
		return nil
	}
	http.Redirect(w, r, h.path(storeRoute, nil, "store", id), http.StatusSeeOther) //nolint:gosec // G710: the console's own route, a store the actor sees
	return nil
}
