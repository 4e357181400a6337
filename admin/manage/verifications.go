package manage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"foyer/storage"
)

// AccountVerifications records and revokes manual identity verifications
// of customer accounts (seed 002's Identity verification tab): support
// staff who established who the customer is record the policy, method
// and a note; a verification that turns out to carry a risk is revoked.
// The account's current verification (its newest unrevoked one) is what
// tokens carry as verified_claims.
type AccountVerifications struct {
	core  *Core
	store VerificationStore
}

// NewAccountVerifications returns the service.
func NewAccountVerifications(core *Core, store VerificationStore) *AccountVerifications {
	return &AccountVerifications{core: core, store: store}
}

// Verification is one record as the API, the console and the audit log
// show it.
type Verification struct {
	ID         string     `json:"id"`
	AccountID  string     `json:"account_id"`
	StoreID    string     `json:"store_id"`
	PolicyID   string     `json:"policy_id"`
	PolicyName string     `json:"policy_name"`
	Method     string     `json:"method"`
	AdminID    string     `json:"admin_id"`
	AdminName  string     `json:"admin_name"`
	Note       string     `json:"note"`
	CreatedAt  time.Time  `json:"created_at"`
	Active     bool       `json:"active"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
}

func verificationView(v *storage.IdentityVerification) Verification {
	return Verification{ID: v.ID, AccountID: v.AccountID, StoreID: v.StoreID, PolicyID: v.PolicyID,
		PolicyName: v.PolicyName, Method: v.Method, AdminID: v.AdminID, AdminName: v.AdminName, Note: v.Note,
		CreatedAt: v.CreatedAt, Active: v.Active(), RevokedAt: v.RevokedAt, RevokedBy: v.RevokedBy}
}

// VerifyInput is a manual verification: the policy (required: a
// verification is always under a policy), one of its methods, and an
// optional note on what was checked.
type VerifyInput struct {
	PolicyID string `json:"policy_id"`
	Method   string `json:"method"`
	Note     string `json:"note"`
}

const maxVerificationNote = 1000

// List returns the account's verifications, revoked ones included, newest
// first.
func (s *AccountVerifications) List(ctx context.Context, a Actor, storeID, accountID string) ([]Verification, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ListIdentityVerifications(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	out := make([]Verification, len(rows))
	for i := range rows {
		out[i] = verificationView(&rows[i])
	}
	return out, nil
}

// Verify records a manual verification by the actor (action
// account.verified). No policy, a policy of no such id in the store, or a
// method the policy does not have is a *ValidationError.
func (s *AccountVerifications) Verify(ctx context.Context, a Actor, storeID, accountID string, in VerifyInput) (*Verification, error) {
	acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	in, err = s.checkVerify(ctx, storeID, in)
	if err != nil {
		return nil, err
	}
	v := &storage.IdentityVerification{AccountID: acct.ID, StoreID: storeID, PolicyID: in.PolicyID, Method: in.Method,
		AdminID: a.ID, AdminName: a.Name, Note: in.Note, CreatedAt: s.core.Now()}
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if err := s.store.RecordIdentityVerification(ctx, v); err != nil {
			return Change{}, verifyRefusal(err)
		}
		return Change{Action: "account.verified", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
			After: verificationAudit(v)}, nil
	})
	if err != nil {
		return nil, err
	}
	view := verificationView(v)
	return &view, nil
}

// checkVerify validates the input against the store's policy.
func (s *AccountVerifications) checkVerify(ctx context.Context, storeID string, in VerifyInput) (VerifyInput, error) {
	in.PolicyID, in.Method, in.Note = strings.TrimSpace(in.PolicyID), strings.TrimSpace(in.Method), strings.TrimSpace(in.Note)
	p := Problems{}
	checkNote(p, "note", in.Note, maxVerificationNote)
	if in.PolicyID == "" {
		p.Add("policy_id", "select a verification policy")
		return in, p.Err()
	}
	pol, err := s.store.GetVerificationPolicy(ctx, storeID, in.PolicyID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		p.Add("policy_id", "no verification policy of the store has this id")
	case err != nil:
		return in, err
	case in.Method == "":
		p.Add("method", "select one of the policy's methods")
	case !slices.Contains(pol.Methods, in.Method):
		p.Add("method", "not one of the policy's methods: "+strings.Join(pol.Methods, ", "))
	}
	return in, p.Err()
}

// verifyRefusal turns storage's refusal of a policy changed or deleted
// since checkVerify into the same field errors.
func verifyRefusal(err error) error {
	switch {
	case errors.Is(err, storage.ErrConflict):
		return Problems{"method": "not one of the policy's methods"}.Err()
	case errors.Is(err, storage.ErrNotFound):
		return Problems{"policy_id": "no verification policy of the store has this id"}.Err()
	}
	return err
}

// Revoke marks one of the account's verifications revoked by the actor
// (action account.verification_revoked). Revoking one revoked already is
// a Conflict; the first revocation stands.
func (s *AccountVerifications) Revoke(ctx context.Context, a Actor, storeID, accountID, id string) (*Verification, error) {
	acct, err := LoadAccount(ctx, s.store, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	var view Verification
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		v, err := s.store.RevokeIdentityVerification(ctx, acct.ID, id, a.Name, s.core.Now())
		if err != nil {
			return Change{}, conflictAs(err, "the verification is revoked already")
		}
		view = verificationView(v)
		after := verificationAudit(v)
		after["revoked_at"], after["revoked_by"] = v.RevokedAt, v.RevokedBy
		return Change{Action: "account.verification_revoked", TargetType: "account", TargetID: acct.ID, StoreID: storeID,
			Before: verificationAudit(v), After: after}, nil
	})
	if err != nil {
		return nil, err
	}
	return &view, nil
}

// verificationAudit is what the audit log keeps of a verification.
func verificationAudit(v *storage.IdentityVerification) map[string]any {
	return map[string]any{"verification_id": v.ID, "policy_id": v.PolicyID, "policy": v.PolicyName,
		"method": v.Method, "note": v.Note}
}
