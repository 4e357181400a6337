package manage

import (
	"context"
	"errors"
	"fmt"

	"foyer/storage"
)

// An account's external identities on the Authenticators tab (issue 16):
// support sees which social and enterprise logins the customer signs in
// with and removes one (a compromised upstream account, a customer who
// left the company), never the account's only way in.

// ExternalIdentitiesStore is what the external identities need beyond
// AuthenticatorsStore's reads.
type ExternalIdentitiesStore interface {
	ListExternalIdentities(ctx context.Context, accountID string) ([]storage.ExternalIdentity, error)
	UnlinkExternalIdentity(ctx context.Context, accountID, provider, subject string) error
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
	AppendEvent(ctx context.Context, e *storage.Event) error
}

// Notice texts of a removal (the generic "notice" e-mail): they cannot
// carry the provider's name, the notice renders catalog keys only. An
// application may replace them with its external_removed template.
const (
	externalRemovedKind  = "external_removed"
	externalRemovedTitle = "email.external_removed.title"
	externalRemovedBody  = "email.external_removed.body"
)

// externalViews shows links with their providers' names: one read of the
// store's providers, a legacy provider value shown as it is.
func externalViews(ctx context.Context, st interface {
	ListUpstreamProviders(ctx context.Context, storeID string) ([]storage.UpstreamProvider, error)
}, storeID string, links []storage.ExternalIdentity) ([]ExternalIdentityView, error) {
	out := make([]ExternalIdentityView, 0, len(links))
	if len(links) == 0 {
		return out, nil
	}
	providers, err := st.ListUpstreamProviders(ctx, storeID)
	if err != nil {
		return nil, fmt.Errorf("external identities: providers: %w", err)
	}
	names := make(map[string]string, len(providers))
	for _, p := range providers {
		names[p.ID] = p.Name
	}
	for _, l := range links {
		name, ok := names[l.Provider]
		if !ok {
			name = l.Provider
		}
		out = append(out, ExternalIdentityView{Provider: l.Provider, ProviderName: name, Subject: l.Subject, Email: l.Email,
			CreatedAt: l.CreatedAt, LastUsedAt: l.LastUsedAt, AMR: l.AMR, ACR: l.ACR})
	}
	return out, nil
}

// ExternalIdentities lists the account's external identities.
func (s *AccountAuthenticators) ExternalIdentities(ctx context.Context, a Actor, storeID, accountID string) ([]ExternalIdentityView, error) {
	acct, err := s.authAccount(ctx, a, ReadAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	return s.externalOf(ctx, acct)
}

func (s *AccountAuthenticators) externalOf(ctx context.Context, acct *storage.Account) ([]ExternalIdentityView, error) {
	links, err := s.d.Store.ListExternalIdentities(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	return externalViews(ctx, s.d.Store, acct.StoreID, links)
}

// onlyWayIn is the conflict of removing the account's last way to sign
// in.
func onlyWayIn() error {
	return Conflict("this external identity is the account's only way in (no password, no passkey, " +
		"no other external identity): send a password reset or set a password first")
}

// RemoveExternalIdentity unlinks the account's identity of (provider,
// subject): audited (account.external_identity_removed, the identities
// before and after), an account event external.unlinked with the
// administrator as actor, and a notice e-mail to the customer, always (a
// way to sign in was taken away); in.Notify only chooses the client whose
// branding it wears. Unknown: ErrNotFound. The account's only way in
// (no password, no passkey, no other identity): ErrConflict.
func (s *AccountAuthenticators) RemoveExternalIdentity(ctx context.Context, a Actor, storeID, accountID, provider, subject string, in RemoveInput) error {
	acct, err := s.prepare(ctx, a, storeID, accountID, in.Notify)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		before, err := s.externalOf(ctx, acct)
		if err != nil {
			return Change{}, err
		}
		var gone *ExternalIdentityView
		after := make([]ExternalIdentityView, 0, len(before))
		for i := range before {
			if before[i].Provider == provider && before[i].Subject == subject {
				gone = &before[i]
				continue
			}
			after = append(after, before[i])
		}
		if gone == nil {
			return Change{}, ErrNotFound
		}
		if err := s.keepsWayIn(ctx, acct, len(after) > 0); err != nil {
			return Change{}, err
		}
		if err := s.d.Store.UnlinkExternalIdentity(ctx, acct.ID, provider, subject); err != nil {
			return Change{}, err
		}
		if err := s.d.Store.AppendEvent(ctx, &storage.Event{AccountID: acct.ID, Kind: "external.unlinked", Actor: a.ID, IP: a.IP,
			Data: map[string]string{"provider": gone.Provider, "provider_name": gone.ProviderName}}); err != nil {
			return Change{}, err
		}
		notice, err := s.d.Notices.Announce(ctx, acct, in.Notify, externalRemovedKind, externalRemovedTitle, externalRemovedBody, "email.support.not_you")
		if err != nil {
			return Change{}, err
		}
		if notice.Action != "" {
			if err := s.core.Record(ctx, a, WriteAccounts, notice); err != nil {
				return Change{}, err
			}
		}
		return accountChange("account.external_identity_removed", acct,
			map[string]any{"external_identities": before}, map[string]any{"external_identities": after}), nil
	})
}

// keepsWayIn refuses a removal that leaves the account no way to sign in:
// it must keep a password, a passkey or another external identity (a
// confirmed address alone does not sign anybody in).
func (s *AccountAuthenticators) keepsWayIn(ctx context.Context, acct *storage.Account, otherIdentity bool) error {
	if otherIdentity {
		return nil
	}
	if _, err := s.d.Store.GetPassword(ctx, acct.ID); err == nil {
		return nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	auths, err := s.d.Store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return err
	}
	for _, x := range auths {
		if x.Kind == storage.AuthenticatorPasskey {
			return nil
		}
	}
	return onlyWayIn()
}
