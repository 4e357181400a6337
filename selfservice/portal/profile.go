package portal

import (
	"net/http"
	"strings"
	"unicode"

	"github.com/gorilla/mux"

	"foyer/selfservice/route"
	"foyer/storage"
)

// nameFields are always on the form; the identity store's schema adds its
// visible attributes after them.
var nameFields = []struct{ name, label string }{
	{"given_name", "account.profile.given_name"},
	{"middle_name", "account.profile.middle_name"},
	{"family_name", "account.profile.family_name"},
}

// field is one attribute input on the personal information form.
type field struct {
	Name, Label, Value string
	LabelIsKey         bool // Label is a message key, not a schema name
	Required, Editable bool
}

const maxAttributeLength = 200

func (h *Handler) mountProfile(r *mux.Router) {
	route.Handle(r, profileRoute, BasePath+"/profile", route.Methods{http.MethodGet: h.authed(h.showProfile), http.MethodPost: h.authed(h.saveProfile)})
	route.Handle(r, confirmContactRoute, BasePath+"/profile/confirm", route.Methods{http.MethodPost: h.authed(h.confirmContact)})
}

// profileFields builds the form from the names and the schema's visible
// attributes, with values from the account or the submitted form.
func profileFields(store *storage.IdentityStore, values map[string]string) []field {
	fields := make([]field, 0, len(nameFields)+len(store.Attributes))
	seen := map[string]bool{}
	for _, n := range nameFields {
		fields = append(fields, field{Name: n.name, Label: n.label, LabelIsKey: true, Value: values[n.name], Editable: true})
		seen[n.name] = true
	}
	for _, a := range store.Attributes {
		if !a.Visible {
			continue
		}
		if seen[a.Name] {
			for i := range fields {
				if fields[i].Name == a.Name {
					fields[i].Required, fields[i].Editable = a.Required, a.Editable
				}
			}
			continue
		}
		fields = append(fields, field{Name: a.Name, Label: a.Name, Value: values[a.Name], Required: a.Required, Editable: a.Editable})
	}
	return fields
}

func (h *Handler) showProfile(w http.ResponseWriter, r *http.Request, v *viewer) error {
	h.renderProfile(w, r, v, http.StatusOK, v.Account.Attributes, v.Account.Email, v.Account.Phone, nil)
	return nil
}

func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, v *viewer, status int, values map[string]string, email, phone string, errs map[string]string) {
	data := &profileData{
		ProfileURL: h.path(profileRoute, nil), ConfirmContactURL: h.path(confirmContactRoute, nil),
		Fields: profileFields(v.Store, values), Email: email, Phone: phone,
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

// readProfile takes the editable attributes from the form, keeping the
// others as stored, and checks each.
func readProfile(r *http.Request, v *viewer) (map[string]string, map[string]string) {
	values := map[string]string{}
	for k, val := range v.Account.Attributes {
		values[k] = val
	}
	errs := map[string]string{}
	for _, f := range profileFields(v.Store, v.Account.Attributes) {
		if !f.Editable {
			continue
		}
		val := strings.TrimSpace(r.PostFormValue(f.Name))
		switch {
		case f.Required && val == "":
			errs[f.Name] = "account.profile.required"
		case len(val) > maxAttributeLength:
			errs[f.Name] = "account.profile.too_long"
		case strings.IndexFunc(val, unicode.IsControl) >= 0:
			errs[f.Name] = "account.profile.invalid_characters"
		}
		if val == "" {
			delete(values, f.Name)
		} else {
			values[f.Name] = val
		}
	}
	return values, errs
}
