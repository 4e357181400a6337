package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"foyer/storage"
)

// AccountActionsStore is what the account quick actions need.
type AccountActionsStore interface {
	CoreStore
	GetGroup(ctx context.Context, storeID, id string) (*storage.Group, error)
	AddGroupMember(ctx context.Context, groupID, accountID string) error
	RemoveGroupMember(ctx context.Context, groupID, accountID string) error
	ListAccountGroups(ctx context.Context, accountID string) ([]storage.Group, error)
	SetAccountStatus(ctx context.Context, id string, status storage.AccountStatus) error
	RevokeTokensBySubject(ctx context.Context, subject string) (int64, error)
	DeleteAccountData(ctx context.Context, accountID string) error
	// For ending the tokens of applications a group restricts.
	ListPortalSettings(ctx context.Context) ([]storage.PortalSettings, error)
	GetPortalSettings(ctx context.Context, applicationID string) (*storage.PortalSettings, error)
	GetApplication(ctx context.Context, id string) (*storage.Application, error)
	ListClients(ctx context.Context) ([]storage.Client, error)
	RevokeTokensBySubjectAndClient(ctx context.Context, subject, clientID string) (int64, error)
}

// AccountAction is one quick action on one account (seed 002's "Account
// quick actions"). It runs inside the caller's transaction, which ctx
// carries, and returns the audit Change for the caller to record (Core.Apply
// for one account, Core.Record for each account of a bulk job). A zero
// Change means nothing changed (already enabled, already a member ...):
// the caller records no entry. arg is the group id for add_to_group and
// remove_from_group and ignored otherwise. The actor needs WriteAccounts on
// the account's store.
type AccountAction func(ctx context.Context, a Actor, acct *storage.Account, arg string) (Change, error)

// Quick action names, as the API, the console and bulk jobs spell them.
const (
	ActionDelete          = "delete"
	ActionEnable          = "enable"
	ActionDisable         = "disable"
	ActionAddToGroup      = "add_to_group"
	ActionRemoveFromGroup = "remove_from_group"
)

// AccountActions runs the actions an administrator takes on one customer
// account: the quick actions, the overview panel's status, session and
// deletion actions, and group membership.
type AccountActions struct {
	core     *Core
	store    AccountActionsStore
	sessions SessionEnder // account_activity.go's: the session manager
	// notices tells the customer of a status change (account_notify.go);
	// nil: none.
	notices *CustomerNotices
}

// NewAccountActions returns the service.
func NewAccountActions(core *Core, store AccountActionsStore, sessions SessionEnder) *AccountActions {
	return &AccountActions{core: core, store: store, sessions: sessions}
}

// QuickAction returns the action of that name; false for an unknown name.
func (s *AccountActions) QuickAction(name string) (AccountAction, bool) {
	switch name {
	case ActionDelete:
		return s.deleteAction, true
	case ActionEnable:
		return s.enableAction, true
	case ActionDisable:
		return s.disableAction, true
	case ActionAddToGroup:
		return s.addToGroupAction, true
	case ActionRemoveFromGroup:
		return s.removeFromGroupAction, true
	}
	return nil, false
}

// QuickActionNames lists the quick actions, in the seed's order.
func QuickActionNames() []string {
	return []string{ActionDelete, ActionAddToGroup, ActionRemoveFromGroup, ActionEnable, ActionDisable}
}

// Disable disables the account: it can no longer sign in, every session
// ends (relying parties hear of it by back-channel logout) and every
// token is revoked, with the status change (action account.disabled).
func (s *AccountActions) Disable(ctx context.Context, a Actor, storeID, id string) error {
	return s.apply(ctx, a, storeID, id, "", s.disableAction)
}

// Enable enables the account (action account.enabled); a pending
// account's e-mail address stays unconfirmed.
func (s *AccountActions) Enable(ctx context.Context, a Actor, storeID, id string) error {
	return s.apply(ctx, a, storeID, id, "", s.enableAction)
}

// Delete removes the account and everything keyed by it, as the portal's
// deletion does (action account.deleted). Irreversible.
func (s *AccountActions) Delete(ctx context.Context, a Actor, storeID, id string) error {
	return s.apply(ctx, a, storeID, id, "", s.deleteAction)
}

// AddToGroup puts the account into a group of its store (action
// account.group_added); a member already is no error.
func (s *AccountActions) AddToGroup(ctx context.Context, a Actor, storeID, id, groupID string) error {
	return s.apply(ctx, a, storeID, id, groupID, s.addToGroupAction)
}

// RemoveFromGroup takes the account out of a group of its store (action
// account.group_removed); no member is no error. Access to applications
// restricted to the group ends at once: authorization and refresh check
// membership on every request.
func (s *AccountActions) RemoveFromGroup(ctx context.Context, a Actor, storeID, id, groupID string) error {
	return s.apply(ctx, a, storeID, id, groupID, s.removeFromGroupAction)
}

// EndSessions ends every session of the account with back-channel logout
// notices and revokes its tokens (action account.sessions_ended); the
// customer signs in again at the next visit. It returns how many sessions
// ended.
func (s *AccountActions) EndSessions(ctx context.Context, a Actor, storeID, id string) (int, error) {
	var n int
	err := s.apply(ctx, a, storeID, id, "", func(ctx context.Context, a Actor, acct *storage.Account, _ string) (Change, error) {
		ended, revoked, err := s.endAccess(ctx, acct.ID)
		if err != nil {
			return Change{}, err
		}
		n = ended
		if ended == 0 && revoked == 0 {
			return Change{}, nil
		}
		return accountChange("account.sessions_ended", acct, nil,
			map[string]any{"sessions_ended": ended, "tokens_revoked": revoked}), nil
	})
	return n, err
}

// apply loads the account in the transaction and runs the action there,
// with its audit entry.
func (s *AccountActions) apply(ctx context.Context, a Actor, storeID, id, arg string, act AccountAction) error {
	if storeID == storage.AdministratorsStoreID {
		return ErrNotFound // before Apply's permission check, as LoadAccount
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(tx context.Context) (Change, error) {
		acct, err := s.load(tx, a, storeID, id)
		if err != nil {
			return Change{}, err
		}
		return act(tx, a, acct, arg)
	})
}

// load is LoadAccount for writes.
// TODO(foundation): call LoadAccount once "accounts: foundation" is on
// main; this keeps its contract until then.
func (s *AccountActions) load(ctx context.Context, a Actor, storeID, id string) (*storage.Account, error) {
	if storeID == storage.AdministratorsStoreID {
		return nil, ErrNotFound
	}
	if err := a.Require(WriteAccounts, storeID); err != nil {
		return nil, err
	}
	acct, err := s.store.GetAccount(ctx, id)
	if err != nil {
		return nil, err
	}
	if acct.StoreID != storeID {
		return nil, ErrNotFound
	}
	return acct, nil
}

// mayAct guards the actions run on an account their caller loaded (a bulk
// job): the same refusals as LoadAccount.
func mayAct(a Actor, acct *storage.Account) error {
	if acct == nil || acct.StoreID == storage.AdministratorsStoreID {
		return ErrNotFound
	}
	return a.Require(WriteAccounts, acct.StoreID)
}

func (s *AccountActions) disableAction(ctx context.Context, a Actor, acct *storage.Account, _ string) (Change, error) {
	if err := mayAct(a, acct); err != nil {
		return Change{}, err
	}
	before := acct.Status
	if before != storage.AccountDisabled {
		if err := s.store.SetAccountStatus(ctx, acct.ID, storage.AccountDisabled); err != nil {
			return Change{}, err
		}
	}
	ended, revoked, err := s.endAccess(ctx, acct.ID)
	if err != nil {
		return Change{}, err
	}
	if before == storage.AccountDisabled && ended == 0 && revoked == 0 {
		return Change{}, nil
	}
	acct.Status = storage.AccountDisabled
	return accountChange("account.disabled", acct, map[string]any{"status": before},
		map[string]any{"status": storage.AccountDisabled, "sessions_ended": ended, "tokens_revoked": revoked}), nil
}

func (s *AccountActions) enableAction(ctx context.Context, a Actor, acct *storage.Account, _ string) (Change, error) {
	if err := mayAct(a, acct); err != nil {
		return Change{}, err
	}
	before := acct.Status
	if before == storage.AccountEnabled {
		return Change{}, nil
	}
	// SetAccountStatus rather than ActivateAccount: enabling is no proof
	// of the mailbox, so a pending account's address stays unconfirmed.
	if err := s.store.SetAccountStatus(ctx, acct.ID, storage.AccountEnabled); err != nil {
		return Change{}, err
	}
	acct.Status = storage.AccountEnabled
	return accountChange("account.enabled", acct, map[string]any{"status": before},
		map[string]any{"status": storage.AccountEnabled}), nil
}

// deleteAction is the portal's deletion: sessions end with back-channel
// logout notices (which outlive the account), then every row keyed by the
// account and its tokens go. The entry keeps no personal data of the
// deleted account: its id, store and status are enough to tell what
// happened.
func (s *AccountActions) deleteAction(ctx context.Context, a Actor, acct *storage.Account, _ string) (Change, error) {
	if err := mayAct(a, acct); err != nil {
		return Change{}, err
	}
	ended, err := s.sessions.EndAccountInTx(ctx, acct.ID)
	if err != nil {
		return Change{}, err
	}
	if err := s.store.DeleteAccountData(ctx, acct.ID); err != nil {
		return Change{}, err
	}
	return accountChange("account.deleted", acct, map[string]any{"status": acct.Status, "sessions_ended": len(ended)}, nil), nil
}

func (s *AccountActions) addToGroupAction(ctx context.Context, a Actor, acct *storage.Account, groupID string) (Change, error) {
	return s.membership(ctx, a, acct, groupID, true)
}

func (s *AccountActions) removeFromGroupAction(ctx context.Context, a Actor, acct *storage.Account, groupID string) (Change, error) {
	return s.membership(ctx, a, acct, groupID, false)
}

func (s *AccountActions) membership(ctx context.Context, a Actor, acct *storage.Account, groupID string, add bool) (Change, error) {
	if err := mayAct(a, acct); err != nil {
		return Change{}, err
	}
	g, err := s.group(ctx, acct.StoreID, groupID)
	if err != nil {
		return Change{}, err
	}
	member, err := s.isMember(ctx, acct.ID, g.ID)
	if err != nil || member == add {
		return Change{}, err // nothing to change
	}
	ref := map[string]any{"group_id": g.ID, "group": g.Name}
	if add {
		if err := s.store.AddGroupMember(ctx, g.ID, acct.ID); err != nil {
			return Change{}, err
		}
		return accountChange("account.group_added", acct, nil, ref), nil
	}
	if err := s.store.RemoveGroupMember(ctx, g.ID, acct.ID); err != nil {
		return Change{}, err
	}
	revoked, err := s.revokeRestricted(ctx, acct, g)
	if err != nil {
		return Change{}, err
	}
	return accountChange("account.group_removed", acct, ref, map[string]any{"tokens_revoked": revoked}), nil
}

// revokeRestricted revokes the account's tokens held by the clients of
// applications it may no longer use now that it left g: authorization and
// refresh check the restriction anyway, and this ends the access tokens
// already issued too (UserInfo and introspection answer them no more).
func (s *AccountActions) revokeRestricted(ctx context.Context, acct *storage.Account, g *storage.Group) (int64, error) {
	settings, err := s.store.ListPortalSettings(ctx)
	if err != nil {
		return 0, err
	}
	var apps []string
	for _, p := range settings {
		if !slices.Contains(p.Groups, g.Name) {
			continue
		}
		app, err := s.store.GetApplication(ctx, p.ApplicationID)
		if err != nil {
			return 0, err
		}
		if app.StoreID != acct.StoreID {
			continue
		}
		// Another of its groups may still admit the account.
		if ok, err := storage.MayUseApplication(ctx, s.store, app, acct.ID); err != nil || ok {
			if err != nil {
				return 0, err
			}
			continue
		}
		apps = append(apps, app.ID)
	}
	if len(apps) == 0 {
		return 0, nil
	}
	clients, err := s.store.ListClients(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, c := range clients {
		if !slices.Contains(apps, c.ApplicationID) {
			continue
		}
		k, err := s.store.RevokeTokensBySubjectAndClient(ctx, acct.ID, c.ID)
		if err != nil {
			return n, err
		}
		n += k
	}
	return n, nil
}

// group returns the group of the store; an empty id or a group of another
// store is a field error (the input named it), not a missing account.
func (s *AccountActions) group(ctx context.Context, storeID, groupID string) (*storage.Group, error) {
	if groupID == "" {
		return nil, &ValidationError{Fields: map[string]string{"group": "choose a group"}}
	}
	g, err := s.store.GetGroup(ctx, storeID, groupID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, &ValidationError{Fields: map[string]string{"group": "no such group in the identity store"}}
	}
	return g, err
}

func (s *AccountActions) isMember(ctx context.Context, accountID, groupID string) (bool, error) {
	groups, err := s.store.ListAccountGroups(ctx, accountID)
	if err != nil {
		return false, fmt.Errorf("groups of account: %w", err)
	}
	for _, g := range groups {
		if g.ID == groupID {
			return true, nil
		}
	}
	return false, nil
}

// endAccess ends every session (with back-channel logout notices) and
// revokes every token of the account, in the transaction ctx carries.
func (s *AccountActions) endAccess(ctx context.Context, accountID string) (sessions int, tokens int64, err error) {
	ended, err := s.sessions.EndAccountInTx(ctx, accountID)
	if err != nil {
		return 0, 0, err
	}
	sessions = len(ended)
	tokens, err = s.store.RevokeTokensBySubject(ctx, accountID)
	return sessions, tokens, err
}

// accountChange is an audit Change about an account.
func accountChange(action string, acct *storage.Account, before, after any) Change {
	return Change{Action: action, TargetType: "account", TargetID: acct.ID, StoreID: acct.StoreID, Before: before, After: after}
}
