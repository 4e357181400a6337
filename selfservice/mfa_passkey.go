package selfservice

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// beginPasskey makes a challenge for the account's own passkeys (the MFA
// step) and keeps its state in the flow.
func (h *Handler) beginPasskey(ctx context.Context, f *Flow, acct *storage.Account) error {
	u, keys, err := h.webauthnUser(ctx, acct)
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
	opts, state, err := h.webauthn.BeginLogin(&u, false)
	if err != nil {
		return fmt.Errorf("selfservice: begin passkey: %w", err)
	}
	f.State.MFA.Ceremony, f.State.MFA.PasskeyOptions = state, opts
	return nil
}

// beginDiscoverable makes a username-less challenge for the sign-in page's
// passkey button and browser autofill.
func (h *Handler) beginDiscoverable(f *Flow) error {
	opts, state, err := h.webauthn.BeginLogin(nil, true)
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
func (h *Handler) checkAssertion(ctx context.Context, f *Flow, acct *storage.Account, response []byte) (string, *storage.Account, bool, error) {
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
			a, err := h.store.GetAccount(ctx, string(handle))
			if err != nil {
				return mfa.User{}, fmt.Errorf("selfservice: passkey names no account: %w", err)
			}
			owner = a
		} else if !bytes.Equal(handle, []byte(acct.ID)) {
			return mfa.User{}, errors.New("selfservice: passkey of another account")
		}
		u, k, err := h.webauthnUser(ctx, owner)
		keys, acct = k, owner
		return u, err
	}
	res, err := h.webauthn.FinishLoginResult(state, response, lookup)
	if errors.Is(err, mfa.ErrCeremony) {
		h.log.InfoContext(ctx, "passkey assertion refused", "err", err)
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("selfservice: passkey: %w", err)
	}
	for _, k := range keys {
		if !bytes.Equal(k.CredentialID, res.Credential.ID) {
			continue
		}
		err := h.store.UseAuthenticator(ctx, acct.ID, k.ID, int64(res.Credential.Authenticator.SignCount), h.cfg.Now().UTC())
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
