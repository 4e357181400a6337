package console

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/storage"
)

// Until the identity stores' service is wired in, the console lists the
// stores the actor may see, read-only.

const (
	storesRoute = "console.stores"
	storeRoute  = "console.store"
)

func (h *Handler) mountStores(r *mux.Router) {
	route.Handle(r, storesRoute, "/admin/stores", route.Methods{http.MethodGet: h.authed(h.storesPage)})
	route.Handle(r, storeRoute, "/admin/stores/{store}", route.Methods{http.MethodGet: h.authed(h.storesPage)})
}

// storesPage is the data of admin_stores.
type storesPage struct {
	frame
	Rows      []storeRow
	NextURL   string
	CanCreate bool
}

type storeRow struct {
	ID, Name, Types, URL string
	Accounts             int64
}

func (h *Handler) storesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	p := &storesPage{}
	for _, s := range rq.Stores {
		n, err := h.store.CountAccounts(r.Context(), s.ID)
		if err != nil {
			return err
		}
		p.Rows = append(p.Rows, storeRow{ID: s.ID, Name: s.Name, Types: typesText(s.IdentifierTypes), Accounts: n,
			URL: h.path(storeRoute, nil, "store", s.ID)})
	}
	h.page(w, r, rq, "admin_stores", http.StatusOK, mux.Vars(r)["store"], p)
	return nil
}

func typesText(ts []storage.IdentifierType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}
