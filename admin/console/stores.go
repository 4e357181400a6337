package console

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/selfservice/route"
	"foyer/storage"
)

// StoreService is what the console asks of the identity stores
// (manage.Stores).
type StoreService interface {
	ListBy(ctx context.Context, a manage.Actor, o manage.ListOptions) (manage.Page[manage.IdentityStore], error)
	Get(ctx context.Context, a manage.Actor, id string) (*manage.IdentityStore, error)
	Create(ctx context.Context, a manage.Actor, in manage.StoreInput) (*manage.IdentityStore, error)
	Update(ctx context.Context, a manage.Actor, id string, version int64, in manage.StoreInput) (*manage.IdentityStore, error)
	Delete(ctx context.Context, a manage.Actor, id string, version int64) error
}

const (
	storesRoute          = "console.stores"
	storeRoute           = "console.store"
	storeDeleteRoute     = "console.store_delete"
	attributeNewRoute    = "console.attribute_new"
	attributeRoute       = "console.attribute"
	attributeRemoveRoute = "console.attribute_remove"
	// The organization schema's editor (schemaside.go).
	orgAttributeNewRoute    = "console.org_attribute_new"
	orgAttributeRoute       = "console.org_attribute"
	orgAttributeRemoveRoute = "console.org_attribute_remove"
)

func (h *Handler) mountStores(r *mux.Router) {
	route.Handle(r, storesRoute, "/admin/stores", route.Methods{
		http.MethodGet: h.authed(h.storesPage), http.MethodPost: h.authed(h.createStore)})
	route.Handle(r, storeRoute, "/admin/stores/{store}", route.Methods{
		http.MethodGet: h.authed(h.storePage), http.MethodPost: h.authed(h.updateStore)})
	route.Handle(r, storeDeleteRoute, "/admin/stores/{store}/delete", route.Methods{
		http.MethodGet: h.authed(h.confirmDeleteStore), http.MethodPost: h.authed(h.deleteStore)})
	for _, sc := range []schemaSide{{}, {org: true}} {
		newRoute, oneRoute, removeRoute := sc.routes()
		base := "/admin/stores/{store}/" + strings.ReplaceAll(sc.field(), "_", "-")
		route.Handle(r, newRoute, base, route.Methods{
			http.MethodGet: h.authed(sc.on(h.attributePage)), http.MethodPost: h.authed(sc.on(h.saveAttribute))})
		route.Handle(r, oneRoute, base+"/{name}", route.Methods{
			http.MethodGet: h.authed(sc.on(h.attributePage)), http.MethodPost: h.authed(sc.on(h.saveAttribute))})
		route.Handle(r, removeRoute, base+"/{name}/remove", route.Methods{
			http.MethodGet: h.authed(sc.on(h.confirmRemoveAttribute)), http.MethodPost: h.authed(sc.on(h.removeAttribute))})
	}
}

// storesPage is the data of admin_stores.
type storesPage struct {
	frame
	Rows []storeRow
	listNav
	CanCreate bool
	CreateURL string
	// The creation form as typed.
	NewID, NewName string
	Types          []typeChoice
	FieldErrors    map[string]string
}

type storeRow struct {
	ID, Name, Types, URL string
	Accounts             int64
}

// typeChoice is one identifier type's checkbox.
type typeChoice struct {
	Value   string
	Label   string
	Checked bool
}

func typeChoices(checked []storage.IdentifierType) []typeChoice {
	out := make([]typeChoice, 0, 3)
	for _, t := range []storage.IdentifierType{storage.IdentifierEmail, storage.IdentifierUsername, storage.IdentifierPhone} {
		c := typeChoice{Value: string(t), Label: "admin.stores.type." + string(t)}
		for _, x := range checked {
			c.Checked = c.Checked || x == t
		}
		out = append(out, c)
	}
	return out
}

func (h *Handler) storesPage(w http.ResponseWriter, r *http.Request, rq *request) error {
	return h.renderStores(w, r, rq, http.StatusOK, manage.StoreInput{IdentifierTypes: []storage.IdentifierType{storage.IdentifierEmail}}, nil, "")
}

func (h *Handler) renderStores(w http.ResponseWriter, r *http.Request, rq *request, status int, in manage.StoreInput, errs map[string]string, pageErr string) error {
	lv := h.newListView(r, storesRoute, nil)
	page, err := listPage(lv, func(o manage.ListOptions) (manage.Page[manage.IdentityStore], error) {
		return h.stores.ListBy(r.Context(), rq.Actor, o)
	})
	if err != nil {
		return err
	}
	p := &storesPage{CanCreate: rq.Actor.Can(manage.WriteConfig, ""), CreateURL: h.path(storesRoute, nil),
		NewID: in.ID, NewName: in.Name, Types: typeChoices(in.IdentifierTypes), FieldErrors: errs}
	p.Error = pageErr
	p.listNav = lv.nav(page.Next)
	for _, s := range page.Items {
		n, err := h.store.CountAccounts(r.Context(), s.ID)
		if err != nil {
			return err
		}
		p.Rows = append(p.Rows, storeRow{ID: s.ID, Name: s.Name, Types: typesText(s.IdentifierTypes), Accounts: n,
			URL: h.path(storeRoute, nil, "store", s.ID)})
	}
	h.page(w, r, rq, "admin_stores", status, "", p)
	return nil
}

func typesText(ts []storage.IdentifierType) string {
	s := make([]string, len(ts))
	for i, t := range ts {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// readTypes is the ticked identifier types of a form.
func readTypes(r *http.Request) []storage.IdentifierType {
	var out []storage.IdentifierType
	for _, v := range r.PostForm["identifier_types"] {
		out = append(out, storage.IdentifierType(v))
	}
	return out
}

// createStore makes a store from the list page's form.
func (h *Handler) createStore(w http.ResponseWriter, r *http.Request, rq *request) error {
	in := manage.StoreInput{ID: strings.TrimSpace(r.PostFormValue("id")), Name: r.PostFormValue("name"), IdentifierTypes: readTypes(r)}
	s, err := h.stores.Create(r.Context(), rq.Actor, in)
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderStores(w, r, rq, statusOf(err), in, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(storeRoute, nil, "store", s.ID), "created")
	return nil
}

// storeFor loads the store of the request's {store} for the actor, as
// the pages about one store do.
func (h *Handler) storeFor(r *http.Request, rq *request) (*manage.IdentityStore, error) {
	s, err := h.stores.Get(r.Context(), rq.Actor, mux.Vars(r)["store"])
	if err != nil {
		return nil, fmt.Errorf("console: store: %w", err)
	}
	return s, nil
}
