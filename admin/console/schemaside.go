package console

import (
	"net/http"

	"foyer/admin/manage"
	"foyer/storage"
)

// schemaSide is which of a store's two attribute schemas the attribute
// editor works on: the accounts' or the organizations' (company
// information). Both have the same shape and rules.
type schemaSide struct{ org bool }

// defs is the side's schema of the store.
func (sc schemaSide) defs(s *manage.IdentityStore) []storage.AttributeDef {
	if sc.org {
		return s.OrganizationAttributes
	}
	return s.Attributes
}

// input is the store's update with the side's schema replaced by defs,
// the other one kept.
func (sc schemaSide) input(s *manage.IdentityStore, defs []storage.AttributeDef) manage.StoreInput {
	in := manage.StoreInput{Name: s.Name, IdentifierTypes: s.IdentifierTypes, Attributes: s.Attributes,
		OrganizationAttributes: s.OrganizationAttributes}
	if sc.org {
		in.OrganizationAttributes = defs
		if in.OrganizationAttributes == nil {
			in.OrganizationAttributes = []storage.AttributeDef{} // empty, not "keep"
		}
	} else {
		in.Attributes = defs
	}
	return in
}

// field is the side's field name in the service's errors.
func (sc schemaSide) field() string {
	if sc.org {
		return "organization_attributes"
	}
	return "attributes"
}

// routes are the side's editor routes: new, one, remove.
func (sc schemaSide) routes() (newRoute, oneRoute, removeRoute string) {
	if sc.org {
		return orgAttributeNewRoute, orgAttributeRoute, orgAttributeRemoveRoute
	}
	return attributeNewRoute, attributeRoute, attributeRemoveRoute
}

// on binds a handler to the side.
func (sc schemaSide) on(fn func(schemaSide, http.ResponseWriter, *http.Request, *request) error) pageFunc {
	return func(w http.ResponseWriter, r *http.Request, rq *request) error { return fn(sc, w, r, rq) }
}
