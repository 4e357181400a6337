package invite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"foyer/selfservice/notify"
	"foyer/selfservice/route"
	"foyer/storage"
	"foyer/themes"
)

var (
	// ErrNotFound: no such invitation in the store (revoked ones are gone).
	ErrNotFound = storage.ErrNotFound
	// ErrUnusable: the invitation link is unknown, replaced by a resend,
	// used, revoked or expired.
	ErrUnusable = errors.New("invite: invitation is not valid")
	// ErrNotPending: a resend of an invitation already accepted.
	ErrNotPending = errors.New("invite: invitation is no longer pending")
)

// ValidationError is an invitation that cannot be sent, with a message
// per field (keys as the admin API spells them: organization_id,
// client_id, email, language, role_ids, group_ids, attributes.NAME).
// Nothing is stored or sent when it is returned.
type ValidationError = storage.ValidationError

// Store is what the service reads and writes.
type Store interface {
	storage.Transactor
	storage.Invitations
	GetIdentityStore(ctx context.Context, id string) (*storage.IdentityStore, error)
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
	GetStoreRole(ctx context.Context, storeID, id string) (*storage.StoreRole, error)
	GetGroup(ctx context.Context, storeID, id string) (*storage.Group, error)
	GetGroupByName(ctx context.Context, storeID, name string) (*storage.Group, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	GetPortalSettings(ctx context.Context, applicationID string) (*storage.PortalSettings, error)
	FindAccountByIdentifier(ctx context.Context, storeID string, kind storage.IdentifierType, value string) (*storage.Account, error)
	AddOrganizationMember(ctx context.Context, m *storage.OrganizationMember) error
	ListAccountOrganizations(ctx context.Context, accountID string) ([]storage.OrganizationMember, error)
	AssignAccountRole(ctx context.Context, r *storage.AccountRole) error
	ListAccountRoles(ctx context.Context, accountID string) ([]storage.AccountRole, error)
	AddGroupMember(ctx context.Context, groupID, accountID string) error
}

// Mailer queues the invitation e-mail (notify.Service).
type Mailer interface {
	Email(ctx context.Context, to, accountID, kind, lang string, branding themes.Branding, data any) (notify.Message, error)
}

// Config is the service's settings.
type Config struct {
	Issuer string // Foyer's issuer URL, which invitation links start at
	// InitiatePath is authz's third-party initiated login endpoint
	// (/oauth2/initiate), which sends the browser to the client's portal.
	InitiatePath string
	Languages    []string // the languages with a catalog; "" is always allowed
	// LanguagesNow, when set, replaces Languages: the languages offered
	// at the time of the request, translation packages uploaded since
	// start included (themes.Renderer.Languages).
	LanguagesNow func() []string
	Now          func() time.Time
}

// Service sends and accepts invitations.
type Service struct {
	store  Store
	mailer Mailer
	cfg    Config
}

// New returns the service.
func New(store Store, mailer Mailer, cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Service{store: store, mailer: mailer, cfg: cfg}
}

// SenderAccount is the Sender.Kind of an organization administrator
// inviting from the account portal.
const SenderAccount = "account"

// Sender is who sends an invitation, as the invitation and the audit log
// name them.
type Sender struct {
	Kind string // "administrator", SenderAccount or "client"
	ID   string
	Name string
}

// Request is an invitation to send.
type Request struct {
	StoreID        string
	OrganizationID string // "" for none
	ClientID       string
	Email          string
	Language       string
	RoleIDs        []string
	GroupIDs       []string
	Attributes     map[string]string
	// OnlyAssignable limits RoleIDs to roles the operator made assignable
	// (an organization administrator's invitation).
	OnlyAssignable bool
	By             Sender
}

// hintPrefix marks a login hint as an invitation's.
const hintPrefix = route.InvitationHintPrefix

// IsLoginHint reports whether a login_hint carries an invitation token.
func IsLoginHint(hint string) bool { return strings.HasPrefix(hint, hintPrefix) }

func newToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("invite: random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, digest(token), nil
}

func digest(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Send checks the request, stores the invitation and queues its e-mail,
// in one transaction.
func (s *Service) Send(ctx context.Context, req Request) (*storage.Invitation, error) {
	req.Email = strings.TrimSpace(req.Email)
	c, err := s.check(ctx, req)
	if err != nil {
		return nil, err
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	inv := &storage.Invitation{StoreID: req.StoreID, OrganizationID: req.OrganizationID, ClientID: req.ClientID,
		Email: req.Email, Language: req.Language, RoleIDs: req.RoleIDs, GroupIDs: req.GroupIDs,
		Attributes: req.Attributes, TokenHash: hash, CreatedByKind: req.By.Kind, CreatedByID: req.By.ID,
		CreatedByName: req.By.Name, CreatedAt: now, ExpiresAt: now.Add(c.policy.Onboarding.InvitationLifetime)}
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.store.CreateInvitation(ctx, inv); err != nil {
			return fmt.Errorf("invite: store: %w", err)
		}
		return s.mail(ctx, inv, c, token)
	})
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// Resend replaces the invitation's token (the earlier link stops working),
// renews its expiry and sends the e-mail again.
func (s *Service) Resend(ctx context.Context, storeID, id string) (*storage.Invitation, error) {
	inv, err := s.store.GetInvitation(ctx, storeID, id)
	if err != nil {
		return nil, err
	}
	if inv.Status != storage.InvitationPending {
		return nil, ErrNotPending
	}
	c, err := s.context(ctx, inv.StoreID, inv.OrganizationID, inv.ClientID)
	if err != nil {
		return nil, fmt.Errorf("invite: resend: %w", err)
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	expires := now.Add(c.policy.Onboarding.InvitationLifetime)
	err = s.inTx(ctx, func(ctx context.Context) error {
		if err := s.store.RenewInvitation(ctx, storeID, id, hash, now, expires); err != nil {
			if errors.Is(err, storage.ErrNotFound) {
				return ErrNotPending
			}
			return fmt.Errorf("invite: renew: %w", err)
		}
		return s.mail(ctx, inv, c, token)
	})
	if err != nil {
		return nil, err
	}
	return s.store.GetInvitation(ctx, storeID, id)
}

// Revoke deletes the invitation: its link stops working and it leaves the
// list for good. A done invitation can be removed from the list too; the
// account it created stays.
func (s *Service) Revoke(ctx context.Context, storeID, id string) error {
	return s.store.DeleteInvitation(ctx, storeID, id)
}

// mail queues the invitation e-mail with the link for token.
func (s *Service) mail(ctx context.Context, inv *storage.Invitation, c *inviteContext, token string) error {
	q := url.Values{"client_id": {inv.ClientID}, "login_hint": {hintPrefix + token}}
	link := s.cfg.Issuer + s.cfg.InitiatePath + "?" + q.Encode()
	data := notify.InvitationEmail{Link: link, Inviter: inv.CreatedByName,
		Days: int(c.policy.Onboarding.InvitationLifetime.Hours() / 24)}
	if c.org != nil {
		data.Organization = c.org.Name
	}
	if inv.CreatedByKind == "client" {
		data.Inviter = "" // a client's name means nothing to the invitee
	}
	// An invitation into an organization wears the organization's own
	// branding where it has one (issue 15), else the application's.
	b := themes.Branding(storage.OrganizationBranding(c.app, c.org))
	if _, err := s.mailer.Email(ctx, inv.Email, "", "invitation", inv.Language, b, data); err != nil {
		return fmt.Errorf("invite: queue e-mail: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction: the invitation and its e-mail are
// stored together or not at all.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	tx, err := s.store.BeginTx(ctx)
	if err != nil {
		return fmt.Errorf("invite: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = s.store.Rollback(tx)
		return err
	}
	return s.store.Commit(tx)
}
