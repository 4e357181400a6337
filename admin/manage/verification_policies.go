package manage

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"foyer/storage"
)

// VerificationStore is what the identity verification services need.
type VerificationStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	storage.Verifications
}

// VerificationPolicies manages the identity verification policies of a
// store: named sets of methods (document check, video call, in person)
// under which support staff verify an account's identity.
type VerificationPolicies struct {
	core  *Core
	store VerificationStore
}

// NewVerificationPolicies returns the service.
func NewVerificationPolicies(core *Core, store VerificationStore) *VerificationPolicies {
	return &VerificationPolicies{core: core, store: store}
}

// VerificationPolicy is a policy as the API, the console and the audit
// log show it.
type VerificationPolicy struct {
	ID        string    `json:"id"`
	StoreID   string    `json:"store_id"`
	Name      string    `json:"name"`
	Methods   []string  `json:"methods"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func verificationPolicyView(p *storage.VerificationPolicy) VerificationPolicy {
	methods := p.Methods
	if methods == nil {
		methods = []string{}
	}
	return VerificationPolicy{ID: p.ID, StoreID: p.StoreID, Name: p.Name, Methods: methods, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// VerificationPolicyInput is what an administrator submits for a policy:
// its name and one to MaxVerificationMethods method names, each unique
// in the policy (ignoring case).
type VerificationPolicyInput struct {
	Name    string   `json:"name"`
	Methods []string `json:"methods"`
}

const (
	maxVerificationPolicyName = 64
	maxVerificationMethod     = 64
	// MaxVerificationMethods bounds a policy's methods.
	MaxVerificationMethods = 20
)

func validateVerificationPolicy(in VerificationPolicyInput) (VerificationPolicyInput, error) {
	in.Name = strings.TrimSpace(in.Name)
	p := Problems{}
	checkName(p, "name", in.Name, maxVerificationPolicyName)
	methods := make([]string, 0, len(in.Methods))
	seen := map[string]bool{}
	for i, m := range in.Methods {
		m = strings.TrimSpace(m)
		field := fmt.Sprintf("methods[%d]", i)
		checkName(p, field, m, maxVerificationMethod)
		if seen[strings.ToLower(m)] {
			p.Add(field, "is given twice")
		}
		seen[strings.ToLower(m)] = true
		methods = append(methods, m)
	}
	switch {
	case len(methods) == 0:
		p.Add("methods", "name at least one method")
	case len(methods) > MaxVerificationMethods:
		p.Add("methods", fmt.Sprintf("name at most %d methods", MaxVerificationMethods))
	}
	in.Methods = methods
	return in, p.Err()
}

// List returns the store's policies by lower-cased name, after the key.
func (s *VerificationPolicies) List(ctx context.Context, a Actor, storeID, after string, limit int) (_ []VerificationPolicy, more bool, _ error) {
	if err := requireExistingStore(ctx, s.store, a, ReadConfig, storeID); err != nil {
		return nil, false, err
	}
	rows, err := s.store.ListVerificationPolicies(ctx, storeID, after, pageSize(limit))
	if err != nil {
		return nil, false, err
	}
	rows, more = cut(rows, limit)
	out := make([]VerificationPolicy, len(rows))
	for i := range rows {
		out[i] = verificationPolicyView(&rows[i])
	}
	return out, more, nil
}

// ListBy returns a page of the store's policies (listing.go).
func (s *VerificationPolicies) ListBy(ctx context.Context, a Actor, storeID string, o ListOptions) (Page[VerificationPolicy], error) {
	all, _, err := s.List(ctx, a, storeID, "", 0)
	if err != nil {
		return Page[VerificationPolicy]{}, err
	}
	return listPage(all, func(v VerificationPolicy) listKey { return listKey{v.ID, v.Name, v.CreatedAt} }, o)
}

// Get returns one policy of the store.
func (s *VerificationPolicies) Get(ctx context.Context, a Actor, storeID, id string) (*VerificationPolicy, error) {
	if err := requireStore(a, ReadConfig, storeID); err != nil {
		return nil, err
	}
	p, err := s.store.GetVerificationPolicy(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	v := verificationPolicyView(p)
	return &v, nil
}

// Create defines a policy (action verification_policy.created); a name
// taken in the store (in any case) is ErrConflict.
func (s *VerificationPolicies) Create(ctx context.Context, a Actor, storeID string, in VerificationPolicyInput) (*VerificationPolicy, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateVerificationPolicy(in)
	if err != nil {
		return nil, err
	}
	p := &storage.VerificationPolicy{StoreID: storeID, Name: in.Name, Methods: in.Methods, CreatedAt: s.core.Now()}
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.CreateVerificationPolicy(ctx, p); err != nil {
			return Change{}, conflictAs(fmt.Errorf("create verification policy %q: %w", in.Name, err),
				"a verification policy with this name exists in the store")
		}
		return Change{Action: "verification_policy.created", TargetType: "verification_policy", TargetID: p.ID,
			StoreID: storeID, After: verificationPolicyView(p)}, nil
	})
	if err != nil {
		return nil, err
	}
	v := verificationPolicyView(p)
	return &v, nil
}

// Update replaces a policy's name and methods if it is still at version
// (action verification_policy.updated). Verifications recorded under it
// keep the name and method they were recorded with.
func (s *VerificationPolicies) Update(ctx context.Context, a Actor, storeID, id string, version int64, in VerificationPolicyInput) (*VerificationPolicy, error) {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return nil, err
	}
	in, err := validateVerificationPolicy(in)
	if err != nil {
		return nil, err
	}
	var v VerificationPolicy
	err = s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		p, err := s.store.GetVerificationPolicy(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		before := verificationPolicyView(p)
		p.Name, p.Methods = in.Name, in.Methods
		if err := s.store.UpdateVerificationPolicy(ctx, p, version); err != nil {
			return Change{}, conflictAs(err, "another verification policy of the store has this name")
		}
		v = verificationPolicyView(p)
		return Change{Action: "verification_policy.updated", TargetType: "verification_policy", TargetID: id,
			StoreID: storeID, Before: before, After: v}, nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// Delete removes a policy if it is still at version (action
// verification_policy.deleted). The verifications recorded under it stay,
// and still count, with its name.
func (s *VerificationPolicies) Delete(ctx context.Context, a Actor, storeID, id string, version int64) error {
	if err := requireStore(a, WriteConfig, storeID); err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteConfig, storeID, func(ctx context.Context) (Change, error) {
		p, err := s.store.GetVerificationPolicy(ctx, storeID, id)
		if err != nil {
			return Change{}, err
		}
		if err := s.store.DeleteVerificationPolicy(ctx, storeID, id, version); err != nil {
			return Change{}, err
		}
		return Change{Action: "verification_policy.deleted", TargetType: "verification_policy", TargetID: id,
			StoreID: storeID, Before: verificationPolicyView(p)}, nil
	})
}

// checkNote adds a problem unless the note (already trimmed) has at most
// max characters and no control characters but line breaks and tabs.
func checkNote(p Problems, field, s string, max int) {
	switch {
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > max:
		p.Add(field, fmt.Sprintf("use at most %d characters", max))
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		p.Add(field, "contains characters that are not allowed")
	}
}
