package manage

import (
	"time"

	"foyer/storage"
)

// ApplicationView is an application as the API, the console and the
// audit log show it. Its effective policies are the assigned policies'
// bodies; Policies names them (kind → policy id).
type ApplicationView struct {
	ID             string            `json:"id"`
	StoreID        string            `json:"store_id"`
	Name           string            `json:"name"`
	LogoURL        string            `json:"logo_url"`
	PrimaryColor   string            `json:"primary_color"`
	Organizational bool              `json:"organizational"`
	LoginSteps     []string          `json:"login_steps"`
	Policies       map[string]string `json:"policies"`
	Version        int64             `json:"version"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// ViewApplication builds the view of a.
func ViewApplication(a *storage.Application) ApplicationView {
	steps := a.LoginSteps
	if steps == nil {
		steps = []string{}
	}
	policies := map[string]string{}
	for _, k := range storage.PolicyKinds {
		policies[string(k)] = a.PolicyID(k)
	}
	return ApplicationView{ID: a.ID, StoreID: a.StoreID, Name: a.Name, LogoURL: a.LogoURL, PrimaryColor: a.PrimaryColor,
		Organizational: a.Organizational, LoginSteps: steps, Policies: policies, Version: a.Version,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// PolicyView is a named policy as the API, the console and the audit log
// show it: the field of its kind is set, the others are absent.
type PolicyView struct {
	ID           string                     `json:"id"`
	Kind         storage.PolicyKind         `json:"kind"`
	Name         string                     `json:"name"`
	IsDefault    bool                       `json:"is_default"`
	SelfService  *storage.SelfServicePolicy `json:"self_service,omitempty"`
	MFA          *storage.MFAPolicy         `json:"mfa,omitempty"`
	Consent      *[]storage.ConsentDocument `json:"consent,omitempty"`
	Portal       *storage.PortalPolicy      `json:"portal,omitempty"`
	Applications []string                   `json:"applications"`
	Version      int64                      `json:"version"`
	CreatedAt    time.Time                  `json:"created_at"`
	UpdatedAt    time.Time                  `json:"updated_at"`
}

// ViewPolicy builds the view of p, used by the applications apps (ids).
// Bodies are shown with the defaults filled in.
func ViewPolicy(p *storage.Policy, apps []string) PolicyView {
	if apps == nil {
		apps = []string{}
	}
	v := PolicyView{ID: p.ID, Kind: p.Kind, Name: p.Name, IsDefault: p.IsDefault, Applications: apps,
		Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	switch p.Kind {
	case storage.PolicySelfService:
		ss := p.SelfService.WithDefaults()
		v.SelfService = &ss
	case storage.PolicyMFA:
		m := p.MFA.WithDefaults()
		v.MFA = &m
	case storage.PolicyConsent:
		docs := storage.ConsentPolicyOf(&storage.Application{Consents: p.Consents})
		v.Consent = &docs
	case storage.PolicyPortal:
		pp := p.Portal
		if pp.Groups == nil {
			pp.Groups = []string{}
		}
		v.Portal = &pp
	}
	return v
}
