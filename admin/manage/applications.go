package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"foyer/storage"
)

// ApplicationsStore is what the applications service needs from storage.
type ApplicationsStore interface {
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	ListApplicationsPage(ctx context.Context, storeIDs []string, after string, limit int) ([]storage.Application, error)
	CreateApplication(ctx context.Context, a *storage.Application) error
	UpdateApplication(ctx context.Context, a *storage.Application, version int64) error
	DeleteApplication(ctx context.Context, id string, version int64) error
	GetPolicy(ctx context.Context, id string) (*storage.Policy, error)
	AssignPolicy(ctx context.Context, applicationID, policyID string) error
	SetApplicationPolicy(ctx context.Context, applicationID string, p storage.Policy) (*storage.Policy, error)
	SetApplicationSlug(ctx context.Context, applicationID, slug string) error
	policyStores
	consentPublisher
}

// Applications manages applications. An application belongs to its
// identity store: reading it takes ReadConfig, changing it WriteConfig,
// on that store.
type Applications struct {
	core  *Core
	store ApplicationsStore
}

// NewApplications returns the service; store must be the store core runs
// its transactions on.
func NewApplications(core *Core, store ApplicationsStore) *Applications {
	return &Applications{core: core, store: store}
}

// undeletableApplications are the applications Foyer itself needs: the
// admin console's and the bootstrap's default one.
var undeletableApplications = []string{ConsoleApplicationID, "default"}

// ApplicationInput is what Create and Update take; StoreID is read by
// Create only (an application never moves to another store).
type ApplicationInput struct {
	ID             string   `json:"id,omitempty"`
	StoreID        string   `json:"store_id"`
	Name           string   `json:"name"`
	LogoURL        string   `json:"logo_url"`
	PrimaryColor   string   `json:"primary_color"`
	Organizational bool     `json:"organizational"`
	LoginSteps     []string `json:"login_steps"`
}

var (
	colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	stepPattern  = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)
	appIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
)

// validate checks the fields both Create and Update take.
func (in ApplicationInput) validate(problems Problems) {
	validName(problems, "name", in.Name)
	if in.LogoURL != "" {
		if u, err := url.Parse(in.LogoURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			problems.Add("logo_url", "an absolute http(s) URL")
		}
	}
	if in.PrimaryColor != "" && !colorPattern.MatchString(in.PrimaryColor) {
		problems.Add("primary_color", "a colour as #rrggbb")
	}
	for i, step := range in.LoginSteps {
		if !stepPattern.MatchString(step) || slices.Index(in.LoginSteps, step) != i {
			problems.Add("login_steps", fmt.Sprintf("step %q: distinct lower-case names such as identifier, password", step))
		}
	}
}

// storeScope is the identity stores whose applications the actor may see
// (nil: all of them).
func storeScope(a Actor, p Permission) []string {
	if a.Can(p, "") {
		return nil
	}
	ids := []string{}
	for _, g := range a.Grants {
		if RoleAllows(g.Role, p) {
			ids = append(ids, g.StoreIDs...)
		}
	}
	return ids
}

// List returns up to limit applications after the id after, ordered by
// id, of the stores the actor may read.
func (s *Applications) List(ctx context.Context, a Actor, after string, limit int) ([]ApplicationView, error) {
	if !a.CanAnyStore(ReadConfig) {
		return nil, ErrForbidden
	}
	scope := storeScope(a, ReadConfig)
	var out []ApplicationView
	for {
		apps, err := s.store.ListApplicationsPage(ctx, scope, after, limit)
		if err != nil {
			return nil, err
		}
		for i := range apps {
			// The console's application is the administrators store's:
			// an owner's only, whatever else the grant covers.
			if canSeeStore(a, apps[i].StoreID) {
				out = append(out, ViewApplication(&apps[i]))
			}
		}
		if limit <= 0 || len(out) >= limit || len(apps) < limit {
			if out == nil {
				out = []ApplicationView{}
			}
			out, _ = cut(out, limit)
			return out, nil
		}
		after = apps[len(apps)-1].ID
	}
}

// Get returns one application; one of a store the actor may not read is
// ErrNotFound (its existence is not told).
func (s *Applications) Get(ctx context.Context, a Actor, id string) (ApplicationView, error) {
	app, err := s.get(ctx, a, ReadConfig, id)
	if err != nil {
		return ApplicationView{}, err
	}
	return ViewApplication(app), nil
}

func (s *Applications) get(ctx context.Context, a Actor, p Permission, id string) (*storage.Application, error) {
	return applicationFor(ctx, s.store, a, p, id)
}

// applicationFor reads application id for a to act on with p: one that a
// may not even read is ErrNotFound, as if it did not exist; the
// administrators store's (the console's) is only an owner's (canSeeStore).
func applicationFor(ctx context.Context, store interface {
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
}, a Actor, p Permission, id string) (*storage.Application, error) {
	app, err := store.GetApplication(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeStore(a, app.StoreID) {
		return nil, ErrNotFound
	}
	if !a.Can(p, app.StoreID) {
		return nil, ErrForbidden
	}
	return app, nil
}

// Create adds an application to an identity store; it gets each kind's
// Default policy.
func (s *Applications) Create(ctx context.Context, a Actor, in ApplicationInput) (ApplicationView, error) {
	problems := Problems{}
	in.validate(problems)
	if in.ID != "" && !appIDPattern.MatchString(in.ID) {
		problems.Add("id", "1 to 64 lower-case letters, digits, '-' and '_'")
	}
	if err := s.checkStore(ctx, problems, in.StoreID); err != nil {
		return ApplicationView{}, err
	}
	if err := problems.Err(); err != nil {
		return ApplicationView{}, err
	}
	app := &storage.Application{ID: in.ID, StoreID: in.StoreID, Name: strings.TrimSpace(in.Name), LogoURL: in.LogoURL,
		PrimaryColor: in.PrimaryColor, Organizational: in.Organizational, LoginSteps: in.LoginSteps}
	var out ApplicationView
	err := s.core.Apply(ctx, a, WriteConfig, in.StoreID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateApplication(ctx, app); err != nil {
			return Change{}, conflictAs(err, "an application with this id or name exists")
		}
		out = ViewApplication(app)
		return Change{Action: "application.created", TargetType: "application", TargetID: app.ID, StoreID: app.StoreID, After: out}, nil
	})
	return out, err
}

// checkStore adds a problem unless storeID names an identity store a
// customer application may live in.
func (s *Applications) checkStore(ctx context.Context, problems Problems, storeID string) error {
	switch storeID {
	case "":
		problems.Add("store_id", "required")
	case storage.AdministratorsStoreID:
		// No customer application points at the administrators.
		problems.Add("store_id", "the administrators' store has only the admin console")
	default:
		_, err := s.store.GetIdentityStore(ctx, storeID)
		if isNotFound(err) {
			problems.Add("store_id", "no such identity store")
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Update changes the application's own fields (not its store, not its
// policies: AssignPolicy) if it is still at version.
func (s *Applications) Update(ctx context.Context, a Actor, id string, version int64, in ApplicationInput) (ApplicationView, error) {
	app, err := s.get(ctx, a, WriteConfig, id)
	if err != nil {
		return ApplicationView{}, err
	}
	problems := Problems{}
	in.validate(problems)
	if in.StoreID != "" && in.StoreID != app.StoreID {
		problems.Add("store_id", "an application cannot move to another identity store")
	}
	if err := problems.Err(); err != nil {
		return ApplicationView{}, err
	}
	var out ApplicationView
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		cur, err := s.store.GetApplication(ctx, id)
		if err != nil {
			return Change{}, err
		}
		before := ViewApplication(cur)
		cur.Name, cur.LogoURL, cur.PrimaryColor = strings.TrimSpace(in.Name), in.LogoURL, in.PrimaryColor
		cur.Organizational, cur.LoginSteps = in.Organizational, in.LoginSteps
		if err := s.store.UpdateApplication(ctx, cur, version); err != nil {
			return Change{}, conflictAs(err, "another application has this name")
		}
		out = ViewApplication(cur)
		return Change{Action: "application.updated", TargetType: "application", TargetID: id, StoreID: cur.StoreID, Before: before, After: out}, nil
	})
	return out, err
}

// Delete removes an application without clients (ErrConflict while it has
// some, and always for the console's and the default application).
func (s *Applications) Delete(ctx context.Context, a Actor, id string, version int64) error {
	app, err := s.get(ctx, a, WriteConfig, id)
	if err != nil {
		return err
	}
	if slices.Contains(undeletableApplications, id) {
		return Conflict(fmt.Sprintf("application %q is Foyer's own", id))
	}
	return s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		if err := s.store.DeleteApplication(ctx, id, version); err != nil {
			return Change{}, conflictAs(err, "the application still has clients: delete or move them first")
		}
		return Change{Action: "application.deleted", TargetType: "application", TargetID: id, StoreID: app.StoreID, Before: ViewApplication(app)}, nil
	})
}

// AssignPolicy gives the application a policy of the kind; a policy that
// does not fit the application's identity store is refused.
func (s *Applications) AssignPolicy(ctx context.Context, a Actor, id string, kind storage.PolicyKind, policyID string) (ApplicationView, error) {
	app, err := s.get(ctx, a, WriteConfig, id)
	if err != nil {
		return ApplicationView{}, err
	}
	if !kind.Valid() {
		return ApplicationView{}, Problems{"kind": "one of " + kindList()}.Err()
	}
	p, err := s.store.GetPolicy(ctx, policyID)
	if isNotFound(err) || (err == nil && p.Kind != kind) {
		return ApplicationView{}, Problems{"policy_id": fmt.Sprintf("no %s policy with this id", kind)}.Err()
	}
	if err != nil {
		return ApplicationView{}, err
	}
	if msg, err := fitsApplication(ctx, s.store, *p, app); err != nil {
		return ApplicationView{}, err
	} else if msg != "" {
		return ApplicationView{}, Problems{"policy_id": msg}.Err()
	}
	var out ApplicationView
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		if err := s.store.AssignPolicy(ctx, id, policyID); err != nil {
			return Change{}, err
		}
		if kind == storage.PolicyConsent {
			if err := outdateReplaced(ctx, s.store, app.Consents, p.Consents, []string{app.StoreID}, s.core.Now()); err != nil {
				return Change{}, err
			}
		}
		after, err := s.store.GetApplication(ctx, id)
		if err != nil {
			return Change{}, err
		}
		out = ViewApplication(after)
		return Change{Action: "policy.assigned", TargetType: "application", TargetID: id, StoreID: app.StoreID,
			Before: ViewApplication(app), After: out}, nil
	})
	return out, err
}

// SetOwnPolicy changes the application's policy of p.Kind to p's body,
// copy on write (storage.Policies.SetApplicationPolicy): the policy is
// changed in place when only this application uses it and it is no
// Default; otherwise the application gets a policy of its own, named
// after it, and the shared one stays as it was for the others. This is
// what the CLI's "foyer app policy|mfa|consent|portal set" do.
func (s *Applications) SetOwnPolicy(ctx context.Context, a Actor, id string, p storage.Policy) (PolicyView, error) {
	app, err := s.get(ctx, a, WriteConfig, id)
	if err != nil {
		return PolicyView{}, err
	}
	problems := Problems{}
	if err := bodyError(p, nil); err != nil {
		problems.Add(string(p.Kind), err.Error())
	} else if msg, err := fitsApplication(ctx, s.store, p, app); err != nil {
		return PolicyView{}, err
	} else if msg != "" {
		problems.Add(string(p.Kind), msg)
	}
	if p.Kind == storage.PolicySelfService {
		onboardingProblems(problems, p.SelfService.Onboarding)
	}
	if err := problems.Err(); err != nil {
		return PolicyView{}, err
	}
	var out PolicyView
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		before, err := s.store.GetPolicy(ctx, app.PolicyID(p.Kind))
		if err != nil && !isNotFound(err) {
			return Change{}, err
		}
		got, err := s.store.SetApplicationPolicy(ctx, id, p)
		if err != nil {
			return Change{}, err
		}
		if p.Kind == storage.PolicyConsent {
			if err := outdateReplaced(ctx, s.store, app.Consents, p.Consents, []string{app.StoreID}, s.core.Now()); err != nil {
				return Change{}, err
			}
		}
		out = ViewPolicy(got, nil)
		ch := Change{Action: "application.policy_set", TargetType: "application", TargetID: id, StoreID: app.StoreID, After: out}
		if before != nil {
			ch.Before = ViewPolicy(before, nil)
		}
		return ch, nil
	})
	return out, err
}

// SetSlug sets the application's friendly URL slug ("": none); a slug
// another application holds is ErrConflict.
func (s *Applications) SetSlug(ctx context.Context, a Actor, id, slug string) error {
	app, err := s.get(ctx, a, WriteConfig, id)
	if err != nil {
		return err
	}
	slug = strings.ToLower(strings.TrimSpace(slug))
	if slug != "" && !storage.SlugPattern.MatchString(slug) {
		return Problems{"slug": "1 to 40 lower-case letters, digits and inner '-'"}.Err()
	}
	return s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		if err := s.store.SetApplicationSlug(ctx, id, slug); err != nil {
			return Change{}, conflictAs(err, "another application uses this slug")
		}
		return Change{Action: "application.slug_set", TargetType: "application", TargetID: id, StoreID: app.StoreID,
			After: map[string]string{"slug": slug}}, nil
	})
}

func isNotFound(err error) bool { return err != nil && errors.Is(err, ErrNotFound) }
