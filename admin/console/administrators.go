package console

import (
	"net/http"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
)

const administratorsRoute = "console.administrators"

func (h *Handler) mountAdministrators(r *mux.Router) {
	route.Handle(r, administratorsRoute, "/admin/administrators", route.Methods{http.MethodGet: h.authed(h.administratorsPage)})
}

func (h *Handler) administratorsPage(w http.ResponseWriter, r *http.Request, rq *request) error { return nil }
