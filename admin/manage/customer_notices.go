package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// Customer notifications (seed 002, "Customer notifications"): after a
// support change the administrator may tell the customer, through a
// client that fits the account. The client decides where the customer
// signs in and the branding (its application's name, logo and colour),
// unless the customer is a member of an organization with branding of its
// own (issue 15): see branding.

// Support notice kinds: the e-mail kinds of themes/default/email and
// their SMS texts (sms.<kind> in the catalogs).
const (
	NoticeProfileChanged       = "support_profile_changed"
	NoticeStatusChanged        = "support_status_changed"
	NoticePasswordSet          = "support_password_set"
	NoticeAuthenticatorRemoved = "support_authenticator_removed"
	NoticeContactAdded         = "support_contact_added"
)

// NoticeKinds lists every kind Send accepts.
var NoticeKinds = []string{NoticeProfileChanged, NoticeStatusChanged, NoticePasswordSet,
	NoticeAuthenticatorRemoved, NoticeContactAdded}

// NoticesStore is what CustomerNotices needs from storage.
type NoticesStore interface {
	CoreStore
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	ListApplicationsPage(ctx context.Context, storeIDs []string, after string, limit int) ([]storage.Application, error)
	ListClients(ctx context.Context) ([]storage.Client, error)
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	// ListAccountOrganizations (storage.AccountRoles) says whether the
	// account is a member of an organization.
	ListAccountOrganizations(ctx context.Context, accountID string) ([]storage.OrganizationMember, error)
	// GetOrganization reads a member's organization for its branding.
	GetOrganization(ctx context.Context, storeID, id string) (*storage.Organization, error)
}

// NoticeSender queues messages (notify.Service).
type NoticeSender interface {
	Email(ctx context.Context, to, accountID, kind, lang string, branding themes.Branding, data any) (notify.Message, error)
	SMSFor(ctx context.Context, to, accountID, kind, lang string, branding themes.Branding, values map[string]string, text string) (notify.Message, error)
}

// Texts translates the SMS texts and picks the customer's language
// (themes.Renderer).
type Texts interface {
	T(lang, key string, args ...any) string
	Negotiate(uiLocales, accountLanguage, acceptLanguage string) string
}

// CustomerNotices tells customers of changes support made.
type CustomerNotices struct {
	core   *Core
	store  NoticesStore
	sender NoticeSender
	texts  Texts
}

// NewCustomerNotices returns the service.
func NewCustomerNotices(core *Core, store NoticesStore, sender NoticeSender, texts Texts) *CustomerNotices {
	return &CustomerNotices{core: core, store: store, sender: sender, texts: texts}
}

// NoticeClient is a client a notice may go through.
type NoticeClient struct {
	ID              string `json:"client_id"`
	Name            string `json:"name"`
	ApplicationID   string `json:"application_id"`
	ApplicationName string `json:"application_name"`
	Organizational  bool   `json:"organizational"`
}

// NotifyChoice is the optional "Notify the customer" of a support change:
// the client to notify through; nil or an empty client id sends nothing.
type NotifyChoice struct {
	ClientID string `json:"client_id"`
}

// Wanted reports whether a notice was asked for.
func (n *NotifyChoice) Wanted() bool { return n != nil && strings.TrimSpace(n.ClientID) != "" }

// Clients lists, by name, the clients a notice to the account may go
// through: a member of an organization gets the clients of its store's
// organizational applications, any other account those of the
// non-organizational ones. The console's client, and clients of other
// stores, never fit.
func (s *CustomerNotices) Clients(ctx context.Context, a Actor, acct *storage.Account) ([]NoticeClient, error) {
	if err := a.Require(ReadAccounts, acct.StoreID); err != nil {
		return nil, err
	}
	if acct.StoreID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	return s.fitting(ctx, acct)
}

// ClientsFor is Clients for an account named by store and id.
func (s *CustomerNotices) ClientsFor(ctx context.Context, a Actor, storeID, accountID string) ([]NoticeClient, error) {
	acct, err := LoadAccount(ctx, s.store, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	return s.fitting(ctx, acct)
}

func (s *CustomerNotices) fitting(ctx context.Context, acct *storage.Account) ([]NoticeClient, error) {
	orgs, err := s.store.ListAccountOrganizations(ctx, acct.ID)
	if err != nil {
		return nil, fmt.Errorf("notices: memberships: %w", err)
	}
	member := len(orgs) > 0
	apps, err := s.store.ListApplicationsPage(ctx, []string{acct.StoreID}, "", 0)
	if err != nil {
		return nil, fmt.Errorf("notices: applications: %w", err)
	}
	fits := map[string]*storage.Application{}
	for i := range apps {
		if apps[i].StoreID == acct.StoreID && apps[i].Organizational == member && apps[i].ID != ConsoleApplicationID {
			fits[apps[i].ID] = &apps[i]
		}
	}
	clients, err := s.store.ListClients(ctx)
	if err != nil {
		return nil, fmt.Errorf("notices: clients: %w", err)
	}
	out := []NoticeClient{}
	for _, c := range clients {
		app, ok := fits[c.ApplicationID]
		if !ok || c.ID == ConsoleClientID {
			continue
		}
		name := c.Name
		if name == "" {
			name = c.ID
		}
		out = append(out, NoticeClient{ID: c.ID, Name: name, ApplicationID: app.ID, ApplicationName: app.Name, Organizational: app.Organizational})
	}
	sort.Slice(out, func(i, j int) bool {
		if !strings.EqualFold(out[i].Name, out[j].Name) {
			return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Fits checks, before a change, that a notice through the client may go
// to the account: a validation error (field "notify.client_id") when the
// client does not fit or the account has nowhere to be written to.
func (s *CustomerNotices) Fits(ctx context.Context, acct *storage.Account, clientID string) error {
	if _, _, err := s.pick(ctx, acct, clientID); err != nil {
		return err
	}
	if acct.Email == "" && acct.Phone == "" {
		return nowhereToNotify()
	}
	return nil
}

// nowhereToNotify: the account has no address a notice could go to.
func nowhereToNotify() error {
	return Problems{"notify.client_id": "the account has no e-mail address or phone number to notify"}.Err()
}

// pick returns the fitting client and its application.
func (s *CustomerNotices) pick(ctx context.Context, acct *storage.Account, clientID string) (*storage.Client, *storage.Application, error) {
	clientID = strings.TrimSpace(clientID)
	if clientID == "" {
		return nil, nil, Problems{"notify.client_id": "choose a client to notify through"}.Err()
	}
	fitting, err := s.fitting(ctx, acct)
	if err != nil {
		return nil, nil, err
	}
	if !slices.ContainsFunc(fitting, func(c NoticeClient) bool { return c.ID == clientID }) {
		return nil, nil, Problems{"notify.client_id": "this client does not fit the account (see the clients offered)"}.Err()
	}
	c, err := s.store.GetClient(ctx, clientID)
	if err != nil {
		return nil, nil, fmt.Errorf("notices: client: %w", err)
	}
	app, err := s.store.GetApplication(ctx, c.ApplicationID)
	if err != nil {
		return nil, nil, fmt.Errorf("notices: application: %w", err)
	}
	return c, app, nil
}

// Send tells the customer of a support change in one audited step
// (account.notified). details: "status" (enabled|disabled), "method" (an
// authenticator kind), "contact" (email|phone), "fields" (comma-separated
// attribute names); nothing secret belongs there.
func (s *CustomerNotices) Send(ctx context.Context, a Actor, acct *storage.Account, clientID, kind string, details map[string]string) error {
	if acct.StoreID == storage.AdministratorsStoreID {
		return ErrNotFound
	}
	return s.core.Apply(ctx, a, WriteAccounts, acct.StoreID, func(ctx context.Context) (Change, error) {
		return s.Queue(ctx, a, acct, clientID, kind, details)
	})
}

// Queue renders and queues the notice within the caller's transaction
// (ctx) and returns the account.notified change for the caller to record
// (Core.Record), so a support change and its notice commit together.
func (s *CustomerNotices) Queue(ctx context.Context, a Actor, acct *storage.Account, clientID, kind string, details map[string]string) (Change, error) {
	if err := a.Require(WriteAccounts, acct.StoreID); err != nil {
		return Change{}, err
	}
	if !slices.Contains(NoticeKinds, kind) {
		return Change{}, fmt.Errorf("notices: unknown kind %q", kind)
	}
	c, app, err := s.pick(ctx, acct, clientID)
	if err != nil {
		return Change{}, err
	}
	if acct.Email == "" && acct.Phone == "" {
		return Change{}, nowhereToNotify()
	}
	lang := s.texts.Negotiate("", acct.Language, "")
	brand, err := s.branding(ctx, acct, app)
	if err != nil {
		return Change{}, err
	}
	channel := notify.ChannelEmail
	if acct.Email != "" {
		_, err = s.sender.Email(ctx, acct.Email, acct.ID, kind, lang, brand, noticeData(details, c.InitiateLoginURI))
	} else {
		channel = notify.ChannelSMS
		_, err = s.sender.SMSFor(ctx, acct.Phone, acct.ID, kind, lang, brand, smsValues(details, c.InitiateLoginURI),
			s.texts.T(lang, smsKey(kind, details), brand.AppName))
	}
	if err != nil {
		return Change{}, fmt.Errorf("notices: queue %s: %w", kind, err)
	}
	return Change{Action: "account.notified", TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID,
		After: map[string]string{"kind": kind, "client_id": c.ID, "channel": channel, "language": lang}}, nil
}

// RecordNotice queues the notice asked for, if any, and records its
// account.notified entry, in the caller's transaction.
func (s *CustomerNotices) RecordNotice(ctx context.Context, a Actor, acct *storage.Account, choice *NotifyChoice, kind string, details map[string]string) error {
	if !choice.Wanted() {
		return nil
	}
	if s == nil {
		return errors.New("manage: customer notices are not configured")
	}
	ch, err := s.Queue(ctx, a, acct, choice.ClientID, kind, details)
	if err != nil {
		return err
	}
	return s.core.Record(ctx, a, WriteAccounts, ch)
}

func noticeData(details map[string]string, link string) notify.SupportNoticeEmail {
	d := notify.SupportNoticeEmail{Status: details["status"], Method: details["method"], Contact: details["contact"], Link: link}
	for f := range strings.SplitSeq(details["fields"], ",") {
		if f = strings.TrimSpace(f); f != "" {
			d.Fields = append(d.Fields, f)
		}
	}
	return d
}

// smsValues are the placeholders of a support notice's SMS template: the
// same values as its e-mail's (noticeData).
func smsValues(details map[string]string, link string) map[string]string {
	d := noticeData(details, link)
	return map[string]string{"status": d.Status, "method": d.Method, "contact": d.Contact,
		"fields": strings.Join(d.Fields, ", "), "link": d.Link}
}

// smsKey is the catalog key of a kind's SMS text.
func smsKey(kind string, details map[string]string) string {
	if kind == NoticeStatusChanged {
		if details["status"] == string(storage.AccountDisabled) {
			return "sms." + kind + ".disabled"
		}
		return "sms." + kind + ".enabled"
	}
	return "sms." + kind
}
