package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"foyer/storage"
)

type applicationRow struct {
	ID             string    `gorm:"column:id;primaryKey"`
	StoreID        string    `gorm:"column:store_id"`
	Name           string    `gorm:"column:name"`
	LogoURL        string    `gorm:"column:logo_url"`
	PrimaryColor   string    `gorm:"column:primary_color"`
	Branding       string    `gorm:"column:branding"`
	Organizational bool      `gorm:"column:organizational"`
	LoginSteps     string    `gorm:"column:login_steps"`
	CreatedAt      time.Time `gorm:"column:created_at"`
	// SelfService is the policy as JSON; "{}" (the column default) and
	// absent keys read as the defaults.
	SelfService string `gorm:"column:self_service_policy"`
	MFAPolicy   string `gorm:"column:mfa_policy"`
	// ConsentPolicy is JSON; "" (the column default) is the default policy.
	ConsentPolicy string `gorm:"column:consent_policy"`
	// The assigned policies, whose bodies the three columns above copy.
	SelfServicePolicyID string    `gorm:"column:self_service_policy_id"`
	MFAPolicyID         string    `gorm:"column:mfa_policy_id"`
	ConsentPolicyID     string    `gorm:"column:consent_policy_id"`
	PortalPolicyID      string    `gorm:"column:portal_policy_id"`
	Version             int64     `gorm:"column:version"`
	UpdatedAt           time.Time `gorm:"column:updated_at"`
}

func (applicationRow) TableName() string { return "applications" }

func (r *applicationRow) toStorage() (*storage.Application, error) {
	steps, err := decodeList[string](r.LoginSteps, "applications.login_steps")
	if err != nil {
		return nil, err
	}
	policy, err := decodePolicy(r.SelfService)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application %q: %w", r.ID, err)
	}
	mfa, err := decodeMFAPolicy(r.MFAPolicy)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application %q: %w", r.ID, err)
	}
	consents, err := decodeConsents(r.ConsentPolicy)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: application %q: %w", r.ID, err)
	}
	branding, err := decodeBranding(r.Branding, "applications.branding")
	if err != nil {
		return nil, err
	}
	return &storage.Application{ID: r.ID, StoreID: r.StoreID, Name: r.Name, LogoURL: r.LogoURL,
		PrimaryColor: r.PrimaryColor, Branding: branding, Organizational: r.Organizational, LoginSteps: steps,
		CreatedAt: r.CreatedAt.UTC(), SelfService: policy, MFA: mfa, Consents: consents,
		SelfServicePolicyID: r.SelfServicePolicyID, MFAPolicyID: r.MFAPolicyID, ConsentPolicyID: r.ConsentPolicyID,
		PortalPolicyID: r.PortalPolicyID, Version: r.Version, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// encodePolicy stores an unset policy as "{}" so that it keeps following
// the defaults, and a set one in full.
func encodePolicy(p storage.SelfServicePolicy) string {
	if p.IsZero() {
		return "{}"
	}
	return encodeJSON(p, "{}")
}

func decodePolicy(s string) (storage.SelfServicePolicy, error) {
	if s == "" {
		s = "{}"
	}
	var p storage.SelfServicePolicy
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("decode applications.self_service_policy: %w", err)
	}
	return p.WithDefaults(), nil
}

// CreateApplication inserts a, filling in ID, CreatedAt, UpdatedAt and
// Version. Each kind's policy is a.PolicyID(kind) when set, else a policy
// of its own when a carries a body for the kind (SelfService, MFA,
// Consents), else the kind's Default; the copies follow the policies.
func (s *Store) CreateApplication(ctx context.Context, a *storage.Application) error {
	if a.ID == "" {
		a.ID = newID()
	}
	a.CreatedAt = orNow(a.CreatedAt)
	a.UpdatedAt, a.Version = a.CreatedAt, 1
	return s.inTx(ctx, func(tx *gorm.DB) error {
		row := applicationRow{ID: a.ID, StoreID: a.StoreID, Name: a.Name, LogoURL: a.LogoURL,
			PrimaryColor: a.PrimaryColor, Branding: encodeJSON(a.Branding, "{}"), Organizational: a.Organizational,
			LoginSteps: encodeJSON(a.LoginSteps, "[]"), CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, Version: 1,
			SelfService: "{}", MFAPolicy: "{}"}
		if err := tx.Create(&row).Error; err != nil {
			return wrapErr(err, "create application %q", a.ID)
		}
		for _, k := range storage.PolicyKinds {
			p, err := initialPolicy(tx, a, k)
			if err != nil {
				return err
			}
			if err := assignPolicy(tx, a.ID, p, false); err != nil {
				return err
			}
		}
		got, err := getApplication(tx, a.ID)
		if err != nil {
			return err
		}
		*a = *got
		return nil
	})
}

// initialPolicy is the policy of kind k a new application starts with.
func initialPolicy(tx *gorm.DB, a *storage.Application, k storage.PolicyKind) (*policyRow, error) {
	if id := a.PolicyID(k); id != "" {
		return lockPolicyRow(tx, id, k)
	}
	own := storage.Policy{Kind: k, SelfService: a.SelfService, MFA: a.MFA, Consents: a.Consents}
	if hasBody(a, k) {
		row, err := policyRowOf(&own)
		if err != nil {
			return nil, err
		}
		return createOwnPolicy(tx, a, row)
	}
	d, err := defaultPolicyRow(tx, k)
	if err != nil {
		return nil, err
	}
	return lockPolicyRow(tx, d.ID, k)
}

// hasBody reports whether the new application carries its own policy of
// the kind.
func hasBody(a *storage.Application, k storage.PolicyKind) bool {
	switch k {
	case storage.PolicySelfService:
		return !a.SelfService.IsZero()
	case storage.PolicyMFA:
		return a.MFA.Mode != "" || len(a.MFA.Methods) > 0 || a.MFA.Passwordless
	case storage.PolicyConsent:
		return a.Consents != nil
	}
	return false
}

// GetApplication reads one application with its effective policies, in
// one query (the authorization path's).
func (s *Store) GetApplication(ctx context.Context, id string) (*storage.Application, error) {
	return getApplication(s.db(ctx), id)
}

func getApplication(db *gorm.DB, id string) (*storage.Application, error) {
	var row applicationRow
	if err := db.Where("id = ?", id).Take(&row).Error; err != nil {
		return nil, wrapErr(err, "get application %q", id)
	}
	return row.toStorage()
}

// ListApplications returns every application, oldest first.
func (s *Store) ListApplications(ctx context.Context) ([]storage.Application, error) {
	var rows []applicationRow
	if err := s.db(ctx).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list applications")
	}
	return applications(rows)
}

// ListApplicationsPage returns a page of applications ordered by id.
func (s *Store) ListApplicationsPage(ctx context.Context, storeIDs []string, after string, limit int) ([]storage.Application, error) {
	if storeIDs != nil && len(storeIDs) == 0 {
		return nil, nil
	}
	q := s.db(ctx).Where("id > ?", after).Order("id")
	if storeIDs != nil {
		q = q.Where("store_id IN ?", storeIDs)
	}
	if limit > 0 {
		q = q.Limit(limit)
	}
	var rows []applicationRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, wrapErr(err, "list applications")
	}
	return applications(rows)
}

func applications(rows []applicationRow) ([]storage.Application, error) {
	out := make([]storage.Application, 0, len(rows))
	for i := range rows {
		a, err := rows[i].toStorage()
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// UpdateApplication writes the application's own fields at version.
func (s *Store) UpdateApplication(ctx context.Context, a *storage.Application, version int64) error {
	at := now()
	res := s.db(ctx).Model(&applicationRow{}).Where("id = ? AND version = ?", a.ID, version).Updates(map[string]any{
		"name": a.Name, "logo_url": a.LogoURL, "primary_color": a.PrimaryColor,
		"branding": encodeJSON(a.Branding, "{}"), "organizational": a.Organizational,
		"login_steps": encodeJSON(a.LoginSteps, "[]"), "version": version + 1, "updated_at": at,
	})
	if err := s.versioned(ctx, res, &applicationRow{}, a.ID, "update application %q", a.ID); err != nil {
		return err
	}
	a.Version, a.UpdatedAt = version+1, at
	return nil
}

// DeleteApplication removes a client-less application at version.
func (s *Store) DeleteApplication(ctx context.Context, id string, version int64) error {
	return s.inTx(ctx, func(tx *gorm.DB) error {
		if _, err := getApplication(tx, id); err != nil {
			return err
		}
		var clients int64
		if err := tx.Model(&clientRow{}).Where("application_id = ?", id).Count(&clients).Error; err != nil {
			return wrapErr(err, "count clients of application %q", id)
		}
		if clients > 0 {
			return fmt.Errorf("sqlstore: delete application %q: it has %d clients: %w", id, clients, storage.ErrConflict)
		}
		if err := tx.Where("application_id = ?", id).Delete(&portalRow{}).Error; err != nil {
			return wrapErr(err, "delete portal settings of application %q", id)
		}
		res := tx.Where("id = ? AND version = ?", id, version).Delete(&applicationRow{})
		if res.Error != nil {
			return wrapErr(res.Error, "delete application %q", id)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("sqlstore: delete application %q: %w", id, storage.ErrStale)
		}
		return nil
	})
}

// versioned turns the outcome of an "UPDATE ... WHERE id = ? AND version
// = ?" into an error: its own, ErrStale when the row exists at another
// version, ErrNotFound when it does not.
func (s *Store) versioned(ctx context.Context, res *gorm.DB, model any, id, format string, args ...any) error {
	if res.Error != nil {
		return wrapErr(res.Error, format, args...)
	}
	if res.RowsAffected > 0 {
		return nil
	}
	var n int64
	if err := s.db(ctx).Model(model).Where("id = ?", id).Count(&n).Error; err != nil {
		return wrapErr(err, format, args...)
	}
	if n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", fmt.Sprintf(format, args...), storage.ErrNotFound)
	}
	return fmt.Errorf("sqlstore: %s: %w", fmt.Sprintf(format, args...), storage.ErrStale)
}

// SetSelfServicePolicy changes the application's self-service policy,
// copy on write.
func (s *Store) SetSelfServicePolicy(ctx context.Context, applicationID string, p storage.SelfServicePolicy) error {
	_, err := s.SetApplicationPolicy(ctx, applicationID, storage.Policy{Kind: storage.PolicySelfService, SelfService: p})
	return err
}

// SetMFAPolicy changes the application's MFA policy, copy on write.
func (s *Store) SetMFAPolicy(ctx context.Context, applicationID string, p storage.MFAPolicy) error {
	_, err := s.SetApplicationPolicy(ctx, applicationID, storage.Policy{Kind: storage.PolicyMFA, MFA: p})
	return err
}

// SetConsentPolicy changes the application's consent policy, copy on
// write (nil: the default documents).
func (s *Store) SetConsentPolicy(ctx context.Context, applicationID string, docs []storage.ConsentDocument) error {
	_, err := s.SetApplicationPolicy(ctx, applicationID, storage.Policy{Kind: storage.PolicyConsent, Consents: docs})
	return err
}
