// Package accountexport builds the download of everything an account is
// and did ("download my data" in the account portal, "download account
// information" in the admin console): one document, as JSON or as a
// self-contained HTML page, never holding a secret — no password hash, no
// authenticator secret, no token, no session id.
package accountexport

import (
	"context"
	"errors"
	"slices"
	"time"

	"foyer/storage"
)

// Export is the document.
type Export struct {
	GeneratedAt      time.Time        `json:"generated_at"`
	Profile          Profile          `json:"profile"`
	Password         Password         `json:"password"`
	Authenticators   []Authenticator  `json:"authenticators"`
	Sessions         []Session        `json:"sessions"`
	Consents         []Consent        `json:"consents"`
	ConsentHistory   []ConsentEvent   `json:"consent_history"`
	Grants           []Grant          `json:"grants"`
	Groups           []string         `json:"groups"`
	LinkedIdentities []LinkedIdentity `json:"linked_identities"`
	Activity         []Event          `json:"activity"`
}

// Profile is the account's own fields and attributes.
type Profile struct {
	ID             string            `json:"id"`
	Username       string            `json:"username,omitempty"`
	Email          string            `json:"email,omitempty"`
	EmailConfirmed bool              `json:"email_confirmed"`
	Phone          string            `json:"phone,omitempty"`
	PhoneConfirmed bool              `json:"phone_confirmed"`
	Attributes     map[string]string `json:"attributes"`
	Language       string            `json:"language,omitempty"`
	CreatedAt      time.Time         `json:"created_at"`
	LastLoginAt    *time.Time        `json:"last_login_at,omitempty"`
}

// Password says whether a password is set, never what it is.
type Password struct {
	Set       bool       `json:"set"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// Authenticator is one second factor, without its secret.
type Authenticator struct {
	Kind       string     `json:"kind"`
	Name       string     `json:"name,omitempty"`
	Address    string     `json:"address,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// Session is one live sign-in, without its id.
type Session struct {
	Browser   string    `json:"browser,omitempty"`
	OS        string    `json:"os,omitempty"`
	IP        string    `json:"ip,omitempty"`
	Location  string    `json:"location,omitempty"`
	SignedIn  time.Time `json:"signed_in_at"`
	LastSeen  time.Time `json:"last_seen_at"`
	IsCurrent bool      `json:"current"`
}

// Consent is the current state of one accepted document version.
type Consent struct {
	Consent   string     `json:"consent"`
	Version   string     `json:"version"`
	GrantedAt time.Time  `json:"granted_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// OutdatedAt is when a newer version of the document ended it.
	OutdatedAt *time.Time `json:"outdated_at,omitempty"`
}

// ConsentEvent is one line of the consent log.
type ConsentEvent struct {
	Consent string    `json:"consent"`
	Version string    `json:"version"`
	Action  string    `json:"action"`
	At      time.Time `json:"at"`
}

// Grant is what a client may ask for without asking again.
type Grant struct {
	Application string    `json:"application"`
	ClientID    string    `json:"client_id"`
	Scopes      []string  `json:"scopes"`
	Since       time.Time `json:"since"`
}

// LinkedIdentity is a social or enterprise login linked to the account.
type LinkedIdentity struct {
	Provider string    `json:"provider"`
	Email    string    `json:"email,omitempty"`
	Since    time.Time `json:"since"`
}

// Event is one entry of the account's activity log.
type Event struct {
	Kind string            `json:"kind"`
	IP   string            `json:"ip,omitempty"`
	Data map[string]string `json:"data,omitempty"`
	At   time.Time         `json:"at"`
}

// MaxEvents bounds the activity log in an export.
const MaxEvents = 1000

// Store is what Build reads.
type Store interface {
	GetPassword(ctx context.Context, accountID string) (*storage.PasswordCredential, error)
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	ListSessionsByAccount(ctx context.Context, accountID string) ([]storage.Session, error)
	ListGrants(ctx context.Context, accountID string) ([]storage.OAuthGrant, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	ListConsents(ctx context.Context, accountID string) ([]storage.ConsentRecord, error)
	ListConsentEvents(ctx context.Context, accountID string) ([]storage.ConsentEvent, error)
	ListAccountGroups(ctx context.Context, accountID string) ([]storage.Group, error)
	ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error)
	ListEvents(ctx context.Context, accountID string, limit int) ([]storage.Event, error)
}

// Options are what the caller knows beyond the store.
type Options struct {
	Now time.Time
	// CurrentSession marks the session the export was asked from (the
	// portal's); empty for an administrator's download.
	CurrentSession string
	// Device names the browser and operating system of a user agent;
	// Locate the place of an IP address. Either may be nil (unknown).
	Device func(userAgent string) (browser, os string)
	Locate func(ip string) string
}

// Build reads the account's data into the document.
func Build(ctx context.Context, s Store, a *storage.Account, o Options) (*Export, error) {
	x := &Export{GeneratedAt: o.Now.UTC(), Profile: Profile{ID: a.ID, Username: a.Username, Email: a.Email,
		EmailConfirmed: a.EmailConfirmed, Phone: a.Phone, PhoneConfirmed: a.PhoneConfirmed, Attributes: a.Attributes,
		Language: a.Language, CreatedAt: a.CreatedAt, LastLoginAt: a.LastLoginAt}}
	if x.Profile.Attributes == nil {
		x.Profile.Attributes = map[string]string{}
	}
	if cred, err := s.GetPassword(ctx, a.ID); err == nil {
		updated := cred.UpdatedAt
		x.Password = Password{Set: true, UpdatedAt: &updated}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	for _, part := range []func(context.Context, Store, *storage.Account, Options, *Export) error{
		authenticators, sessions, grants, consents, memberships, activity,
	} {
		if err := part(ctx, s, a, o, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func authenticators(ctx context.Context, s Store, a *storage.Account, _ Options, x *Export) error {
	auths, err := s.ListAuthenticators(ctx, a.ID)
	if err != nil {
		return err
	}
	x.Authenticators = []Authenticator{}
	for _, au := range auths {
		x.Authenticators = append(x.Authenticators, Authenticator{Kind: au.Kind, Name: au.Name, Address: au.Address,
			CreatedAt: au.CreatedAt, LastUsedAt: au.LastUsedAt})
	}
	return nil
}

// sessions lists the live sessions (an expired one is no sign-in any more).
func sessions(ctx context.Context, s Store, a *storage.Account, o Options, x *Export) error {
	list, err := s.ListSessionsByAccount(ctx, a.ID)
	if err != nil {
		return err
	}
	x.Sessions = []Session{}
	for _, se := range list {
		if !o.Now.Before(se.ExpiresAt) {
			continue
		}
		v := Session{IP: se.IP, SignedIn: se.AuthTime, LastSeen: se.LastSeenAt, IsCurrent: se.ID == o.CurrentSession && se.ID != ""}
		if o.Device != nil {
			v.Browser, v.OS = o.Device(se.UserAgent)
		}
		if o.Locate != nil {
			v.Location = o.Locate(se.IP)
		}
		x.Sessions = append(x.Sessions, v)
	}
	return nil
}

func grants(ctx context.Context, s Store, a *storage.Account, _ Options, x *Export) error {
	list, err := s.ListGrants(ctx, a.ID)
	if err != nil {
		return err
	}
	x.Grants = []Grant{}
	for _, g := range list {
		name := g.ClientID
		if c, err := s.GetClient(ctx, g.ClientID); err == nil && c.Name != "" {
			name = c.Name
		}
		x.Grants = append(x.Grants, Grant{Application: name, ClientID: g.ClientID, Scopes: g.Scopes, Since: g.CreatedAt})
	}
	return nil
}

func consents(ctx context.Context, s Store, a *storage.Account, _ Options, x *Export) error {
	records, err := s.ListConsents(ctx, a.ID)
	if err != nil {
		return err
	}
	x.Consents = []Consent{}
	for _, c := range records {
		x.Consents = append(x.Consents, Consent{Consent: c.Consent, Version: c.Version, GrantedAt: c.GrantedAt,
			RevokedAt: c.RevokedAt, OutdatedAt: c.OutdatedAt})
	}
	history, err := s.ListConsentEvents(ctx, a.ID)
	if err != nil {
		return err
	}
	x.ConsentHistory = ConsentLog(records, history)
	return nil
}

func memberships(ctx context.Context, s Store, a *storage.Account, _ Options, x *Export) error {
	gs, err := s.ListAccountGroups(ctx, a.ID)
	if err != nil {
		return err
	}
	x.Groups = make([]string, 0, len(gs))
	for _, g := range gs {
		x.Groups = append(x.Groups, g.Name)
	}
	links, err := s.ListExternalIdentities(ctx, a.ID)
	if err != nil {
		return err
	}
	x.LinkedIdentities = []LinkedIdentity{}
	for _, l := range links {
		x.LinkedIdentities = append(x.LinkedIdentities, LinkedIdentity{Provider: l.Provider, Email: l.Email, Since: l.CreatedAt})
	}
	return nil
}

func activity(ctx context.Context, s Store, a *storage.Account, _ Options, x *Export) error {
	events, err := s.ListEvents(ctx, a.ID, MaxEvents)
	if err != nil {
		return err
	}
	x.Activity = []Event{}
	for _, e := range events {
		x.Activity = append(x.Activity, Event{Kind: e.Kind, IP: e.IP, Data: e.Data, At: e.CreatedAt})
	}
	return nil
}

// ConsentOutdated is the log's action for an acceptance a newer version
// of its document ended.
const ConsentOutdated = "outdated"

// ConsentLog is the account's consent history with the times newer
// versions ended its acceptances (seed 002: the log holds "the time of
// opt-out for outdated consent versions"), oldest first. Publishing a
// version marks the records in one statement rather than writing an event
// per account, so those lines come from the records.
func ConsentLog(records []storage.ConsentRecord, events []storage.ConsentEvent) []ConsentEvent {
	out := make([]ConsentEvent, 0, len(events))
	for _, e := range events {
		out = append(out, ConsentEvent{Consent: e.Consent, Version: e.Version, Action: string(e.Action), At: e.CreatedAt})
	}
	for _, rec := range records {
		if rec.OutdatedAt != nil {
			out = append(out, ConsentEvent{Consent: rec.Consent, Version: rec.Version, Action: ConsentOutdated, At: *rec.OutdatedAt})
		}
	}
	slices.SortStableFunc(out, func(a, b ConsentEvent) int { return a.At.Compare(b.At) })
	return out
}
