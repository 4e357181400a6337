package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"foyer/selfservice/notify"
	"foyer/selfservice/password"
	"foyer/storage"
	"foyer/themes"
)

// add validates in (adding to p), then creates the account, its grants,
// the invitation e-mail when there is no password, and the audit entry,
// all in one transaction.
func (s *Administrators) add(ctx context.Context, actor Actor, in NewAdministrator, p Problems, action string) (*Administrator, error) {
	if err := actor.Require(ManageAdministrators, ""); err != nil {
		return nil, err
	}
	in.Email = strings.TrimSpace(in.Email)
	if addr, err := mail.ParseAddress(in.Email); err != nil || addr.Address != in.Email {
		p.Add("email", "must be an e-mail address")
	}
	if err := s.checkGrants(ctx, in.Grants, p); err != nil {
		return nil, err
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	var hash string
	if in.Password != "" {
		h, err := password.NewHasher(password.OWASP).Hash(ctx, in.Password)
		if err != nil {
			return nil, err
		}
		hash = h
	}
	var out Administrator
	err := s.core.Apply(ctx, actor, ManageAdministrators, "", func(tx context.Context) (Change, error) {
		acct, err := s.createAccount(tx, in.Email, hash)
		if err != nil {
			return Change{}, err
		}
		grants, err := s.grant(tx, acct.ID, in.Grants)
		if err != nil {
			return Change{}, err
		}
		if hash == "" {
			if err := s.sendInvitation(tx, acct); err != nil {
				return Change{}, err
			}
		}
		out = viewOf(acct, grants)
		return Change{Action: action, TargetType: "administrator", TargetID: acct.ID, After: out}, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// errAdminExists: the e-mail address is an administrator's already.
var errAdminExists = Conflict("an administrator with this e-mail address exists")

// createAccount makes the enabled account, refusing an e-mail address an
// administrator already has.
func (s *Administrators) createAccount(ctx context.Context, email, hash string) (*storage.Account, error) {
	_, err := s.store.FindAccountByIdentifier(ctx, storage.AdministratorsStoreID, storage.IdentifierEmail, email)
	if err == nil {
		return nil, errAdminExists
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	// An owner typed the address; the password reset an invitee does
	// first proves the mailbox (EmailUnproven until then).
	acct := &storage.Account{StoreID: storage.AdministratorsStoreID, Status: storage.AccountEnabled,
		Email: email, EmailConfirmed: true, EmailUnproven: hash == ""}
	if err := s.store.CreateAccount(ctx, acct); errors.Is(err, storage.ErrConflict) {
		return nil, errAdminExists // created meanwhile by another request
	} else if err != nil {
		return nil, err
	}
	if hash != "" {
		if err := s.store.SetPassword(ctx, acct.ID, hash); err != nil {
			return nil, err
		}
	}
	return acct, nil
}

// grant stores the grants of an administrator.
func (s *Administrators) grant(ctx context.Context, accountID string, grants []Grant) ([]storage.AdminGrant, error) {
	out := make([]storage.AdminGrant, 0, len(grants))
	for _, g := range grants {
		sg := storage.AdminGrant{PrincipalKind: storage.PrincipalAdministrator, PrincipalID: accountID,
			Role: g.Role, StoreIDs: g.StoreIDs, CreatedAt: s.core.Now()}
		if err := s.store.CreateAdminGrant(ctx, &sg); err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, nil
}

// checkGrants validates an administrator's grants: at least one, and
// each as checkGrants wants it.
func (s *Administrators) checkGrants(ctx context.Context, grants []Grant, p Problems) error {
	if len(grants) == 0 {
		p.Add("grants", "give at least one role")
	}
	return checkGrants(ctx, s.store, grants, p)
}

// sendInvitation queues the invitation with the new account's transaction,
// so a failed invitation leaves no account and an account no lost mail.
func (s *Administrators) sendInvitation(ctx context.Context, acct *storage.Account) error {
	console := s.issuer + ConsoleBasePath
	_, err := s.mailer.Email(ctx, acct.Email, acct.ID, "notice", "", themes.Branding{AppName: "Foyer"}, notify.NoticeEmail{
		Title: "You are invited to administer Foyer",
		Paragraphs: []string{
			"An owner of " + s.issuer + " made you an administrator.",
			"To set your password, open the admin console at " + console +
				", choose \u201cForgot password?\u201d and enter this e-mail address.",
			"If you did not expect this invitation, ignore this message.",
		},
		Link:     console,
		LinkText: "Open the admin console",
	})
	if err != nil {
		return fmt.Errorf("queue administrator invitation: %w", err)
	}
	return nil
}
