package selfservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"foyer/selfservice/attrform"
	"foyer/storage"
)

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
// Of the attribute schema, the page asks for what self-service shows and
// lets the customer change (attrform.Askable): a visible, read-only
// attribute is not the customer's to set.
func fieldsFor(store *storage.IdentityStore) formFields {
	f := formFields{Email: allows(store, storage.IdentifierEmail),
		Username: allows(store, storage.IdentifierUsername), Phone: allows(store, storage.IdentifierPhone)}
	f.UsernameRequired = f.Username && !f.Email
	f.PhoneRequired = f.Phone && !f.Email && !f.Username
	f.Attributes = attrform.Askable(store.Attributes)
	return f
}

// attrField is the form field name of an attribute.
func attrField(name string) string { return "attr." + name }

// attrNaming names an attribute's field and element id on the page.
func attrNaming(name string) (field, id string) { return attrField(name), attrField(name) }

// readRegisterForm reads the posted fields the page showed.
func readRegisterForm(r *http.Request, fields formFields) registerForm {
	form := registerForm{
		Password: r.PostFormValue("password"),
		Confirm:  r.PostFormValue("password_confirm"), Accepted: r.PostFormValue("accept_terms") == "on",
		Attributes: attrform.Read(fields.Attributes, r.PostFormValue, attrNaming),
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
	for name, key := range attrform.Check(fields.Attributes, form.Attributes) {
		errs[attrField(name)] = key
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

// attributeLabels are the page's attribute inputs with the values typed
// (registerData.AttributeInputs adds the errors). An attribute without a label in the schema takes
// the theme's "attribute.<name>" message when there is one, else its
// name.
func (h *Handler) attributeLabels(lang string, defs []storage.AttributeDef, values map[string]string, name attrform.Naming) []attrform.Input {
	inputs := attrform.Inputs(defs, values, name)
	for i, d := range defs {
		if d.Label != "" {
			continue
		}
		if key := "attribute." + d.Name; h.render.T(lang, key) != key {
			inputs[i].Label = h.render.T(lang, key)
		}
	}
	return inputs
}
