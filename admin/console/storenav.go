package console

import (
	"net/http"
	"strings"

	"foyer/admin/manage"
)

// storeNav are the menu entries of the current store's parts (roles,
// organizations), shown while a page is about a store the actor may read.
func (h *Handler) storeNav(rq *request, r *http.Request, current string) []navItem {
	if current == "" || !rq.Actor.Can(manage.ReadConfig, current) {
		return nil
	}
	var out []navItem
	for _, it := range []struct{ route, label string }{
		{rolesRoute, "admin.nav.roles"},
		{orgsRoute, "admin.nav.organizations"},
		{vpoliciesRoute, "admin.nav.verification_policies"},
	} {
		p := h.path(it.route, nil, "store", current)
		out = append(out, navItem{Path: p, Label: it.label, Current: r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/")})
	}
	if h.upstreams != nil {
		p := h.path(upstreamsRoute, nil, "store", current)
		out = append(out, navItem{Path: p, Label: "admin.nav.identity_providers", Current: r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/")})
	}
	if h.translations != nil {
		p := h.path(storeLanguagesRoute, nil, "store", current)
		out = append(out, navItem{Path: p, Label: "admin.nav.languages", Current: r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/")})
	}
	if rq.Actor.Can(manage.ReadAccounts, current) {
		p := h.path(jobsListRoute, nil, "store", current)
		out = append(out, navItem{Path: p, Label: "admin.nav.jobs", Current: r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/")})
		if h.invitations != nil {
			p = h.path(invitationsRoute, nil, "store", current)
			out = append(out, navItem{Path: p, Label: "admin.nav.invitations", Current: r.URL.Path == p || strings.HasPrefix(r.URL.Path, p+"/")})
		}
	}
	return out
}

// withStoreNav adds the current store's entries to nav; when one of them
// is the page, it alone is marked current (not also "Identity stores").
func (h *Handler) withStoreNav(nav []navItem, rq *request, r *http.Request, current string) []navItem {
	extra := h.storeNav(rq, r, current)
	for _, it := range extra {
		if it.Current {
			for i := range nav {
				nav[i].Current = false
			}
		}
	}
	return append(nav, extra...)
}
