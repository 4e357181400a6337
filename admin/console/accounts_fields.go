package console

import (
	"net/http"
	"slices"

	"foyer/admin/manage"
	"foyer/storage"
)

// searchField is one field of the account search panel.
type searchField struct {
	Name  string // the query parameter
	Label string // message key
	// Attr is an attribute's label, the argument of the attribute keys.
	Attr    string
	Kind    string // text, select or datetime
	Value   string
	Options []fieldOption
	Pinned  bool
	Error   string
}

// fieldOption is a choice of a select; Label is a message key, Text a
// name shown as is (a group's).
type fieldOption struct {
	Value, Label, Text string
	Selected           bool
}

// searchFields are the panel's fields in their order: the fixed ones,
// then each attribute the console shows (exact and prefix), with the
// values of the search shown and the errors of its parameters.
func (h *Handler) searchFields(r *http.Request, rq *request, s *manage.IdentityStore, q manage.AccountQuery, ve *manage.ValidationError) ([]searchField, error) {
	values := q.Values()
	choices, err := h.searchChoices(r, rq, s.ID)
	if err != nil {
		return nil, err
	}
	var out []searchField
	for _, name := range manage.SearchFields {
		f := searchField{Name: name, Label: "admin.accounts.field." + name, Kind: "text", Value: values.Get(name)}
		if opts, ok := choices[name]; ok {
			f.Kind = "select"
			f.Options = selectOptions(opts, f.Value)
		} else if slices.Contains([]string{"created_after", "created_before", "last_login_after", "last_login_before"}, name) {
			f.Kind = "datetime"
		}
		out = append(out, f)
	}
	for _, a := range s.Attributes {
		if !a.AdminVisible {
			continue
		}
		label := a.Label
		if label == "" {
			label = a.Name
		}
		for _, p := range []struct{ param, key string }{
			{manage.AttrParam, "admin.accounts.field.attr"}, {manage.AttrPrefixParam, "admin.accounts.field.attr_prefix"},
		} {
			name := p.param + a.Name
			out = append(out, searchField{Name: name, Label: p.key, Attr: label, Kind: "text", Value: values.Get(name)})
		}
	}
	if ve != nil {
		for i := range out {
			out[i].Error = ve.Fields[out[i].Name]
		}
	}
	return out, nil
}

// searchChoices are the options of the select fields: fixed ones and the
// store's groups, organizations, roles and upstream providers.
func (h *Handler) searchChoices(r *http.Request, rq *request, storeID string) (map[string][]fieldOption, error) {
	yesNo := []fieldOption{{Value: "true", Label: "admin.accounts.yes"}, {Value: "false", Label: "admin.accounts.no"}}
	out := map[string][]fieldOption{
		"status": {{Value: string(storage.AccountEnabled), Label: "admin.account.label.enabled"},
			{Value: string(storage.AccountDisabled), Label: "admin.account.label.disabled"},
			{Value: string(storage.AccountPending), Label: "admin.account.label.pending"}},
		"identity_verified": yesNo,
		"email_verified":    yesNo,
	}
	all := manage.ListOptions{}
	groups, err := h.groups.ListBy(r.Context(), rq.Actor, storeID, all)
	if err != nil {
		return nil, err
	}
	for _, g := range groups.Items {
		out["group"] = append(out["group"], fieldOption{Value: g.ID, Text: g.Name})
	}
	orgs, err := h.orgs.ListBy(r.Context(), rq.Actor, storeID, all)
	if err != nil {
		return nil, err
	}
	for _, o := range orgs.Items {
		out["organization"] = append(out["organization"], fieldOption{Value: o.ID, Text: o.Name})
	}
	roles, err := h.roles.ListBy(r.Context(), rq.Actor, storeID, all)
	if err != nil {
		return nil, err
	}
	for _, x := range roles.Items {
		out["role"] = append(out["role"], fieldOption{Value: x.ID, Text: x.Name})
	}
	// Providers by name; a legacy identity's free-form provider (foyer
	// account link) is searched by its value in the URL, which the select
	// then keeps as an option of its own.
	providers, err := h.store.ListUpstreamProviders(r.Context(), storeID)
	if err != nil {
		return nil, err
	}
	out["provider"] = []fieldOption{{Value: storage.AnyProvider, Label: "admin.accounts.provider_any"}}
	for _, p := range providers {
		out["provider"] = append(out["provider"], fieldOption{Value: p.ID, Text: p.Name})
	}
	for _, k := range []string{"group", "organization", "role"} {
		if out[k] == nil {
			out[k] = []fieldOption{}
		}
	}
	return out, nil
}

// selectOptions marks the chosen option; a value that is not among them
// (a group deleted since) is kept as an option of its own.
func selectOptions(opts []fieldOption, value string) []fieldOption {
	out := slices.Clone(opts)
	found := value == ""
	for i := range out {
		if out[i].Value == value {
			out[i].Selected, found = true, true
		}
	}
	if !found {
		out = append(out, fieldOption{Value: value, Text: value, Selected: true})
	}
	return out
}

// splitPinned puts the pinned fields first, in the administrator's order.
func splitPinned(fields []searchField, pins []string) (pinned, others []searchField) {
	for _, p := range pins {
		for _, f := range fields {
			if f.Name == p {
				f.Pinned = true
				pinned = append(pinned, f)
			}
		}
	}
	for _, f := range fields {
		if !slices.Contains(pins, f.Name) {
			others = append(others, f)
		}
	}
	return pinned, others
}
