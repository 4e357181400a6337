package admin

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
)

// StoreServices are the services behind /stores and what each store
// defines (groups, roles, organizations).
type StoreServices struct {
	Stores        *manage.Stores
	Groups        *manage.Groups
	Roles         *manage.Roles
	Organizations *manage.Organizations
	// PartnerCodes serves partner organizations' codes (partner_codes.go).
	PartnerCodes *manage.PartnerCodes
}

// errNoStoreServices: the handler was built without StoreServices (a test
// that only walks the routes).
var errNoStoreServices = errors.New("admin: the store services are not configured")

// withStores runs next only when the store services are there.
func (h *Handler) withStores(next apiFunc) http.HandlerFunc {
	return h.authorized(func(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
		s := h.stores
		if s.Stores == nil || s.Groups == nil || s.Roles == nil || s.Organizations == nil {
			return errNoStoreServices
		}
		return next(w, r, a)
	})
}

// storeRoute is one identity store, with the store variable.
const storeRoute = "admin.store"

// mountStores registers the stores' endpoints and those of what they
// define.
func (h *Handler) mountStores(api *mux.Router) {
	route.Handle(api, "admin.stores", "/stores", route.Methods{
		http.MethodGet: h.withStores(h.listStores), http.MethodPost: h.withStores(h.createStore)})
	route.Handle(api, storeRoute, "/stores/{store}", route.Methods{
		http.MethodGet: h.withStores(h.getStore), http.MethodPut: h.withStores(h.updateStore),
		http.MethodDelete: h.withStores(h.deleteStore)})
	h.mountGroups(api)
	h.mountRoles(api)
	h.mountOrganizations(api)
}

func (h *Handler) listStores(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	o, err := listOptions(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	page, err := h.stores.Stores.ListBy(r.Context(), a, o)
	if err != nil {
		return writeServiceError(w, r, listError(err))
	}
	writeJSON(w, http.StatusOK, pageList(page))
	return nil
}

func (h *Handler) getStore(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	s, err := h.stores.Stores.Get(r.Context(), a, mux.Vars(r)["store"])
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, s.Version, s)
	return nil
}

func (h *Handler) createStore(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	var in manage.StoreInput
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	s, err := h.stores.Stores.Create(r.Context(), a, in)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeCreated(w, h.routes.Path(storeRoute, nil, "store", s.ID), s.Version, s)
	return nil
}

// readOnly are the fields a GET returns that a PUT may send back unchanged
// (GET, edit, PUT): they are accepted and ignored, but an id or store_id
// naming another resource than the URL is refused. The version that
// counts is If-Match's.
type readOnly struct {
	ID        string     `json:"id"`
	StoreID   string     `json:"store_id"`
	Version   *int64     `json:"version"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

// check refuses ids naming another resource than the URL.
func (ro readOnly) check(id, storeID string) error {
	if ro.ID != "" && ro.ID != id {
		return fmt.Errorf("%w: id does not match the resource in the URL", errBadRequest)
	}
	if ro.StoreID != "" && ro.StoreID != storeID {
		return fmt.Errorf("%w: store_id does not match the store in the URL", errBadRequest)
	}
	return nil
}

// storeReplacement is the body of a PUT on a store (its id is StoreInput's).
type storeReplacement struct {
	manage.StoreInput
	Version   *int64     `json:"version"`
	CreatedAt *time.Time `json:"created_at"`
	UpdatedAt *time.Time `json:"updated_at"`
}

func (h *Handler) updateStore(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	var in storeReplacement
	if err := decodeJSON(w, r, &in); err != nil {
		return writeServiceError(w, r, err)
	}
	id := mux.Vars(r)["store"]
	if err := (readOnly{ID: in.ID}).check(id, ""); err != nil {
		return writeServiceError(w, r, err)
	}
	s, err := h.stores.Stores.Update(r.Context(), a, id, version, in.StoreInput)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	writeVersioned(w, http.StatusOK, s.Version, s)
	return nil
}

func (h *Handler) deleteStore(w http.ResponseWriter, r *http.Request, a manage.Actor) error {
	version, err := ifMatch(r)
	if err != nil {
		return writeServiceError(w, r, err)
	}
	if err := h.stores.Stores.Delete(r.Context(), a, mux.Vars(r)["store"], version); err != nil {
		return writeServiceError(w, r, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
