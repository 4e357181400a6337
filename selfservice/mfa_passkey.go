package selfservice

import (
	"encoding/json"
	"log/slog"
	"time"

	"github.com/go-webauthn/webauthn/webauthn"

	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// passkeys runs the passkey ceremonies of sign-in: the identifier page's
// username-less sign-in and the MFA step's challenge.
type passkeys struct {
	store    passkeyStore
	sealer   *mfa.Sealer
	webauthn *mfa.WebAuthn
	now      func() time.Time
	log      *slog.Logger
}

// passkeyStore is what the passkey ceremonies read and write.
type passkeyStore interface {
	GetAccount(ctx context.Context, id string) (*storage.Account, error)
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
	UseAuthenticator(ctx context.Context, accountID, id string, counter int64, at time.Time) error
}

// user is the account with its passkeys, as go-webauthn sees it;
// each credential's sign count is the stored counter (the sealed copy is
// from enrollment).
func (p *passkeys) user(ctx context.Context, acct *storage.Account) (mfa.User, []storage.Authenticator, error) {
	auths, err := p.store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return mfa.User{}, nil, fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	u := mfa.User{ID: []byte(acct.ID), Name: accountName(acct), DisplayName: accountName(acct)}
	var keys []storage.Authenticator
	for _, a := range auths {
		if a.Kind != storage.AuthenticatorPasskey {
			continue
		}
		plain, err := p.sealer.Open(acct.ID, sealPasskey, a.Secret)
		if err != nil {
			return mfa.User{}, nil, fmt.Errorf("selfservice: open passkey %s: %w", a.ID, err)
		}
		var c webauthn.Credential
		if err := json.Unmarshal(plain, &c); err != nil {
			return mfa.User{}, nil, fmt.Errorf("selfservice: decode passkey %s: %w", a.ID, err)
		}
		c.Authenticator.SignCount = uint32(a.Counter) //nolint:gosec // G115: stored from a uint32
		u.Credentials = append(u.Credentials, c)
		keys = append(keys, a)
	}
	return u, keys, nil
}

// beginPasskey makes a challenge for the account's own passkeys (the MFA
// step) and keeps its state in the flow.
func (p *passkeys) beginPasskey(ctx context.Context, f *Flow, acct *storage.Account) error {
	u, keys, err := p.user(ctx, acct)
	if err != nil {
		return err
	}
	// A passkey that was this sign-in's first factor is not asked for again.
	creds := u.Credentials[:0]
	for i, k := range keys {
		if !slices.Contains(f.State.MFA.Proofs, proofOf(k)) {
			creds = append(creds, u.Credentials[i])
		}
	}
	u.Credentials = creds
	opts, state, err := p.webauthn.BeginLogin(&u, false)
	if err != nil {
		return fmt.Errorf("selfservice: begin passkey: %w", err)
	}
	f.State.MFA.Ceremony, f.State.MFA.PasskeyOptions = state, opts
	return nil
}

// beginDiscoverable makes a username-less challenge for the sign-in page's
// passkey button and browser autofill.
func (p *passkeys) beginDiscoverable(f *Flow) error {
	opts, state, err := p.webauthn.BeginLogin(nil, true)
	if err != nil {
		return fmt.Errorf("selfservice: begin passkey sign-in: %w", err)
	}
	f.State.MFA.Ceremony, f.State.MFA.PasskeyOptions = state, opts
	return nil
}

// checkAssertion checks an assertion against the flow's challenge. For the
// MFA step (acct set) only that account's passkeys count; for a
// username-less sign-in (acct nil) the passkey names its account. It
// returns "hwk:proof" or "swk:proof", or "" when the assertion fails, and
// the account and whether the user was verified.
func (p *passkeys) checkAssertion(ctx context.Context, f *Flow, acct *storage.Account, response []byte) (string, *storage.Account, bool, error) {
	state := f.State.MFA.Ceremony
	if len(state) == 0 || len(response) == 0 {
		return "", nil, false, nil
	}
	// A challenge answers once, right or wrong.
	f.State.MFA.Ceremony, f.State.MFA.PasskeyOptions = nil, nil
	var keys []storage.Authenticator
	lookup := func(handle []byte) (mfa.User, error) {
		owner := acct
		if owner == nil {
			a, err := p.store.GetAccount(ctx, string(handle))
			if err != nil {
				return mfa.User{}, fmt.Errorf("selfservice: passkey names no account: %w", err)
			}
			owner = a
		} else if !bytes.Equal(handle, []byte(acct.ID)) {
			return mfa.User{}, errors.New("selfservice: passkey of another account")
		}
		u, k, err := p.user(ctx, owner)
		keys, acct = k, owner
		return u, err
	}
	res, err := p.webauthn.FinishLoginResult(state, response, lookup)
	if errors.Is(err, mfa.ErrCeremony) {
		p.log.InfoContext(ctx, "passkey assertion refused", "err", err)
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("selfservice: passkey: %w", err)
	}
	for _, k := range keys {
		if !bytes.Equal(k.CredentialID, res.Credential.ID) {
			continue
		}
		err := p.store.UseAuthenticator(ctx, acct.ID, k.ID, int64(res.Credential.Authenticator.SignCount), p.now().UTC())
		if errors.Is(err, storage.ErrConflict) {
			return "", nil, false, nil // a parallel use with the same count
		}
		if err != nil {
			return "", nil, false, fmt.Errorf("selfservice: record passkey use: %w", err)
		}
		return mfa.AMR(res.Credential) + ":" + proofOf(k), acct, res.UserVerified, nil
	}
	return "", nil, false, nil
}
