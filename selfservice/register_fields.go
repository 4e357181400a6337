package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"foyer/storage"
)

// maxAttributeLength bounds attribute values; identifiers follow the
// rules in storage (storage.ValidIdentifier), shared with the portal and
// the CLI.
const maxAttributeLength = 256

// formFields says which fields the registration page shows, decided by the
// identity store's identifier types and attribute schema.
type formFields struct {
	Email, Username, Phone          bool
	UsernameRequired, PhoneRequired bool
	Attributes                      []storage.AttributeDef
}

// fieldsFor derives the page's fields from the store. The address is what
// activation and recovery need, so where the store has e-mail identifiers
// the other identifiers are optional extras; without one, the first other
// identifier type becomes the required one, so every account can sign in.
func fieldsFor(store *storage.IdentityStore) formFields {
	f := formFields{Email: allows(store, storage.IdentifierEmail),
		Username: allows(store, storage.IdentifierUsername), Phone: allows(store, storage.IdentifierPhone)}
	f.UsernameRequired = f.Username && !f.Email
	f.PhoneRequired = f.Phone && !f.Email && !f.Username
	for _, a := range store.Attributes {
		if a.Visible {
			f.Attributes = append(f.Attributes, a)
		}
	}
	return f
}

// attrField is the form field name of an attribute.
func attrField(name string) string { return "attr." + name }

// readRegisterForm reads the posted fields the page showed.
func readRegisterForm(r *http.Request, fields formFields) registerForm {
	form := registerForm{
		Password: r.PostFormValue("password"),
		Confirm:  r.PostFormValue("password_confirm"), Accepted: r.PostFormValue("accept_terms") == "on",
		Attributes: map[string]string{},
	}
	if fields.Email {
		form.Email = storage.CleanIdentifier(storage.IdentifierEmail, r.PostFormValue("email"))
	}
	if fields.Username {
		form.Username = storage.CleanIdentifier(storage.IdentifierUsername, r.PostFormValue("username"))
	}
	if fields.Phone {
		form.Phone = storage.CleanIdentifier(storage.IdentifierPhone, r.PostFormValue("phone"))
	}
	for _, a := range fields.Attributes {
		if v := strings.TrimSpace(r.PostFormValue(attrField(a.Name))); v != "" {
			form.Attributes[a.Name] = v
		}
	}
	return form
}

// checkIdentifiers adds the errors of the identifiers and attributes.
func checkIdentifiers(fields formFields, form registerForm, errs map[string]string) {
	if fields.Email && !storage.ValidEmail(form.Email) {
		errs["email"] = "register.email_invalid"
	}
	switch {
	case form.Username == "" && fields.UsernameRequired:
		errs["username"] = "register.username_required"
	case form.Username != "" && !storage.ValidUsername(form.Username):
		errs["username"] = "register.username_invalid"
	case storage.IsAccountIDForm(form.Username):
		errs["username"] = "register.username_reserved"
	}
	switch {
	case form.Phone == "" && fields.PhoneRequired:
		errs["phone"] = "register.phone_required"
	case form.Phone != "" && !storage.ValidPhone(form.Phone):
		errs["phone"] = "register.phone_invalid"
	}
	for _, a := range fields.Attributes {
		v := form.Attributes[a.Name]
		switch {
		case v == "" && a.Required:
			errs[attrField(a.Name)] = "register.attribute_required"
		case utf8.RuneCountInString(v) > maxAttributeLength:
			errs[attrField(a.Name)] = "register.attribute_too_long"
		}
	}
}

// takenFields names the fields whose identifier another account of the
// store holds, after CreateAccount reported a conflict.
func (h *Handler) takenFields(ctx context.Context, storeID string, form registerForm) (map[string]string, error) {
	errs := map[string]string{}
	for _, c := range []struct {
		field string
		kind  storage.IdentifierType
		value string
	}{
		{"email", storage.IdentifierEmail, form.Email},
		{"username", storage.IdentifierUsername, form.Username},
		{"phone", storage.IdentifierPhone, form.Phone},
	} {
		if c.value == "" {
			continue
		}
		_, err := h.store.FindAccountByIdentifier(ctx, storeID, c.kind, c.value)
		switch {
		case err == nil:
			errs[c.field] = "register." + c.field + "_taken"
		case !errors.Is(err, storage.ErrNotFound):
			return nil, fmt.Errorf("selfservice: find %s: %w", c.kind, err)
		}
	}
	return errs, nil
}

// attributeLabels are the page's labels of the attributes: the catalog's
// "attribute.<name>" when the theme has one, else the name itself.
func (h *Handler) attributeLabels(lang string, defs []storage.AttributeDef, values map[string]string) []registerAttribute {
	out := make([]registerAttribute, 0, len(defs))
	for _, a := range defs {
		key := "attribute." + a.Name
		label := h.render.T(lang, key)
		if label == key {
			label = a.Name
		}
		out = append(out, registerAttribute{Name: attrField(a.Name), Label: label, Required: a.Required, Value: values[a.Name]})
	}
	return out
}
