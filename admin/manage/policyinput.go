package manage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"foyer/storage"
)

// PolicyInput is a named policy as the API and the console send it: the
// kind, the name and the body of the kind (the field named after it; an
// absent body is the kind's built-in default).
type PolicyInput struct {
	Kind        storage.PolicyKind         `json:"kind"`
	Name        string                     `json:"name"`
	SelfService *storage.SelfServicePolicy `json:"self_service,omitempty"`
	MFA         *storage.MFAPolicy         `json:"mfa,omitempty"`
	Consent     *[]storage.ConsentDocument `json:"consent,omitempty"`
	Portal      *storage.PortalPolicy      `json:"portal,omitempty"`
}

// hasBody reports whether the input carries a body of its kind.
func (in PolicyInput) hasBody() bool {
	switch in.Kind {
	case storage.PolicySelfService:
		return in.SelfService != nil
	case storage.PolicyMFA:
		return in.MFA != nil
	case storage.PolicyConsent:
		return in.Consent != nil
	case storage.PolicyPortal:
		return in.Portal != nil
	}
	return false
}

// policy is the input as a storage policy (kind and body, no id).
func (in PolicyInput) policy() storage.Policy {
	p := storage.Policy{Kind: in.Kind, Name: strings.TrimSpace(in.Name)}
	switch {
	case in.SelfService != nil:
		p.SelfService = *in.SelfService
	case in.Kind == storage.PolicySelfService:
		p.SelfService = storage.DefaultSelfServicePolicy()
	}
	switch {
	case in.MFA != nil:
		p.MFA = *in.MFA
	case in.Kind == storage.PolicyMFA:
		p.MFA = storage.DefaultMFAPolicy()
	}
	if in.Consent != nil {
		p.Consents = *in.Consent
	}
	if in.Portal != nil {
		p.Portal = *in.Portal
	}
	return p
}

// validName checks a policy's or application's name into the problems.
func validName(problems Problems, field, name string) {
	switch n := strings.TrimSpace(name); {
	case n == "":
		problems.Add(field, "required")
	case len(n) > 100:
		problems.Add(field, "at most 100 characters")
	case strings.IndexFunc(n, unicode.IsControl) >= 0:
		problems.Add(field, "one line without control characters")
	}
}

// validateBody checks the body of p's kind with the one validation each
// kind has in storage (the CLI's too). Bodies of other kinds than the
// input's are refused so a typo is not silently ignored.
func (in PolicyInput) validateBody(problems Problems, p storage.Policy) {
	others := map[storage.PolicyKind]bool{storage.PolicySelfService: in.SelfService != nil,
		storage.PolicyMFA: in.MFA != nil, storage.PolicyConsent: in.Consent != nil, storage.PolicyPortal: in.Portal != nil}
	for k, set := range others {
		if set && k != p.Kind {
			problems.Add(string(k), fmt.Sprintf("a %s policy has no %s settings", p.Kind, k))
		}
	}
	if err := bodyError(p, nil); err != nil {
		problems.Add(string(p.Kind), err.Error())
	}
	if p.Kind == storage.PolicySelfService {
		onboardingProblems(problems, p.SelfService.Onboarding)
	}
}

// onboardingProblems checks what the onboarding settings need whatever
// the store: a registration that joins people to organizations must say
// which role they get there.
func onboardingProblems(problems Problems, o storage.Onboarding) {
	if o.CustomerRegistration && strings.TrimSpace(o.NewOrganizationRoleID) == "" {
		problems.Add("self_service.onboarding.new_organization_role_id",
			"choose the role the first member of a new organization gets")
	}
	if o.PartnerRegistration && strings.TrimSpace(o.PartnerRoleID) == "" {
		problems.Add("self_service.onboarding.partner_role_id",
			"choose the role people joining a partner with its code get")
	}
}

// bodyError is the body's own problems; with a store, also whether it fits
// an application of that identity store.
func bodyError(p storage.Policy, store *storage.IdentityStore) error {
	switch p.Kind {
	case storage.PolicySelfService:
		return p.SelfService.Validate(store)
	case storage.PolicyMFA:
		return p.MFA.Validate()
	case storage.PolicyConsent:
		return storage.ValidateConsentPolicy(p.Consents)
	case storage.PolicyPortal:
		return p.Portal.Validate()
	}
	return nil
}

// fitsApplication reports, as a message, why the policy cannot serve the
// application ("" when it can): what fitsStore finds, and for the admin
// console's application an MFA policy that does not require a second
// factor (administrators always sign in with one).
func fitsApplication(ctx context.Context, st policyStores, p storage.Policy, app *storage.Application) (string, error) {
	if app.ID == ConsoleApplicationID && p.Kind == storage.PolicyMFA && p.MFA.WithDefaults().Mode != storage.MFARequired {
		return "the admin console's MFA policy must require a second factor", nil
	}
	return fitsStore(ctx, st, p, app.StoreID)
}

// fitsStore reports, as a message, why the policy cannot serve an
// application of the identity store ("" when it can): a self-service
// policy with activation where the store collects no e-mail address, a
// portal policy naming a group the store lacks.
func fitsStore(ctx context.Context, st policyStores, p storage.Policy, storeID string) (string, error) {
	if p.Kind != storage.PolicySelfService && p.Kind != storage.PolicyPortal {
		return "", nil
	}
	store, err := st.GetIdentityStore(ctx, storeID)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil // nothing to check against; sign-in refuses such an application anyway
	}
	if err != nil {
		return "", err
	}
	if p.Kind == storage.PolicySelfService {
		// A problem of the policy is the caller's message, not a failure.
		if problem := p.SelfService.Validate(store); problem != nil {
			return problem.Error(), nil //nolint:nilerr // the problem is the answer
		}
		if msg, err := externalProvidersFit(ctx, st, p.SelfService.External, storeID); msg != "" || err != nil {
			return msg, err
		}
		return onboardingRolesFit(ctx, st, p.SelfService.Onboarding, storeID)
	}
	for _, g := range p.Portal.Groups {
		if _, err := st.GetGroupByName(ctx, storeID, g); errors.Is(err, storage.ErrNotFound) {
			return fmt.Sprintf("no group %q in identity store %q", g, storeID), nil
		} else if err != nil {
			return "", err
		}
	}
	return "", nil
}

// onboardingRolesFit reports, as a message, a registration role the
// store does not define: role ids are a store's own, so a named policy
// shared by applications of several stores can name them for one store
// only (each store needs its own policy then).
func onboardingRolesFit(ctx context.Context, st policyStores, o storage.Onboarding, storeID string) (string, error) {
	for _, r := range []struct {
		what, id string
		admin    bool // must make its holders organization administrators
	}{
		{"the new organization role", o.NewOrganizationRoleID, true}, {"the partner role", o.PartnerRoleID, false},
	} {
		if r.id == "" {
			continue
		}
		role, err := st.GetStoreRole(ctx, storeID, r.id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return fmt.Sprintf("%s %q is not a role of identity store %q", r.what, r.id, storeID), nil
		case err != nil:
			return "", err
		case r.admin && !role.OrganizationAdmin:
			// Seed 003: the first member is the new customer's account
			// administrator; without it nobody could manage the company.
			return fmt.Sprintf("%s %q is not an organization administrator role: the first member must be able to administer the new organization", r.what, role.Name), nil
		}
	}
	return "", nil
}

// policyStores is what the fit checks read.
type policyStores interface {
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetGroupByName(ctx context.Context, storeID, name string) (*storage.Group, error)
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
	GetUpstreamProvider(ctx context.Context, id string) (*storage.UpstreamProvider, error)
}
