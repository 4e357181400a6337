package console

import (
	"net/http"
	"slices"
	"strings"

	"foyer/storage"
)

// The self-service policy's "Sign in with external identities" (issue
// 16): which upstream providers the application's sign-in and
// registration pages offer, whose multi-factor sign-in counts as a
// second factor, and whether invitees may accept with one.

// externalForm is that part as shown or typed. The buttons follow the
// order of Providers, which is the form's: the providers by name.
type externalForm struct {
	Providers, TrustMFA []string
	Invitations         bool
}

// Field names of the external part: the form's, which the service's
// "self_service.external.<name>" errors map to ("external_<name>").
const (
	fieldExternalProviders   = "external_providers"
	fieldExternalTrustMFA    = "external_trust_mfa"
	fieldExternalInvitations = "external_invitations"
)

func externalOf(e storage.ExternalSignIn) externalForm {
	return externalForm{Providers: e.Providers, TrustMFA: e.TrustMFA, Invitations: e.Invitations}
}

func readExternal(r *http.Request) externalForm {
	return externalForm{Providers: r.PostForm[fieldExternalProviders], TrustMFA: r.PostForm[fieldExternalTrustMFA],
		Invitations: r.PostFormValue(fieldExternalInvitations) == "yes"}
}

// apply writes the form into e (empty lists, never nil: the JSON says
// "none" rather than leaving it out).
func (f externalForm) apply(e *storage.ExternalSignIn) {
	e.Providers, e.TrustMFA = nonNil(f.Providers), nonNil(f.TrustMFA)
	e.Invitations = f.Invitations
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return slices.Clone(s)
}

// externalField maps the service's "self_service.external.X" to the
// form's field external_X.
func externalField(field string) (string, bool) {
	rest, ok := strings.CutPrefix(field, "self_service.external.")
	return "external_" + rest, ok
}

// providerGroup is one identity store's providers in the form; Unknown
// holds ids the policy names that no listed store has (another store's,
// or deleted): still shown, checked, so a save keeps them unless
// unchecked, and the service says what is wrong with them.
type providerGroup struct {
	StoreName string
	Unknown   bool
	Providers []providerChoice
}

// providerChoice is one provider's two checkboxes.
type providerChoice struct {
	ID, Name         string
	Enabled          bool
	Offered, Trusted bool
}

// externalChoices are the providers the form offers: the enabled ones of
// each of the policy's stores by name, plus those the form has checked
// (a disabled provider stays offered until unchecked).
func (h *Handler) externalChoices(r *http.Request, rq *request, storeIDs []string, f externalForm) ([]providerGroup, error) {
	names := storeNames(rq)
	seen := map[string]bool{}
	var out []providerGroup
	for _, sid := range storeIDs {
		ps, err := h.store.ListUpstreamProviders(r.Context(), sid)
		if err != nil {
			return nil, err
		}
		g := providerGroup{StoreName: names[sid]}
		if g.StoreName == "" {
			g.StoreName = sid
		}
		for _, p := range ps {
			c := providerChoice{ID: p.ID, Name: p.Name, Enabled: p.Enabled,
				Offered: slices.Contains(f.Providers, p.ID), Trusted: slices.Contains(f.TrustMFA, p.ID)}
			if c.Enabled || c.Offered || c.Trusted {
				g.Providers = append(g.Providers, c)
				seen[p.ID] = true
			}
		}
		if len(g.Providers) > 0 {
			out = append(out, g)
		}
	}
	unknown := providerGroup{Unknown: true}
	for _, id := range f.Providers {
		if !seen[id] {
			seen[id] = true
			unknown.Providers = append(unknown.Providers, providerChoice{ID: id, Name: id, Offered: true, Trusted: slices.Contains(f.TrustMFA, id)})
		}
	}
	if len(unknown.Providers) > 0 {
		out = append(out, unknown)
	}
	return out, nil
}
