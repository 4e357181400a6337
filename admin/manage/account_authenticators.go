package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"foyer/storage"
)

// The Authenticators tab of an account (seed 002, "Authenticators"):
// support sees every way the customer signs in and can send a password
// reset, set a password, add a confirmed e-mail address or phone number,
// remove a method and clear a lockout. Password changes live in
// account_passwords.go, contacts in account_contacts.go.

// AuthenticatorsStore is what AccountAuthenticators needs from storage.
type AuthenticatorsStore interface {
	NoticesStore
	storage.LoginAttempts
	storage.OneTimeSecrets
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	UpdateAccountProfile(ctx context.Context, a *storage.Account) error
	GetPassword(ctx context.Context, accountID string) (*storage.PasswordCredential, error)
	SetPassword(ctx context.Context, accountID, hash string) error
	DeletePassword(ctx context.Context, accountID string) error
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	CreateAuthenticator(ctx context.Context, a *storage.Authenticator) error
	DeleteAuthenticator(ctx context.Context, accountID, id string) error
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
	ExternalIdentitiesStore
}

// PasswordHasher hashes a password (password.Hasher, argon2id).
type PasswordHasher interface {
	Hash(ctx context.Context, password string) (string, error)
}

// PasswordRules checks a chosen password against a policy
// (password.Rules); it returns the problem or "".
type PasswordRules interface {
	Check(p storage.PasswordPolicy, pw, confirm string) string
}

// AuthenticatorDeps are the collaborators of AccountAuthenticators.
type AuthenticatorDeps struct {
	Store    AuthenticatorsStore
	Notices  *CustomerNotices
	Sender   NoticeSender
	Texts    Texts
	Sessions SessionEnder
	Hasher   PasswordHasher
	Rules    PasswordRules
	// Issuer is where reset links point ({issuer}/recover/reset).
	Issuer string
	// Lockouts names the attempt counters that can lock the account out
	// (selfservice/regulate's keys, which admin may not import: cmd/foyer
	// gives them); nil: none.
	Lockouts func(acct *storage.Account) []LockoutCounter
}

// LockoutCounter is one attempt counter: its key in the attempt table,
// the window it counts over (zero: all time) and the count that locks.
type LockoutCounter struct {
	Key    string
	Window time.Duration
	Max    int
}

// AccountAuthenticators is the service behind the Authenticators tab.
type AccountAuthenticators struct {
	core *Core
	d    AuthenticatorDeps
}

// NewAccountAuthenticators returns the service.
func NewAccountAuthenticators(core *Core, d AuthenticatorDeps) *AccountAuthenticators {
	return &AccountAuthenticators{core: core, d: d}
}

// purposeRecoveryCode is the one-time secret purpose of recovery codes
// (selfservice's, which admin may not import).
const purposeRecoveryCode = "recovery_code"

// AuthenticatorsView is everything the tab shows.
type AuthenticatorsView struct {
	Password          PasswordState       `json:"password"`
	Email             ContactState        `json:"email"`
	Phone             ContactState        `json:"phone"`
	Methods           []AuthenticatorView `json:"methods"`
	RecoveryCodesLeft int64               `json:"recovery_codes_left"`
	Pending           []PendingContact    `json:"pending_contacts"`
	Lockout           LockoutState        `json:"lockout"`
	// External are the account's external identities (account_external.go).
	External []ExternalIdentityView `json:"external_identities"`
}

// PasswordState says whether the account has a password and since when.
type PasswordState struct {
	Set       bool       `json:"set"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// ContactState is the account's e-mail address or phone number.
type ContactState struct {
	Address   string `json:"address,omitempty"`
	Confirmed bool   `json:"confirmed"`
}

// AuthenticatorView is one enrolled authenticator (never its secret).
type AuthenticatorView struct {
	ID         string     `json:"id"`
	Kind       string     `json:"kind"` // passkey, totp, email, phone
	Name       string     `json:"name,omitempty"`
	Address    string     `json:"address,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// LockoutState counts the recent failed tries that lock sign-in.
type LockoutState struct {
	Locked         bool  `json:"locked"`
	FailedAttempts int64 `json:"failed_attempts"`
}

// authAccount loads an account of the store for p: ErrForbidden when the
// actor may not, ErrNotFound for an unknown account, one of another store
// or one of the administrators store.
func (s *AccountAuthenticators) authAccount(ctx context.Context, a Actor, p Permission, storeID, id string) (*storage.Account, error) {
	return LoadAccount(ctx, s.d.Store, a, p, storeID, id)
}

// List returns the account's authenticators.
func (s *AccountAuthenticators) List(ctx context.Context, a Actor, storeID, accountID string) (*AuthenticatorsView, error) {
	acct, err := s.authAccount(ctx, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	v := &AuthenticatorsView{Email: ContactState{acct.Email, acct.EmailConfirmed}, Phone: ContactState{acct.Phone, acct.PhoneConfirmed},
		Methods: []AuthenticatorView{}, Pending: []PendingContact{}}
	cred, err := s.d.Store.GetPassword(ctx, acct.ID)
	switch {
	case err == nil:
		t := cred.UpdatedAt
		v.Password = PasswordState{Set: true, ChangedAt: &t}
	case !errors.Is(err, storage.ErrNotFound):
		return nil, err
	}
	auths, err := s.d.Store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	for _, x := range auths {
		v.Methods = append(v.Methods, AuthenticatorView{ID: x.ID, Kind: x.Kind, Name: x.Name, Address: x.Address,
			CreatedAt: x.CreatedAt, LastUsedAt: x.LastUsedAt})
	}
	now := s.core.Now()
	if v.RecoveryCodesLeft, err = s.d.Store.CountUsableOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode, now); err != nil {
		return nil, err
	}
	if v.Pending, err = s.pendingContacts(ctx, acct.ID); err != nil {
		return nil, err
	}
	if v.Lockout, err = s.lockout(ctx, acct); err != nil {
		return nil, err
	}
	if v.External, err = s.externalOf(ctx, acct); err != nil {
		return nil, err
	}
	return v, nil
}

// RemoveInput is the body of a removal: the optional notice.
type RemoveInput struct {
	Notify *NotifyChoice `json:"notify,omitempty"`
}

// RemoveAuthenticator deletes one enrolled authenticator (a lost passkey
// or phone, a TOTP app, e-mail codes): account.authenticator_removed.
// Support removes what the customer lost, so even the last one goes.
func (s *AccountAuthenticators) RemoveAuthenticator(ctx context.Context, a Actor, storeID, accountID, id string, in RemoveInput) error {
	acct, err := s.prepare(ctx, a, storeID, accountID, in.Notify)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		auths, err := s.d.Store.ListAuthenticators(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		var gone *storage.Authenticator
		for i := range auths {
			if auths[i].ID == id {
				gone = &auths[i]
			}
		}
		if gone == nil {
			return Change{}, ErrNotFound
		}
		if err := s.d.Store.DeleteAuthenticator(ctx, acct.ID, id); err != nil {
			return Change{}, err
		}
		if err := s.d.Notices.RecordNotice(ctx, a, acct, in.Notify, NoticeAuthenticatorRemoved, map[string]string{"method": gone.Kind}); err != nil {
			return Change{}, err
		}
		return accountChange("account.authenticator_removed", acct,
			map[string]any{"id": gone.ID, "kind": gone.Kind, "name": gone.Name, "address": gone.Address}, nil), nil
	})
}

// RemoveRecoveryCodes deletes the account's unused recovery codes.
func (s *AccountAuthenticators) RemoveRecoveryCodes(ctx context.Context, a Actor, storeID, accountID string, in RemoveInput) error {
	acct, err := s.prepare(ctx, a, storeID, accountID, in.Notify)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		left, err := s.d.Store.CountUsableOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode, s.core.Now())
		if err != nil {
			return Change{}, err
		}
		if left == 0 {
			return Change{}, ErrNotFound
		}
		if _, err := s.d.Store.DeleteOneTimeSecrets(ctx, acct.ID, purposeRecoveryCode); err != nil {
			return Change{}, err
		}
		if err := s.d.Notices.RecordNotice(ctx, a, acct, in.Notify, NoticeAuthenticatorRemoved, map[string]string{"method": "recovery_codes"}); err != nil {
			return Change{}, err
		}
		return accountChange("account.authenticator_removed", acct, map[string]any{"kind": "recovery_codes", "left": left}, nil), nil
	})
}

// prepare loads the account for a change and checks the notice asked for
// fits it, so a bad client refuses the change before anything is done.
func (s *AccountAuthenticators) prepare(ctx context.Context, a Actor, storeID, accountID string, n *NotifyChoice) (*storage.Account, error) {
	acct, err := s.authAccount(ctx, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	if n.Wanted() {
		if err := s.d.Notices.Fits(ctx, acct, n.ClientID); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

func (s *AccountAuthenticators) lockoutCounters(acct *storage.Account) []LockoutCounter {
	if s.d.Lockouts == nil {
		return nil
	}
	return s.d.Lockouts(acct)
}

// lockout counts the tries within each rule's first window and says
// whether any reached its limit.
func (s *AccountAuthenticators) lockout(ctx context.Context, acct *storage.Account) (LockoutState, error) {
	var st LockoutState
	now := s.core.Now()
	for _, k := range s.lockoutCounters(acct) {
		since := time.Time{}
		if k.Window > 0 {
			since = now.Add(-k.Window)
		}
		times, err := s.d.Store.ListLoginAttempts(ctx, k.Key, since)
		if err != nil {
			return st, fmt.Errorf("lockout: %w", err)
		}
		st.FailedAttempts += int64(len(times))
		if k.Max > 0 && len(times) >= k.Max {
			st.Locked = true
		}
	}
	return st, nil
}

// ClearLockout forgets every counted try (account.lockout_cleared) and
// returns how many went; nothing to clear writes no entry.
func (s *AccountAuthenticators) ClearLockout(ctx context.Context, a Actor, storeID, accountID string) (int64, error) {
	acct, err := s.authAccount(ctx, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		for _, k := range s.lockoutCounters(acct) {
			times, err := s.d.Store.ListLoginAttempts(ctx, k.Key, time.Time{})
			if err != nil {
				return Change{}, err
			}
			if len(times) == 0 {
				continue
			}
			n += int64(len(times))
			if err := s.d.Store.ClearLoginAttempts(ctx, k.Key); err != nil {
				return Change{}, err
			}
		}
		if n == 0 {
			return Change{}, nil
		}
		return accountChange("account.lockout_cleared", acct, map[string]any{"attempts": n}, map[string]any{"attempts": 0}), nil
	})
	return n, err
}
