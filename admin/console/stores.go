package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
)

const (
	storesRoute = "console.stores"
	storeRoute  = "console.store"
)

func (h *Handler) mountStores(r *mux.Router) {
	route.Handle(r, storesRoute, "/admin/stores", route.Methods{http.MethodGet: h.authed(h.storesPage)})
	route.Handle(r, storeRoute, "/admin/stores/{store}", route.Methods{http.MethodGet: h.authed(h.storePage)})
}

func (h *Handler) storesPage(w http.ResponseWriter, r *http.Request, rq *request) error { return nil }
func (h *Handler) storePage(w http.ResponseWriter, r *http.Request, rq *request) error  { return nil }
