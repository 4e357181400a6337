package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// AdministratorsStore is what the Administrators service needs.
type AdministratorsStore interface {
	CoreStore
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	CreateAccount(ctx context.Context, a *storage.Account) error
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	SetAccountStatus(ctx context.Context, id string, status storage.AccountStatus) error
	SetPassword(ctx context.Context, accountID, hash string) error
	DeleteSessionsByAccount(ctx context.Context, accountID, keepID string) (int64, error)
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
	DeleteAccountData(ctx context.Context, accountID string) error
}

// Mailer queues a themed e-mail (notify.Service).
type Mailer interface {
	Email(ctx context.Context, to, accountID, kind, lang string, branding themes.Branding, data any) (notify.Message, error)
}

// ErrNoMailer: Invite was called on a service built without a Mailer
// (the CLI creates administrators with a password instead).
var ErrNoMailer = errors.New("manage: no mailer to send the invitation")

// Administrators manages the accounts of the administrators store and
// their roles. Administrators belong to no identity store, so every
// operation needs its permission on every store (an unlimited grant).
type Administrators struct {
	core   *Core
	store  AdministratorsStore
	mailer Mailer // nil: Invite is unavailable
	issuer string // for the invitation's link to the console
}

// NewAdministrators returns the service; mailer may be nil (no Invite).
func NewAdministrators(core *Core, store AdministratorsStore, mailer Mailer, issuer string) *Administrators {
	return &Administrators{core: core, store: store, mailer: mailer, issuer: strings.TrimRight(issuer, "/")}
}

// Grant is one role, optionally limited to some identity stores, as the
// API, the console and the audit log show it.
type Grant struct {
	Role     storage.AdminRole `json:"role"`
	StoreIDs []string          `json:"store_ids,omitempty"`
}

// Administrator is an administrator's view: its account and its roles.
type Administrator struct {
	ID          string                `json:"id"`
	Email       string                `json:"email"`
	Status      storage.AccountStatus `json:"status"`
	Grants      []Grant               `json:"grants"`
	CreatedAt   time.Time             `json:"created_at"`
	LastLoginAt *time.Time            `json:"last_login_at,omitempty"`
	// Version is a hash of the status and the grants (see grantsVersion):
	// the ETag that SetRoles, Disable, Enable and Remove check.
	Version int64 `json:"version"`
}

// NewAdministrator is the input of Create and Invite.
type NewAdministrator struct {
	Email  string
	Grants []Grant
	// Password is Create's only: Invite makes an account without one.
	Password string
}

// List returns every administrator (every account holding an
// administrator grant), ordered by e-mail.
func (s *Administrators) List(ctx context.Context, actor Actor) ([]Administrator, error) {
	if err := actor.Require(ReadAdministrators, ""); err != nil {
		return nil, err
	}
	grants, err := s.store.ListAllAdminGrants(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string][]storage.AdminGrant{}
	for _, g := range grants {
		if g.PrincipalKind == storage.PrincipalAdministrator {
			byID[g.PrincipalID] = append(byID[g.PrincipalID], g)
		}
	}
	out := make([]Administrator, 0, len(byID))
	for id, gs := range byID {
		acct, err := s.store.GetAccount(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue // a grant left by an account deleted elsewhere
		}
		if err != nil {
			return nil, err
		}
		if acct.StoreID == storage.AdministratorsStoreID {
			out = append(out, viewOf(acct, gs))
		}
	}
	slices.SortFunc(out, func(a, b Administrator) int { return strings.Compare(a.Email, b.Email) })
	return out, nil
}

// Get returns one administrator; ErrNotFound for any account that is not
// one.
func (s *Administrators) Get(ctx context.Context, actor Actor, id string) (*Administrator, error) {
	if err := actor.Require(ReadAdministrators, ""); err != nil {
		return nil, err
	}
	acct, grants, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	v := viewOf(acct, grants)
	return &v, nil
}

// load reads an account of the administrators store and its grants.
func (s *Administrators) load(ctx context.Context, id string) (*storage.Account, []storage.AdminGrant, error) {
	acct, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if acct.StoreID != storage.AdministratorsStoreID {
		return nil, nil, fmt.Errorf("administrator %q: %w", id, ErrNotFound)
	}
	grants, err := s.store.ListAdminGrants(ctx, storage.PrincipalAdministrator, id)
	if err != nil {
		return nil, nil, err
	}
	return acct, grants, nil
}

func viewOf(acct *storage.Account, grants []storage.AdminGrant) Administrator {
	v := Administrator{ID: acct.ID, Email: acct.Email, Status: acct.Status, Grants: make([]Grant, len(grants)),
		CreatedAt: acct.CreatedAt, LastLoginAt: acct.LastLoginAt}
	for i, g := range grants {
		v.Grants[i] = Grant{Role: g.Role, StoreIDs: g.StoreIDs}
	}
	v.Version = grantsVersion(string(acct.Status), v.Grants)
	return v
}

// lockedLoad takes the grant lock, then loads the administrator and checks
// that version (0: any) is still its version; ctx carries Apply's
// transaction.
func (s *Administrators) lockedLoad(ctx context.Context, id string, version int64) (*storage.Account, []storage.AdminGrant, error) {
	if err := s.core.lockAdminGrants(ctx); err != nil {
		return nil, nil, err
	}
	acct, grants, err := s.load(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if err := checkVersion("administrator", id, version, viewOf(acct, grants).Version); err != nil {
		return nil, nil, err
	}
	return acct, grants, nil
}

// Create makes an enabled administrator with a password (the CLI's
// `foyer admin create`); the password is at least 8 characters.
func (s *Administrators) Create(ctx context.Context, actor Actor, in NewAdministrator) (*Administrator, error) {
	p := Problems{}
	if len(in.Password) < minAdminPasswordLength {
		p.Add("password", fmt.Sprintf("must be at least %d characters", minAdminPasswordLength))
	}
	return s.add(ctx, actor, in, p, "administrator.created")
}

// minAdminPasswordLength matches the CLI's and bootstrap's minimum.
const minAdminPasswordLength = 8

// Invite makes an enabled administrator without a password and queues an
// e-mail telling them to open the console and choose "Forgot password?"
// to set one (which also proves the mailbox is theirs).
func (s *Administrators) Invite(ctx context.Context, actor Actor, in NewAdministrator) (*Administrator, error) {
	if s.mailer == nil {
		return nil, ErrNoMailer
	}
	in.Password = ""
	return s.add(ctx, actor, in, Problems{}, "administrator.invited")
}
