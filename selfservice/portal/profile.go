package portal

import (
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"foyer/selfservice/attrform"
	"foyer/selfservice/route"
	"foyer/storage"
)

// nameFields are on the form unless the identity store's schema defines
// an attribute of the same name (which then decides); the schema's
// visible attributes follow them.
var nameFields = []struct{ name, label string }{
	{"given_name", "account.profile.given_name"},
	{"middle_name", "account.profile.middle_name"},
	{"family_name", "account.profile.family_name"},
}

// maxNameLength bounds the name fields the schema does not define.
const maxNameLength = 200

func (h *Handler) mountProfile(r *mux.Router) {
	route.Handle(r, profileRoute, BasePath+"/profile", route.Methods{http.MethodGet: h.authed(h.showProfile), http.MethodPost: h.authed(h.saveProfile)})
	route.Handle(r, confirmContactRoute, BasePath+"/profile/confirm", route.Methods{http.MethodPost: h.authed(h.confirmContact)})
}

// profileSchema is what the page shows: the name fields, then the
// schema's attributes visible in self-service; labelKeys are the message
// keys of the name fields the schema leaves unlabelled.
func profileSchema(store *storage.IdentityStore) (defs []storage.AttributeDef, labelKeys map[string]string) {
	labelKeys = map[string]string{}
	visible := attrform.Visible(store.Attributes)
	defined := map[string]storage.AttributeDef{}
	for _, d := range store.Attributes {
		defined[d.Name] = d
	}
	for _, n := range nameFields {
		d, ok := defined[n.name]
		if !ok {
			d = storage.AttributeDef{Name: n.name, Visible: true, Editable: true, MaxLength: maxNameLength}
		}
		if !d.Visible {
			continue
		}
		if d.Label == "" {
			labelKeys[n.name] = n.label
		}
		defs = append(defs, d)
	}
	for _, d := range visible {
		if !isNameField(d.Name) {
			defs = append(defs, d)
		}
	}
	return defs, labelKeys
}

func isNameField(name string) bool {
	for _, n := range nameFields {
		if n.name == name {
			return true
		}
	}
	return false
}

// profileNaming: the form field is the attribute's name, the element id
// "attr-NAME".
func profileNaming(name string) (field, id string) { return name, "attr-" + name }

// profileFields are the form's attribute inputs with values from the
// account or the submitted form, and the errors found. An attribute the
// schema leaves unlabelled takes the theme's "attribute.<name>" message
// when there is one (as at registration), else its name.
func (h *Handler) profileFields(lang string, store *storage.IdentityStore, values, errs map[string]string) []attrform.Input {
	defs, labelKeys := profileSchema(store)
	inputs := attrform.WithErrors(attrform.ForPerson(attrform.Inputs(defs, values, profileNaming)), errs)
	for i, d := range defs {
		if key, ok := labelKeys[d.Name]; ok {
			inputs[i].Label, inputs[i].LabelKey = "", key
			continue
		}
		if key := "attribute." + d.Name; d.Label == "" && h.render.T(lang, key) != key {
			inputs[i].Label = h.render.T(lang, key)
		}
	}
	return inputs
}

func (h *Handler) showProfile(w http.ResponseWriter, r *http.Request, v *viewer) error {
	h.renderProfile(w, r, v, http.StatusOK, v.Account.Attributes, v.Account.Email, v.Account.Phone, nil)
	return nil
}

func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, v *viewer, status int, values map[string]string, email, phone string, errs map[string]string) {
	data := &profileData{
		ProfileURL: h.path(profileRoute, nil), ConfirmContactURL: h.path(confirmContactRoute, nil),
		Fields: h.profileFields(v.Lang, v.Store, values, errs), Email: email, Phone: phone,
		EmailConfirmed: v.Account.EmailConfirmed, PhoneConfirmed: v.Account.PhoneConfirmed,
		Fresh: h.fresh(v), ReauthURL: h.reauthURL(profileRoute),
	}
	for _, kind := range []string{"email", "phone"} {
		if p := h.pendingChange(r.Context(), v.Account.ID, kind); p != "" {
			data.Pending, data.PendingKind = p, kind
		}
	}
	if len(errs) > 0 {
		data.FieldErrors, data.Error = errs, "account.profile.fix_errors"
	}
	h.renderPage(w, r, v, "account_profile", status, data)
}

// saveProfile validates every field and stores the attributes; a new
// e-mail address or phone number is only stored pending until the code
// sent to it is entered.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request, v *viewer) error {
	values, errs := readProfile(r, v)
	// The rules registration and the CLI apply too (storage.ValidIdentifier).
	email := storage.CleanIdentifier(storage.IdentifierEmail, r.PostFormValue("email"))
	phone := storage.CleanIdentifier(storage.IdentifierPhone, r.PostFormValue("phone"))
	emailChanged := !strings.EqualFold(email, v.Account.Email)
	phoneChanged := phone != v.Account.Phone
	if emailChanged && !storage.ValidEmail(email) {
		errs["email"] = "account.profile.email_invalid"
	}
	if phoneChanged && phone != "" && !storage.ValidPhone(phone) {
		errs["phone"] = "account.profile.phone_invalid"
	}
	if phoneChanged && phone == "" && v.Account.Phone != "" {
		errs["phone"] = "account.profile.phone_required"
	}
	if emailChanged && phoneChanged {
		errs["phone"] = "account.profile.one_contact_at_a_time"
	}
	// Whoever holds a session could otherwise move the account's contact
	// to an address of theirs and reset the password from there.
	if (emailChanged || phoneChanged) && !h.fresh(v) {
		field := "email"
		if phoneChanged {
			field = "phone"
		}
		if errs[field] == "" {
			errs[field] = "account.profile.sign_in_again"
		}
	}
	if len(errs) > 0 {
		h.renderProfile(w, r, v, http.StatusUnprocessableEntity, values, email, phone, errs)
		return nil
	}
	// A code sent a moment ago: refused before anything is saved, the
	// form kept as typed.
	if kind := changedContact(emailChanged, phoneChanged); kind != "" {
		wait, err := h.contactWait(r, v, kind)
		if err != nil {
			return err
		}
		if wait > 0 {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10))
			h.renderProfile(w, r, v, http.StatusTooManyRequests, values, email, phone, map[string]string{kind: "account.profile.wait"})
			return nil
		}
	}
	updated := *v.Account
	updated.Attributes = values
	if err := h.store.UpdateAccountProfile(r.Context(), &updated); err != nil {
		return err
	}
	h.event(r, v, "account.profile_updated", nil)
	switch {
	case emailChanged:
		return h.startContactChange(w, r, v, "email", email)
	case phoneChanged:
		return h.startContactChange(w, r, v, "phone", phone)
	default:
		h.done(w, r, profileRoute, "saved")
	}
	return nil
}

// changedContact is the kind of contact a valid post changes, or "".
func changedContact(emailChanged, phoneChanged bool) string {
	switch {
	case emailChanged:
		return "email"
	case phoneChanged:
		return "phone"
	}
	return ""
}

// readProfile takes the editable attributes from the form, keeping the
// others (read-only, hidden, or of no attribute) as stored, and checks
// the ones read through storage.CheckAttributes (attrform.Check).
func readProfile(r *http.Request, v *viewer) (map[string]string, map[string]string) {
	defs, _ := profileSchema(v.Store)
	posted := attrform.Read(defs, r.PostFormValue, profileNaming)
	values := maps.Clone(v.Account.Attributes)
	if values == nil {
		values = map[string]string{}
	}
	var editable []storage.AttributeDef
	for _, d := range defs {
		if !d.Editable {
			continue
		}
		editable = append(editable, d)
		if val, ok := posted[d.Name]; ok {
			values[d.Name] = val
		} else {
			delete(values, d.Name)
		}
	}
	errs := attrform.Check(editable, posted)
	if errs == nil {
		errs = map[string]string{}
	}
	return values, errs
}
