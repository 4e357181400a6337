package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"foyer/storage"
)

// PoliciesStore is what the policies service needs from storage.
type PoliciesStore interface {
	storage.Policies
	policyStores
	consentPublisher
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	ListApplicationsPage(ctx context.Context, storeIDs []string, after string, limit int) ([]storage.Application, error)
}

// Policies manages named policies. A policy belongs to no identity store
// (several stores' applications may share it): any actor that may read
// configuration somewhere reads them, changing one takes WriteConfig from
// a grant without store limit.
type Policies struct {
	core  *Core
	store PoliciesStore
}

// NewPolicies returns the service; store must be the store core runs its
// transactions on.
func NewPolicies(core *Core, store PoliciesStore) *Policies {
	return &Policies{core: core, store: store}
}

func (s *Policies) requireRead(a Actor) error {
	if !a.CanAnyStore(ReadConfig) {
		return ErrForbidden
	}
	return nil
}

// List returns up to limit policies of the kind ("" every kind) after the
// id after, ordered by id.
func (s *Policies) List(ctx context.Context, a Actor, kind storage.PolicyKind, after string, limit int) ([]PolicyView, error) {
	if err := s.requireRead(a); err != nil {
		return nil, err
	}
	if kind != "" && !kind.Valid() {
		return nil, Problems{"kind": "one of " + kindList()}.Err()
	}
	ps, err := s.store.ListPolicies(ctx, kind, after, limit)
	if err != nil {
		return nil, err
	}
	seen, err := s.seenApplications(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]PolicyView, 0, len(ps))
	for i := range ps {
		v, err := s.view(ctx, &ps[i])
		if err != nil {
			return nil, err
		}
		out = append(out, seen.filter(v))
	}
	return out, nil
}

// seenApplications are the applications the actor may see (nil: every
// one): a policy is shared by the stores, but which applications of
// other stores use it is not a store-limited actor's to learn, nor the
// console's application a non-owner's.
type seenApplications map[string]bool

func (s *Policies) seenApplications(ctx context.Context, a Actor) (seenApplications, error) {
	if a.Can(ReadConfig, "") && ownsAdministrators(a, ReadConfig) {
		return nil, nil
	}
	apps, err := s.store.ListApplicationsPage(ctx, storeScope(a, ReadConfig), "", 0)
	if err != nil {
		return nil, err
	}
	seen := seenApplications{}
	for _, app := range apps {
		if canSeeStore(a, app.StoreID) {
			seen[app.ID] = true
		}
	}
	return seen, nil
}

// filter keeps, of the view's applications, those seen.
func (seen seenApplications) filter(v PolicyView) PolicyView {
	if seen == nil {
		return v
	}
	v.Applications = slices.DeleteFunc(v.Applications, func(id string) bool { return !seen[id] })
	return v
}

// Get returns one policy with the applications using it.
func (s *Policies) Get(ctx context.Context, a Actor, id string) (PolicyView, error) {
	if err := s.requireRead(a); err != nil {
		return PolicyView{}, err
	}
	p, err := s.store.GetPolicy(ctx, id)
	if err != nil {
		return PolicyView{}, err
	}
	seen, err := s.seenApplications(ctx, a)
	if err != nil {
		return PolicyView{}, err
	}
	v, err := s.view(ctx, p)
	return seen.filter(v), err
}

func (s *Policies) view(ctx context.Context, p *storage.Policy) (PolicyView, error) {
	apps, err := s.store.PolicyApplications(ctx, p.ID)
	if err != nil {
		return PolicyView{}, err
	}
	return ViewPolicy(p, apps), nil
}

// Create adds a policy (never a Default: SetDefault makes one).
func (s *Policies) Create(ctx context.Context, a Actor, in PolicyInput) (PolicyView, error) {
	problems := Problems{}
	if !in.Kind.Valid() {
		problems.Add("kind", "one of "+kindList())
	}
	validName(problems, "name", in.Name)
	p := in.policy()
	if in.Kind.Valid() {
		in.validateBody(problems, p)
		if err := externalProvidersExist(ctx, s.store, problems, p); err != nil {
			return PolicyView{}, err
		}
	}
	if err := problems.Err(); err != nil {
		return PolicyView{}, err
	}
	var out PolicyView
	err := s.core.Apply(ctx, a, WriteConfig, "", func(ctx context.Context) (Change, error) {
		if err := s.store.CreatePolicy(ctx, &p); err != nil {
			return Change{}, conflictAs(err, "a policy of this kind with this name exists")
		}
		out = ViewPolicy(&p, nil)
		return Change{Action: "policy.created", TargetType: "policy", TargetID: p.ID, After: out}, nil
	})
	return out, err
}

// Update renames the policy and, when the input carries a body, replaces
// it, if the policy is still at version. The change reaches every
// application using the policy in the same transaction; a body that does
// not fit one of their identity stores is refused.
func (s *Policies) Update(ctx context.Context, a Actor, id string, version int64, in PolicyInput) (PolicyView, error) {
	var out PolicyView
	err := s.core.Apply(ctx, a, WriteConfig, "", func(ctx context.Context) (Change, error) {
		cur, err := s.store.GetPolicy(ctx, id)
		if err != nil {
			return Change{}, err
		}
		before, err := s.view(ctx, cur)
		if err != nil {
			return Change{}, err
		}
		if err := s.requireAdministratorsOwner(ctx, a, cur.Kind, before.Applications); err != nil {
			return Change{}, err
		}
		next, err := s.merge(ctx, cur, in, before.Applications)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.UpdatePolicy(ctx, &next, version); err != nil {
			return Change{}, conflictAs(err, "another policy of this kind has this name")
		}
		if cur.Kind == storage.PolicyConsent {
			if err := s.outdate(ctx, cur.Consents, next.Consents, before.Applications); err != nil {
				return Change{}, err
			}
		}
		out = ViewPolicy(&next, before.Applications)
		return Change{Action: "policy.updated", TargetType: "policy", TargetID: id, Before: before, After: out}, nil
	})
	return out, err
}

// requireAdministratorsOwner keeps the self-service and MFA policies that
// an application of the administrators store uses (the console's own) an
// owner's to change, as that application is: they decide how
// administrators sign in, recover and enrol a second factor, so an admin
// who is no owner must not weaken them (shorter passwords, reset by SMS)
// on the way to an owner's account. Consent and portal policies shape no
// sign-in; the console shares their Defaults, which stay every admin's.
func (s *Policies) requireAdministratorsOwner(ctx context.Context, a Actor, kind storage.PolicyKind, apps []string) error {
	if kind != storage.PolicySelfService && kind != storage.PolicyMFA || ownsAdministrators(a, WriteConfig) {
		return nil
	}
	for _, id := range apps {
		app, err := s.store.GetApplication(ctx, id)
		if err != nil {
			return err
		}
		if app.StoreID == storage.AdministratorsStoreID {
			return fmt.Errorf("policy used by the admin console's application %q, an owner's to change: %w", id, ErrForbidden)
		}
	}
	return nil
}

// merge validates the input against the stored policy and the stores of
// the applications using it, and returns the policy to store.
func (s *Policies) merge(ctx context.Context, cur *storage.Policy, in PolicyInput, apps []string) (storage.Policy, error) {
	problems := Problems{}
	if in.Kind != "" && in.Kind != cur.Kind {
		problems.Add("kind", fmt.Sprintf("a policy's kind cannot change (it is %s)", cur.Kind))
	}
	validName(problems, "name", in.Name)
	in.Kind = cur.Kind
	next := *cur
	next.Name = strings.TrimSpace(in.Name)
	if in.hasBody() {
		body := in.policy()
		next.SelfService, next.MFA, next.Consents, next.Portal = body.SelfService, body.MFA, body.Consents, body.Portal
	}
	in.validateBody(problems, next)
	if len(apps) == 0 {
		if err := externalProvidersExist(ctx, s.store, problems, next); err != nil {
			return next, err
		}
	}
	if len(problems) == 0 {
		for _, appID := range apps {
			app, err := s.store.GetApplication(ctx, appID)
			if err != nil {
				return next, err
			}
			msg, err := fitsApplication(ctx, s.store, next, app)
			if err != nil {
				return next, err
			}
			if msg != "" {
				problems.Add(string(cur.Kind), fmt.Sprintf("application %s: %s", appID, msg))
			}
		}
	}
	return next, problems.Err()
}

// Delete removes a policy no application uses and that is no Default
// (ErrConflict otherwise).
func (s *Policies) Delete(ctx context.Context, a Actor, id string, version int64) error {
	return s.core.Apply(ctx, a, WriteConfig, "", func(ctx context.Context) (Change, error) {
		cur, err := s.store.GetPolicy(ctx, id)
		if err != nil {
			return Change{}, err
		}
		before := ViewPolicy(cur, nil)
		if err := s.store.DeletePolicy(ctx, id, version); err != nil {
			return Change{}, conflictAs(err, "the policy is a Default or assigned to applications")
		}
		return Change{Action: "policy.deleted", TargetType: "policy", TargetID: id, Before: before}, nil
	})
}

// SetDefault makes the policy its kind's Default: applications created
// from now on get it; those that have the previous Default keep it.
func (s *Policies) SetDefault(ctx context.Context, a Actor, id string) (PolicyView, error) {
	var out PolicyView
	err := s.core.Apply(ctx, a, WriteConfig, "", func(ctx context.Context) (Change, error) {
		cur, err := s.store.GetPolicy(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if cur.IsDefault {
			out, err = s.view(ctx, cur)
			return Change{}, err
		}
		old, err := s.store.GetDefaultPolicy(ctx, cur.Kind)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.SetDefaultPolicy(ctx, id); err != nil {
			return Change{}, err
		}
		now, err := s.store.GetPolicy(ctx, id)
		if err != nil {
			return Change{}, err
		}
		if out, err = s.view(ctx, now); err != nil {
			return Change{}, err
		}
		return Change{Action: "policy.default_set", TargetType: "policy", TargetID: id,
			Before: map[string]string{"kind": string(cur.Kind), "default": old.ID},
			After:  map[string]string{"kind": string(cur.Kind), "default": id}}, nil
	})
	return out, err
}

// outdate ends the acceptances of the consent versions a policy change
// replaced, in the stores of the applications using the policy.
func (s *Policies) outdate(ctx context.Context, old, updated []storage.ConsentDocument, apps []string) error {
	stores := make([]string, 0, len(apps))
	for _, id := range apps {
		app, err := s.store.GetApplication(ctx, id)
		if err != nil {
			return err
		}
		stores = append(stores, app.StoreID)
	}
	return outdateReplaced(ctx, s.store, old, updated, stores, s.core.Now())
}

func kindList() string {
	names := make([]string, len(storage.PolicyKinds))
	for i, k := range storage.PolicyKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
