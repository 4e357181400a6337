package admin

import (
	"context"
	"net/http"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// storePart is the CRUD of something an identity store defines (groups,
// roles, organizations): the same five endpoints under
// /stores/{store}/<plural>, over the resource's manage service. T is the
// resource's view, In its input.
type storePart[T, In any] struct {
	plural, idVar string // "groups", "group"
	list          func(ctx context.Context, a manage.Actor, storeID string, o manage.ListOptions) (manage.Page[T], error)
	get           func(ctx context.Context, a manage.Actor, storeID, id string) (*T, error)
	create        func(ctx context.Context, a manage.Actor, storeID string, in In) (*T, error)
	update        func(ctx context.Context, a manage.Actor, storeID, id string, version int64, in In) (*T, error)
	remove        func(ctx context.Context, a manage.Actor, storeID, id string, version int64) error
	// decodeUpdate reads a PUT's body: the input and the read-only fields
	// a GET returned.
	decodeUpdate func(w http.ResponseWriter, r *http.Request) (In, readOnly, error)
	// id and version are the resource's.
	id      func(T) string
	version func(T) int64
}

// mountStorePart registers the part's endpoints on the handler.
func mountStorePart[T, In any](h *Handler, api *mux.Router, p storePart[T, In]) {
	one := "admin.store_" + p.idVar
	route.Handle(api, "admin.store_"+p.plural, "/stores/{store}/"+p.plural, route.Methods{
		http.MethodGet: h.withStores(p.listHandler), http.MethodPost: h.withStores(p.createHandler(h, one))})
	route.Handle(api, one, "/stores/{store}/"+p.plural+"/{"+p.idVar+"}", route.Methods{
		http.MethodGet: h.withStores(p.getHandler), http.MethodPut: h.withStores(p.updateHandler),
		http.MethodDelete: h.withStores(p.deleteHandler)})
}

func (p storePart[T, In]) listHandler(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	o, err := listOptions(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := p.list(r.Context(), a, mux.Vars(r)["store"], o)
	if err != nil {
		return writeServiceError(w, r, listError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (p storePart[T, In]) getHandler(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	v, err := p.get(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)[p.idVar])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, p.version(*v), v)
	return nil
}

func (p storePart[T, In]) createHandler(h *Handler, routeName string) apiFunc {
	return func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		var in In
		if err := decodeJSON(w, r, &in); err != nil {
			return writeServiceError(w, r, err)
		}
		storeID := mux.Vars(r)["store"]
		v, err := p.create(r.Context(), a, storeID, in)
		if err != nil {
			return writeServiceError(w, r, err)
		}
		writeCreated(w, h.routes.Path(routeName, nil, "store", storeID, p.idVar, p.id(*v)), p.version(*v), v)
		return nil
	}
}

func (p storePart[T, In]) updateHandler(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	in, ro, err := p.decodeUpdate(w, r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	storeID, id := mux.Vars(r)["store"], mux.Vars(r)[p.idVar]
	if err := ro.check(id, storeID); err != nil {
		return writeServiceError(w, r, err)
	}
	v, err := p.update(r.Context(), a, storeID, id, version, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, p.version(*v), v)
	return nil
}

func (p storePart[T, In]) deleteHandler(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := p.remove(r.Context(), a, mux.Vars(r)["store"], mux.Vars(r)[p.idVar], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
