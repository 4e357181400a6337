package manage

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"foyer/storage"
)

// PartnerLookupStore is what the PartnerLookups service needs.
type PartnerLookupStore interface {
	CoreStore
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	SetPartnerLookup(ctx context.Context, l *storage.PartnerLookup) error
	GetPartnerLookup(ctx context.Context, applicationID string) (*storage.PartnerLookup, error)
	DeletePartnerLookup(ctx context.Context, applicationID string) error
}

// SecretSealer seals a partner lookup webhook's signing secret at rest,
// bound to its application (cmd/foyer gives one keyed by FOYER_SECRET; the
// webhook client opens it with the same binding).
type SecretSealer interface {
	SealPartnerLookupSecret(applicationID string, secret []byte) ([]byte, error)
}

// PartnerLookups configures applications' partner lookup webhooks: the
// URL Foyer asks about a partner code it does not know, and the secret it
// signs those requests with. The secret is Foyer's own, shown once when it
// is made, then only ever stored sealed.
type PartnerLookups struct {
	core   *Core
	store  PartnerLookupStore
	sealer SecretSealer
}

// NewPartnerLookups returns the service.
func NewPartnerLookups(core *Core, store PartnerLookupStore, sealer SecretSealer) *PartnerLookups {
	return &PartnerLookups{core: core, store: store, sealer: sealer}
}

// Bounds of a webhook's timeout: registration waits for it.
const (
	MinPartnerLookupTimeout     = time.Second
	MaxPartnerLookupTimeout     = 10 * time.Second
	DefaultPartnerLookupTimeout = 5 * time.Second
	maxWebhookURL               = 2000
)

// PartnerLookup is an application's webhook as the API, the console and
// the audit log show it: never with its secret.
type PartnerLookup struct {
	ApplicationID  string    `json:"application_id"`
	URL            string    `json:"url"`
	TimeoutSeconds int       `json:"timeout_seconds"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// PartnerLookupSet is the answer to a change: the webhook and, when one
// was made, its new secret (the only time it is shown).
type PartnerLookupSet struct {
	PartnerLookup
	Secret string `json:"secret,omitempty"`
}

// PartnerLookupInput is what an administrator submits. A webhook gets a
// secret when it is first set and a new one when RotateSecret asks.
type PartnerLookupInput struct {
	URL            string `json:"url"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty"` // 0: the default
	RotateSecret   bool   `json:"rotate_secret,omitempty"`
}

func lookupView(l *storage.PartnerLookup) PartnerLookup {
	return PartnerLookup{ApplicationID: l.ApplicationID, URL: l.URL, TimeoutSeconds: int(l.Timeout / time.Second),
		UpdatedAt: l.UpdatedAt}
}

// ValidWebhookURL is why u cannot be a webhook's URL ("" when it can): an
// absolute https URL with a host, no credentials and no fragment.
func ValidWebhookURL(u string) string {
	if u == "" {
		return "required"
	}
	if len(u) > maxWebhookURL || strings.IndexFunc(u, unicode.IsSpace) >= 0 {
		return fmt.Sprintf("one URL of at most %d characters without spaces", maxWebhookURL)
	}
	p, err := url.Parse(u)
	switch {
	case err != nil || !p.IsAbs() || p.Host == "" || p.Opaque != "":
		return "must be an absolute URL such as https://partners.example.com/lookup"
	case p.Scheme != "https":
		return "must use https"
	case p.User != nil:
		return "must not hold a user name or password"
	case p.Fragment != "" || strings.Contains(u, "#"):
		return "must not have a fragment (#...)"
	}
	return ""
}

func (in *PartnerLookupInput) validate() error {
	in.URL = strings.TrimSpace(in.URL)
	p := Problems{}
	if msg := ValidWebhookURL(in.URL); msg != "" {
		p.Add("url", msg)
	}
	if in.TimeoutSeconds == 0 {
		in.TimeoutSeconds = int(DefaultPartnerLookupTimeout / time.Second)
	}
	if t := time.Duration(in.TimeoutSeconds) * time.Second; t < MinPartnerLookupTimeout || t > MaxPartnerLookupTimeout {
		p.Add("timeout_seconds", fmt.Sprintf("must be between %d and %d seconds",
			int(MinPartnerLookupTimeout/time.Second), int(MaxPartnerLookupTimeout/time.Second)))
	}
	return p.Err()
}

// application finds the application and checks the actor's permission in
// its store (an application the actor may not see is not found).
func (s *PartnerLookups) application(ctx context.Context, a Actor, p Permission, id string) (*storage.Application, error) {
	app, err := s.store.GetApplication(ctx, id)
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

// Get returns the application's webhook; ErrNotFound when it has none.
func (s *PartnerLookups) Get(ctx context.Context, a Actor, appID string) (*PartnerLookup, error) {
	if _, err := s.application(ctx, a, ReadConfig, appID); err != nil {
		return nil, err
	}
	l, err := s.store.GetPartnerLookup(ctx, appID)
	if err != nil {
		return nil, err
	}
	v := lookupView(l)
	return &v, nil
}

// Set creates or replaces the application's webhook (action
// application.partner_lookup_set, without the secret). A new webhook, or
// one whose secret is rotated, gets a fresh secret, returned this once.
func (s *PartnerLookups) Set(ctx context.Context, a Actor, appID string, in PartnerLookupInput) (*PartnerLookupSet, error) {
	app, err := s.application(ctx, a, WriteConfig, appID)
	if err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	var out PartnerLookupSet
	err = s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		l := &storage.PartnerLookup{ApplicationID: appID, URL: in.URL,
			Timeout: time.Duration(in.TimeoutSeconds) * time.Second, UpdatedAt: s.core.Now()}
		var before any
		old, err := s.store.GetPartnerLookup(ctx, appID)
		switch {
		case err == nil && !in.RotateSecret:
			before, l.SecretSealed = lookupView(old), old.SecretSealed
		case err == nil || isNotFound(err):
			if old != nil {
				before = lookupView(old)
			}
			if out.Secret, l.SecretSealed, err = s.newSecret(appID); err != nil {
				return Change{}, err
			}
		default:
			return Change{}, err
		}
		if err := s.store.SetPartnerLookup(ctx, l); err != nil {
			return Change{}, err
		}
		out.PartnerLookup = lookupView(l)
		after := map[string]any{"webhook": out.PartnerLookup, "secret_rotated": out.Secret != ""}
		return Change{Action: "application.partner_lookup_set", TargetType: "application", TargetID: appID,
			StoreID: app.StoreID, Before: before, After: after}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// newSecret makes a signing secret (256 bits; the receiver's HMAC key is
// the string as shown) and seals it to the application.
func (s *PartnerLookups) newSecret(appID string) (string, []byte, error) {
	if s.sealer == nil {
		return "", nil, fmt.Errorf("manage: no sealer for partner lookup secrets")
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	secret := "plk_" + base64.RawURLEncoding.EncodeToString(b)
	sealed, err := s.sealer.SealPartnerLookupSecret(appID, []byte(secret))
	if err != nil {
		return "", nil, fmt.Errorf("manage: seal partner lookup secret: %w", err)
	}
	return secret, sealed, nil
}

// Delete removes the application's webhook (action
// application.partner_lookup_deleted); ErrNotFound when it has none.
func (s *PartnerLookups) Delete(ctx context.Context, a Actor, appID string) error {
	app, err := s.application(ctx, a, WriteConfig, appID)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, app.StoreID, func(ctx context.Context) (Change, error) {
		old, err := s.store.GetPartnerLookup(ctx, appID)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeletePartnerLookup(ctx, appID); err != nil {
			return Change{}, err
		}
		return Change{Action: "application.partner_lookup_deleted", TargetType: "application", TargetID: appID,
			StoreID: app.StoreID, Before: lookupView(old)}, nil
	})
}
