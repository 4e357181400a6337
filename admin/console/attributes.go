package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gorilla/mux"

	"foyer/admin/manage"
	"foyer/storage"
)

// attributePage is the data of admin_attribute: the schema editor for
// one attribute, new (Existing false) or existing.
type attributePage struct {
	frame
	StoreName string
	Existing  bool
	// Organization: the editor works on the organization schema.
	Organization bool
	attributeForm
	Types       []roleChoice
	Version     int64
	SaveURL     string
	BackURL     string
	FieldErrors map[string]string
}

// attributeForm is an attribute as the form shows and posts it.
type attributeForm struct {
	Name, Label, MaxLength, Pattern, Options string
	Required, Visible, Editable              bool
	AdminVisible, AdminEditable              bool
}

func formOf(a storage.AttributeDef) attributeForm {
	f := attributeForm{Name: a.Name, Label: a.Label, Pattern: a.Pattern, Options: strings.Join(a.Options, "\n"),
		Required: a.Required, Visible: a.Visible, Editable: a.Editable, AdminVisible: a.AdminVisible, AdminEditable: a.AdminEditable}
	if a.MaxLength > 0 {
		f.MaxLength = strconv.Itoa(a.MaxLength)
	}
	return f
}

func attributeTypes(selected storage.AttributeType) []roleChoice {
	out := make([]roleChoice, 0, len(storage.AttributeTypes))
	for _, t := range storage.AttributeTypes {
		out = append(out, roleChoice{Value: string(t), Label: "admin.attr.type." + string(t), Selected: t == selected})
	}
	return out
}

// attributePage shows the editor: empty for a new attribute, filled for
// the one the path names.
func (h *Handler) attributePage(sc schemaSide, w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	if err := rq.Actor.Require(manage.WriteConfig, s.ID); err != nil {
		return err
	}
	def := storage.AttributeDef{Type: storage.AttrString, Visible: true, Editable: true, AdminVisible: true, AdminEditable: true}
	name, existing := mux.Vars(r)["name"]
	if existing {
		defs := sc.defs(s)
		i := slices.IndexFunc(defs, func(a storage.AttributeDef) bool { return a.Name == name })
		if i < 0 {
			return storage.ErrNotFound
		}
		def = defs[i]
	}
	return h.renderAttribute(sc, w, r, rq, http.StatusOK, s, existing, def, formOf(def), nil, "")
}

func (h *Handler) renderAttribute(sc schemaSide, w http.ResponseWriter, r *http.Request, rq *request, status int, s *manage.IdentityStore,
	existing bool, def storage.AttributeDef, f attributeForm, errs map[string]string, pageErr string) error {
	newRoute, oneRoute, _ := sc.routes()
	save := h.path(newRoute, nil, "store", s.ID)
	if existing {
		save = h.path(oneRoute, nil, "store", s.ID, "name", def.Name)
	}
	p := &attributePage{StoreName: s.Name, Existing: existing, Organization: sc.org, attributeForm: f, Types: attributeTypes(def.Type), Version: s.Version,
		SaveURL: save, BackURL: h.path(storeRoute, nil, "store", s.ID), FieldErrors: errs}
	p.Error = pageErr
	h.page(w, r, rq, "admin_attribute", status, s.ID, p)
	return nil
}

// readAttribute is the posted attribute and the form as typed.
func readAttribute(r *http.Request) (storage.AttributeDef, attributeForm, map[string]string) {
	on := func(k string) bool { return r.PostFormValue(k) == "yes" }
	f := attributeForm{Name: strings.TrimSpace(r.PostFormValue("name")), Label: r.PostFormValue("label"),
		MaxLength: strings.TrimSpace(r.PostFormValue("max_length")), Pattern: r.PostFormValue("pattern"), Options: r.PostFormValue("options"),
		Required: on("required"), Visible: on("visible"), Editable: on("editable"), AdminVisible: on("admin_visible"), AdminEditable: on("admin_editable")}
	def := storage.AttributeDef{Name: f.Name, Label: f.Label, Type: storage.AttributeType(r.PostFormValue("type")), Pattern: f.Pattern,
		Required: f.Required, Visible: f.Visible, Editable: f.Editable, AdminVisible: f.AdminVisible, AdminEditable: f.AdminEditable}
	errs := map[string]string{}
	if f.MaxLength != "" {
		n, err := strconv.Atoi(f.MaxLength)
		if err != nil {
			errs["max_length"] = "enter a whole number"
		}
		def.MaxLength = n
	}
	for _, o := range strings.Split(f.Options, "\n") {
		if o = strings.TrimSpace(o); o != "" {
			def.Options = append(def.Options, o)
		}
	}
	return def, f, errs
}

// saveAttribute adds the attribute to the schema, or replaces the one the
// path names, and saves the store at the version the form was shown with.
func (h *Handler) saveAttribute(sc schemaSide, w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	def, f, errs := readAttribute(r)
	name, existing := mux.Vars(r)["name"]
	attrs := slices.Clone(sc.defs(s))
	at := len(attrs)
	if existing {
		if at = slices.IndexFunc(attrs, func(a storage.AttributeDef) bool { return a.Name == name }); at < 0 {
			return storage.ErrNotFound
		}
		attrs[at] = def
	} else {
		attrs = append(attrs, def)
	}
	if len(errs) == 0 {
		_, err = h.stores.Update(r.Context(), rq.Actor, s.ID, formVersion(r), sc.input(s, attrs))
		var pageErr string
		var ok bool
		errs, pageErr, ok = formErrors(err, attributeField(sc.field(), at))
		if ok {
			return h.renderAttribute(sc, w, r, rq, statusOf(err), s, existing, def, f, errs, pageErr)
		}
		if err != nil {
			return err
		}
		h.done(w, r, h.path(storeRoute, nil, "store", s.ID), "saved")
		return nil
	}
	return h.renderAttribute(sc, w, r, rq, http.StatusUnprocessableEntity, s, existing, def, f, errs, "admin.fix_errors")
}

// attributeField maps "<schema>[at].x" to the editor's field x; another
// attribute's problem is the page's.
func attributeField(schema string, at int) func(string) string {
	prefix := fmt.Sprintf("%s[%d].", schema, at)
	return func(field string) string {
		if rest, ok := strings.CutPrefix(field, prefix); ok {
			return rest
		}
		return "schema"
	}
}

// confirmRemoveAttribute asks before taking an attribute out of the
// schema.
func (h *Handler) confirmRemoveAttribute(sc schemaSide, w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	// Checked before the look-up too, so that who may not change the
	// schema learns nothing about its names.
	if err := rq.Actor.Require(manage.WriteConfig, s.ID); err != nil {
		return err
	}
	name := mux.Vars(r)["name"]
	if !slices.ContainsFunc(sc.defs(s), func(a storage.AttributeDef) bool { return a.Name == name }) {
		return storage.ErrNotFound
	}
	_, _, removeRoute := sc.routes()
	return h.confirm(w, r, rq, manage.WriteConfig, s.ID, confirmPage{Title: "admin.attr.remove_title", Question: "admin.attr.remove_question",
		Subject: name, ActionURL: h.path(removeRoute, nil, "store", s.ID, "name", name), Button: "admin.attr.remove", Version: s.Version,
		CancelURL: h.path(storeRoute, nil, "store", s.ID)})
}

// removeAttribute takes it out, only with confirm=yes.
func (h *Handler) removeAttribute(sc schemaSide, w http.ResponseWriter, r *http.Request, rq *request) error {
	s, err := h.storeFor(r, rq)
	if err != nil {
		return err
	}
	name := mux.Vars(r)["name"]
	_, _, removeRoute := sc.routes()
	return h.deleteConfirmed(w, r, deletion{confirmURL: h.path(removeRoute, nil, "store", s.ID, "name", name),
		remove: func(version int64) error {
			attrs := slices.DeleteFunc(slices.Clone(sc.defs(s)), func(a storage.AttributeDef) bool { return a.Name == name })
			_, err := h.stores.Update(r.Context(), rq.Actor, s.ID, version, sc.input(s, attrs))
			return err
		},
		rename: indexedField,
		refused: func(status int, pageErr string, _ error) error {
			return h.renderStore(w, r, rq, status, s, s.Name, s.IdentifierTypes, nil, pageErr)
		},
		after: to(h.path(storeRoute, nil, "store", s.ID)), notice: "saved"})
}
