package storage

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// PolicyKind is what a named policy governs.
type PolicyKind string

const (
	PolicySelfService PolicyKind = "self_service"
	PolicyMFA         PolicyKind = "mfa"
	PolicyConsent     PolicyKind = "consent"
	PolicyPortal      PolicyKind = "portal"
)

// PolicyKinds lists every kind.
var PolicyKinds = []PolicyKind{PolicySelfService, PolicyMFA, PolicyConsent, PolicyPortal}

// Valid reports whether k is one of PolicyKinds.
func (k PolicyKind) Valid() bool { return slices.Contains(PolicyKinds, k) }

// DefaultPolicyName is the name of each kind's Default policy as the
// migration creates it (an operator may rename it; IsDefault marks it).
const DefaultPolicyName = "Default"

// PortalPolicy is how the applications using it appear in the account
// portal: as a launcher tile or not, and to whom. The friendly URL (slug)
// is not part of it: a slug names exactly one application, so it cannot be
// shared and stays with the application (PortalSettings.Slug).
type PortalPolicy struct {
	LauncherEnabled bool `json:"launcher_enabled"`
	// Groups restricts the applications to members of any of these
	// groups (names, looked up in each application's identity store);
	// empty: everyone.
	Groups []string `json:"groups"`
}

// Policy is a named policy of one kind that applications are assigned.
// One policy may serve several applications; changing it changes them
// all. Only the field of its Kind is meaningful.
type Policy struct {
	ID   string
	Kind PolicyKind
	// Name is unique per kind, compared case-insensitively.
	Name string
	// IsDefault marks the kind's Default: new applications get it. Each
	// kind has exactly one.
	IsDefault   bool
	SelfService SelfServicePolicy // kind self_service; zero: the defaults
	MFA         MFAPolicy         // kind mfa
	// Consents is kind consent's documents; nil means DefaultConsentPolicy.
	Consents  []ConsentDocument
	Portal    PortalPolicy // kind portal
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ApplyTo copies the policy's body into the application's effective
// policy of its kind (portal policies live in PortalSettings, not here).
func (p *Policy) ApplyTo(a *Application) {
	switch p.Kind {
	case PolicySelfService:
		a.SelfService = p.SelfService
	case PolicyMFA:
		a.MFA = p.MFA
	case PolicyConsent:
		a.Consents = p.Consents
	}
}

// PolicyID is the id of the application's policy of the kind.
func (a *Application) PolicyID(k PolicyKind) string {
	switch k {
	case PolicySelfService:
		return a.SelfServicePolicyID
	case PolicyMFA:
		return a.MFAPolicyID
	case PolicyConsent:
		return a.ConsentPolicyID
	case PolicyPortal:
		return a.PortalPolicyID
	}
	return ""
}

// OwnPolicyName is the name of the policy an application gets when one of
// its policies is changed through the application while shared (copy on
// write, see Policies.SetApplicationPolicy).
func OwnPolicyName(a *Application) string { return fmt.Sprintf("%s (%s)", a.Name, a.ID) }

// Policies reads and writes named policies and their assignment to
// applications.
//
// Invariant: an application's effective policies (Application.SelfService,
// MFA, Consents and the launcher and groups of its PortalSettings) are a
// copy of the bodies of the policies it is assigned, kept in its own row so
// that authorization and sign-in read an application with its policies in
// one query. Every method here that changes a policy's body or an
// assignment rewrites those copies, for every application concerned, in
// the same transaction.
type Policies interface {
	// CreatePolicy inserts p, filling in ID, Version (1) and the times; a
	// name the kind already uses is ErrConflict, as is a second default.
	CreatePolicy(ctx context.Context, p *Policy) error
	GetPolicy(ctx context.Context, id string) (*Policy, error)
	// GetDefaultPolicy returns the kind's Default.
	GetDefaultPolicy(ctx context.Context, kind PolicyKind) (*Policy, error)
	// ListPolicies returns up to limit policies of the kind ("" any) with
	// an id above after, ordered by id.
	ListPolicies(ctx context.Context, kind PolicyKind, after string, limit int) ([]Policy, error)
	// UpdatePolicy writes p's name and body if its stored version is
	// version, increments Version and rewrites every assigned
	// application's copy. ErrStale when the version moved, ErrNotFound,
	// ErrConflict for a taken name.
	UpdatePolicy(ctx context.Context, p *Policy, version int64) error
	// DeletePolicy removes an unassigned, non-default policy at version;
	// ErrConflict while it is assigned or the Default, ErrStale, ErrNotFound.
	DeletePolicy(ctx context.Context, id string, version int64) error
	// SetDefaultPolicy makes the policy its kind's Default (the previous
	// one stops being it; both versions move). ErrNotFound.
	SetDefaultPolicy(ctx context.Context, id string) error
	// PolicyApplications returns the ids of the applications assigned the
	// policy, sorted.
	PolicyApplications(ctx context.Context, id string) ([]string, error)
	// AssignPolicy gives the application the policy (of the policy's
	// kind), rewrites its copy and increments its Version. ErrNotFound for
	// either missing.
	AssignPolicy(ctx context.Context, applicationID, policyID string) error
	// SetApplicationPolicy changes the application's policy of p.Kind to
	// p's body, copy on write: the application's policy is updated in
	// place when only it uses it and it is no Default; otherwise a new
	// policy named OwnPolicyName is created and assigned. It returns the
	// policy now assigned. ErrNotFound for an unknown application.
	SetApplicationPolicy(ctx context.Context, applicationID string, p Policy) (*Policy, error)
}
