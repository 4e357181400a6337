package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"foyer/storage"
)

// PartnerCodesStore is what the PartnerCodes service needs.
type PartnerCodesStore interface {
	CoreStore
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	SetPartnerCode(ctx context.Context, c *storage.PartnerCode) error
	GetPartnerCode(ctx context.Context, storeID, organizationID string) (*storage.PartnerCode, error)
	DeletePartnerCode(ctx context.Context, storeID, organizationID string) error
}

// PartnerCodes hands out the codes people join a partner organization
// with when they register (seed 003). A code is shown once, when it is
// made; only its digest is stored, and neither the API nor the audit log
// ever shows it again.
type PartnerCodes struct {
	core  *Core
	store PartnerCodesStore
}

// NewPartnerCodes returns the service.
func NewPartnerCodes(core *Core, store PartnerCodesStore) *PartnerCodes {
	return &PartnerCodes{core: core, store: store}
}

// PartnerCodeStatus is what may be known of a partner code without the
// code: its limits and how much of them is spent.
type PartnerCodeStatus struct {
	OrganizationID string     `json:"organization_id"`
	StoreID        string     `json:"store_id"`
	ExpiresAt      *time.Time `json:"expires_at"` // null: never
	MaxUses        int        `json:"max_uses"`   // 0: no limit
	Uses           int        `json:"uses"`
	CreatedAt      time.Time  `json:"created_at"`
	// Active: neither expired nor used up, so registration takes it.
	Active bool `json:"active"`
}

// IssuedPartnerCode is a new code with its status: the only time the code
// itself leaves Foyer.
type IssuedPartnerCode struct {
	Code string `json:"code"`
	PartnerCodeStatus
}

// PartnerCodeInput are a new code's limits.
type PartnerCodeInput struct {
	ExpiresAt *time.Time `json:"expires_at,omitempty"` // nil: never
	MaxUses   int        `json:"max_uses,omitempty"`   // 0: no limit
}

// MaxPartnerCodeUses bounds max_uses: beyond it "no limit" says the same.
const MaxPartnerCodeUses = 1_000_000

func (s *PartnerCodes) statusOf(c *storage.PartnerCode) PartnerCodeStatus {
	active := (c.ExpiresAt == nil || s.core.Now().Before(*c.ExpiresAt)) && (c.MaxUses == 0 || c.Uses < c.MaxUses)
	return PartnerCodeStatus{OrganizationID: c.OrganizationID, StoreID: c.StoreID, ExpiresAt: c.ExpiresAt,
		MaxUses: c.MaxUses, Uses: c.Uses, CreatedAt: c.CreatedAt, Active: active}
}

func (s *PartnerCodes) validate(in PartnerCodeInput) error {
	p := Problems{}
	if in.ExpiresAt != nil && !in.ExpiresAt.After(s.core.Now()) {
		p.Add("expires_at", "must be in the future")
	}
	if in.MaxUses < 0 || in.MaxUses > MaxPartnerCodeUses {
		p.Add("max_uses", fmt.Sprintf("must be between 0 (no limit) and %d", MaxPartnerCodeUses))
	}
	return p.Err()
}

// errCustomerOrganization: partner codes belong to partner organizations.
var errCustomerOrganization = Conflict("the organization is a customer organization; only partner organizations have partner codes")

// Generate gives the partner organization a new code, replacing its old
// one, which stops working at once (action organization.partner_code_set,
// without the code). A customer organization is a conflict.
func (s *PartnerCodes) Generate(ctx context.Context, a Actor, storeID, orgID string, in PartnerCodeInput) (*IssuedPartnerCode, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	if err := s.validate(in); err != nil {
		return nil, err
	}
	if in.ExpiresAt != nil {
		t := in.ExpiresAt.UTC().Truncate(time.Second)
		in.ExpiresAt = &t
	}
	code := storage.NewPartnerCode()
	var out IssuedPartnerCode
	err := s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.requirePartner(ctx, storeID, orgID); err != nil {
			return Change{}, err
		}
		var before any
		if old, err := s.store.GetPartnerCode(ctx, storeID, orgID); err == nil {
			before = s.statusOf(old)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return Change{}, err
		}
		c := &storage.PartnerCode{OrganizationID: orgID, StoreID: storeID, CodeHash: storage.PartnerCodeDigest(code),
			ExpiresAt: in.ExpiresAt, MaxUses: in.MaxUses, CreatedAt: s.core.Now()}
		if err := s.store.SetPartnerCode(ctx, c); err != nil {
			return Change{}, err
		}
		out = IssuedPartnerCode{Code: code, PartnerCodeStatus: s.statusOf(c)}
		return Change{Action: "organization.partner_code_set", TargetType: "organization", TargetID: orgID,
			StoreID: storeID, Before: before, After: out.PartnerCodeStatus}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// requirePartner finds the organization and refuses a customer's.
func (s *PartnerCodes) requirePartner(ctx context.Context, storeID, orgID string) error {
	o, err := s.store.GetOrganization(ctx, storeID, orgID)
	if err != nil {
		return err
	}
	if !o.Partner {
		return errCustomerOrganization
	}
	return nil
}

// Get returns the status of the organization's code; ErrNotFound when it
// has none.
func (s *PartnerCodes) Get(ctx context.Context, a Actor, storeID, orgID string) (*PartnerCodeStatus, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	if _, err := s.store.GetOrganization(ctx, storeID, orgID); err != nil {
		return nil, err
	}
	c, err := s.store.GetPartnerCode(ctx, storeID, orgID)
	if err != nil {
		return nil, err
	}
	v := s.statusOf(c)
	return &v, nil
}

// Delete removes the organization's code (action
// organization.partner_code_deleted); ErrNotFound when it has none.
func (s *PartnerCodes) Delete(ctx context.Context, a Actor, storeID, orgID string) error {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		c, err := s.store.GetPartnerCode(ctx, storeID, orgID)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeletePartnerCode(ctx, storeID, orgID); err != nil {
			return Change{}, err
		}
		return Change{Action: "organization.partner_code_deleted", TargetType: "organization", TargetID: orgID,
			StoreID: storeID, Before: s.statusOf(c)}, nil
	})
}
