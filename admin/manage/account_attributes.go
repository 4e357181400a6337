package manage

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"foyer/storage"
)

// AttributesInput is an administrator's edit of an account's profile:
// only what it names changes (a nil field, an attribute left out). An
// empty string clears. Attributes are those the store's schema lets the
// console edit; the identifiers follow the store's rules.
type AttributesInput struct {
	Email      *string           `json:"email,omitempty"`
	Phone      *string           `json:"phone,omitempty"`
	Username   *string           `json:"username,omitempty"`
	Language   *string           `json:"language,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
	// Notify, optional, tells the customer what changed (account_notify.go).
	Notify *NotifyChoice `json:"notify,omitempty"`
}

// maxLanguageTag bounds a language tag (BCP 47 tags in use are far
// shorter).
const maxLanguageTag = 35

// UpdateAttributes applies the edit if the account is still at version
// (0: whatever it is now; ErrStale otherwise), validated as the account
// portal validates a customer's own edit (storage.CheckAttributes and the
// identifier rules). A taken e-mail address, phone number or username is
// a field error; a new address or number is unconfirmed until its owner
// proves it. Action account.attributes_updated, Before/After the changed
// fields. Refused input changes nothing.
func (s *AccountProfiles) UpdateAttributes(ctx context.Context, a Actor, storeID, id string, version int64, in AttributesInput) (*AccountProfile, error) {
	var out *AccountProfile
	err := s.core.Apply(ctx, a, WriteAccounts, storeID, func(tx context.Context) (Change, error) {
		acct, err := LoadAccount(tx, s.store, a, WriteAccounts, storeID, id)
		if err != nil {
			return Change{}, err
		}
		switch {
		case version == 0:
			version = acct.Version
		case version != acct.Version:
			// Said before any field error: the form is of an older account.
			return Change{}, ErrStale
		}
		is, err := s.store.GetIdentityStore(tx, storeID)
		if err != nil {
			return Change{}, err
		}
		updated, err := s.edited(tx, is, acct, in)
		if err != nil {
			return Change{}, err
		}
		before, after := profileDiff(acct, updated)
		if err := s.store.UpdateAccountProfileAt(tx, updated, version); err != nil {
			return Change{}, conflictAs(err, "an identifier of the edit is taken in the identity store")
		}
		if out, err = s.profile(tx, updated); err != nil {
			return Change{}, err
		}
		if len(after) == 0 && len(before) == 0 {
			return Change{}, nil // nothing changed: no entry, but the version check held
		}
		if err := s.profileNotice(tx, a, acct, in.Notify, after); err != nil {
			return Change{}, err
		}
		return accountChange("account.attributes_updated", acct, before, after), nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// edited is the account with the edit applied, or the field errors.
func (s *AccountProfiles) edited(ctx context.Context, is *storage.IdentityStore, acct *storage.Account, in AttributesInput) (*storage.Account, error) {
	p := Problems{}
	u := *acct
	u.Attributes = maps.Clone(acct.Attributes)
	if u.Attributes == nil {
		u.Attributes = map[string]string{}
	}
	editAttributes(is.Attributes, &u, in.Attributes, p)
	if in.Email != nil {
		u.Email = storage.CleanIdentifier(storage.IdentifierEmail, *in.Email)
	}
	if in.Phone != nil {
		u.Phone = storage.CleanIdentifier(storage.IdentifierPhone, *in.Phone)
	}
	if in.Username != nil {
		u.Username = strings.TrimSpace(*in.Username)
		if u.Username != acct.Username && !slices.Contains(is.IdentifierTypes, storage.IdentifierUsername) {
			p.Add("username", "the identity store has no usernames")
		}
	}
	if in.Language != nil {
		u.Language = strings.TrimSpace(*in.Language)
		if _, err := language.Parse(u.Language); u.Language != "" && (err != nil || len(u.Language) > maxLanguageTag) {
			p.Add("language", "use a language tag such as en or de-AT")
		}
	}
	if err := s.checkIdentifiers(ctx, is, acct, &u, p); err != nil {
		return nil, err
	}
	if !strings.EqualFold(u.Email, acct.Email) {
		// Nobody proved the new mailbox: unconfirmed until its owner does.
		u.EmailConfirmed, u.EmailUnproven = false, false
	}
	if u.Phone != acct.Phone {
		u.PhoneConfirmed = false
	}
	return &u, p.Err()
}

// editAttributes sets the posted attributes the console may edit and
// checks the console-editable ones as self-service does.
func editAttributes(schema []storage.AttributeDef, u *storage.Account, posted map[string]string, p Problems) {
	var editable []storage.AttributeDef
	for _, d := range schema {
		if d.AdminVisible && d.AdminEditable {
			editable = append(editable, d)
		}
	}
	values := map[string]string{}
	for _, d := range editable {
		if v, ok := u.Attributes[d.Name]; ok {
			values[d.Name] = v
		}
	}
	for name, v := range posted {
		if !slices.ContainsFunc(editable, func(d storage.AttributeDef) bool { return d.Name == name }) {
			p.Add("attributes."+name, "is not an attribute the console may edit")
			continue
		}
		v = cleanAttribute(schema, name, v)
		values[name] = v
		if v == "" {
			delete(u.Attributes, name)
			delete(values, name)
		} else {
			u.Attributes[name] = v
		}
	}
	if len(posted) == 0 {
		return // nothing edited: the stored values are not re-judged
	}
	for name, msg := range storage.CheckAttributes(editable, values) {
		p.Add("attributes."+name, msg)
	}
}

// cleanAttribute trims the value and cleans a phone number, as the
// self-service form reads one (attrform.Read).
func cleanAttribute(schema []storage.AttributeDef, name, v string) string {
	v = strings.TrimSpace(v)
	for _, d := range schema {
		if d.Name == name && d.TypeOrDefault() == storage.AttrPhone {
			return storage.CleanIdentifier(storage.IdentifierPhone, v)
		}
	}
	return v
}

// checkIdentifiers applies the identifier rules to what changed: valid,
// not taken by another account of the store, and at least one of the
// store's sign-in identifiers left.
func (s *AccountProfiles) checkIdentifiers(ctx context.Context, is *storage.IdentityStore, old, u *storage.Account, p Problems) error {
	fields := []struct {
		kind     storage.IdentifierType
		old, new string
	}{
		{storage.IdentifierEmail, old.Email, u.Email},
		{storage.IdentifierPhone, old.Phone, u.Phone},
		{storage.IdentifierUsername, old.Username, u.Username},
	}
	left := false
	for _, f := range fields {
		if f.new != "" && slices.Contains(is.IdentifierTypes, f.kind) {
			left = true
		}
		if f.new == f.old || f.new == "" {
			continue
		}
		if !storage.ValidIdentifier(f.kind, f.new) {
			p.Add(string(f.kind), "is not a valid "+identifierWord(f.kind))
			continue
		}
		other, err := s.store.FindAccountByIdentifier(ctx, is.ID, f.kind, f.new)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		case other.ID != old.ID:
			p.Add(string(f.kind), "another account of the identity store has this "+identifierWord(f.kind))
		}
	}
	if !left && len(is.IdentifierTypes) > 0 {
		p.Add(string(is.IdentifierTypes[0]), "the account needs an identifier to sign in with")
	}
	return nil
}

func identifierWord(kind storage.IdentifierType) string {
	switch kind {
	case storage.IdentifierEmail:
		return "e-mail address"
	case storage.IdentifierPhone:
		return "phone number (E.164, e.g. +4915112345678)"
	}
	return "username"
}

// profileDiff holds the changed fields before and after.
func profileDiff(old, u *storage.Account) (before, after map[string]any) {
	before, after = map[string]any{}, map[string]any{}
	pair := func(name string, b, a any) {
		before[name], after[name] = b, a
	}
	if old.Email != u.Email {
		pair("email", old.Email, u.Email)
	}
	if old.Phone != u.Phone {
		pair("phone", old.Phone, u.Phone)
	}
	if old.Username != u.Username {
		pair("username", old.Username, u.Username)
	}
	if old.Language != u.Language {
		pair("language", old.Language, u.Language)
	}
	ab, aa := map[string]string{}, map[string]string{}
	for name := range mergedKeys(old.Attributes, u.Attributes) {
		if old.Attributes[name] != u.Attributes[name] {
			ab[name], aa[name] = old.Attributes[name], u.Attributes[name]
		}
	}
	if len(aa) > 0 {
		pair("attributes", ab, aa)
	}
	if len(after) == 0 {
		return nil, nil
	}
	return before, after
}

func mergedKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
