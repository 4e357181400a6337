package console

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
)

// storePage is the data of admin_store: one store's settings, its
// attribute schema and its deletion.
type storePage struct {
	frame
	ID, Name string
	Version  int64
	Accounts int64
	Types    []typeChoice
	// Schemas are the account schema and the organization schema.
	Schemas     []schemaSection
	CanWrite    bool
	SaveURL     string
	GroupsURL   string
	RolesURL    string
	OrgsURL     string
	DeleteURL   string
	FieldErrors map[string]string
	// VerificationPoliciesURL is the store's identity verification policies.
	VerificationPoliciesURL string
}

// schemaSection is one schema's table on the store page; the strings but
// the ids and URL are message keys.
type schemaSection struct {
	ID, TableID, Title, Hint, Empty, Add, NewURL string
	Rows                                         []attributeRow
}

type attributeRow struct {
	Name, Label, Type           string
	Required, Visible, Editable bool
	AdminVisible, AdminEditable bool
	EditURL, RemoveURL          string
}

func (h *Handler) storePage(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	return h.renderStore(w, r, rq, http.StatusOK, s, s.Name, s.IdentifierTypes, nil, "")
}

func (h *Handler) renderStore(w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore,
	name string, types []storage.IdentifierType, errs map[string]string, pageErr string) error {
	n, err := h.store.CountAccounts(r.Context(), s.ID)
	if err != nil {
		return err
	}
	p := &storePage{ID: s.ID, Name: name, Version: s.Version, Accounts: n, Types: typeChoices(types),
		CanWrite: rq.Actor.Can(manage.WriteConfig, s.ID), SaveURL: h.path(storeRoute, nil, "store", s.ID),
		GroupsURL: h.path(groupsRoute, nil, "store", s.ID), DeleteURL: h.path(storeDeleteRoute, nil, "store", s.ID), FieldErrors: errs}
	p.Error = pageErr
	p.RolesURL, p.OrgsURL = h.path(rolesRoute, nil, "store", s.ID), h.path(orgsRoute, nil, "store", s.ID)
	p.VerificationPoliciesURL = h.path(vpoliciesRoute, nil, "store", s.ID)
	p.Schemas = []schemaSection{
		h.schemaSection(schemaSide{}, s, schemaSection{ID: "schema", TableID: "schema-table", Title: "admin.store.schema",
			Empty: "admin.store.no_attributes", Add: "admin.attr.add"}),
		h.schemaSection(schemaSide{org: true}, s, schemaSection{ID: "org-schema", TableID: "org-schema-table",
			Title: "admin.store.org_schema", Hint: "admin.store.org_schema_hint", Empty: "admin.store.no_org_attributes",
			Add: "admin.attr.add_org"}),
	}
	h.page(w, r, rq, "admin_store", status, s.ID, p)
	return nil
}

// formVersion is the version a form was shown with.
func formVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return v
}

// updateStore renames the store and sets its identifier types; the
// schema stays as it is.
func (h *Handler) updateStore(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	name, types := r.PostFormValue("name"), readTypes(r)
	_, err = h.stores.Update(r.Context(), rq.Actor, s.ID, formVersion(r),
		manage.StoreInput{Name: name, IdentifierTypes: types, Attributes: s.Attributes})
	if errs, pageErr, ok := formErrors(err, indexedField); ok {
		return h.renderStore(w, r, rq, statusOf(err), s, name, types, errs, pageErr)
	}
	if err != nil {
		return err
	}
	h.done(w, r, h.path(storeRoute, nil, "store", s.ID), "saved")
	return nil
}

// confirmDeleteStore asks before deleting (only an empty store can go).
func (h *Handler) confirmDeleteStore(w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.stores.delete_title", Question: "admin.stores.delete_question",
		Subject: s.Name, ActionURL: h.path(storeDeleteRoute, nil, "store", s.ID), Button: "admin.stores.delete", Version: s.Version,
		CancelURL: h.path(storeRoute, nil, "store", s.ID)})
}

// deleteStore deletes it, only with the confirmation page's confirm=yes;
// a store that still has accounts or applications stays, and its page
// says why.
func (h *Handler) deleteStore(w http.ResponseWriter, r *http.Request, rq *request) error {
	id := mux.Vars(r)["store"]
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(storeDeleteRoute, nil, "store", id),
		remove: func(version int64) error { return h.stores.Delete(r.Context(), rq.Actor, id, version) },
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			s, err := h.storeFor(r, rq)
			if err != nil {
				return err
			}
			return h.renderStore(w, r, rq, status, s, s.Name, s.IdentifierTypes, nil, pageErr)
		},
		after: to(h.path(storesRoute, nil)), notice: "deleted"})
}

// schemaSection fills the section's rows and links from the side's schema.
func (h *Handler) schemaSection(sc schemaSide, s *manage.IdentityStore, sec schemaSection) schemaSection {
	newRoute, oneRoute, removeRoute := sc.routes()
	sec.NewURL = h.path(newRoute, nil, "store", s.ID)
	for _, a := range sc.defs(s) {
		typ := string(a.Type)
		if typ == "" {
			typ = string(storage.AttrString)
		}
		sec.Rows = append(sec.Rows, attributeRow{Name: a.Name, Label: a.Label, Type: typ, Required: a.Required,
			Visible: a.Visible, Editable: a.Editable, AdminVisible: a.AdminVisible, AdminEditable: a.AdminEditable,
			EditURL:   h.path(oneRoute, nil, "store", s.ID, "name", a.Name),
			RemoveURL: h.path(removeRoute, nil, "store", s.ID, "name", a.Name)})
	}
	return sec
}
