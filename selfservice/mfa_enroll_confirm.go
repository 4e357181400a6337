package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-webauthn/webauthn/webauthn"

	"foyer/selfservice/mfa"
	"foyer/storage"
)

// startPhoneEnrollment takes the number and sends it a code.
func (s enrollStep) startPhoneEnrollment(r *http.Request, f *Flow, acct *storage.Account) (*storage.Authenticator, string, error) {
	phone := storage.CleanIdentifier(storage.IdentifierPhone, r.PostFormValue("phone"))
	if !storage.ValidPhone(phone) {
		return nil, "phone", nil
	}
	pol := f.App.MFA.WithDefaults()
	channel := "sms"
	if r.PostFormValue("channel") == "voice" {
		channel = "voice"
	}
	allowed := map[string]bool{
		"sms":   pol.Allows(storage.MethodSMSCode) || pol.Allows(storage.MethodSMSLink),
		"voice": pol.Allows(storage.MethodVoiceCode),
	}
	if !allowed[channel] {
		return nil, "channel", nil
	}
	f.State.MFA.Enroll.Address = phone
	if err := s.sendCode(r, f, acct, channel); err != nil {
		return nil, "", err
	}
	return nil, "", errEnrollPending
}

// sendEnrollCode sends a code that confirms the address being enrolled,
// throttled like every other code.
func (h *Handler) sendEnrollCode(r *http.Request, f *Flow, acct *storage.Account, channel string) error {
	e := f.State.MFA.Enroll
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		return err
	}
	if held, err := h.throttled(r.Context(), pol, acct.ID, purposeEnroll, channel); err != nil || held {
		return err
	}
	code, err := mfa.NewCode()
	if err != nil {
		return err
	}
	if e.Salt, err = mfa.NewSalt(); err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	sec := &storage.OneTimeSecret{Purpose: purposeEnroll, Hash: mfa.CodeHash(e.Salt, code), AccountID: acct.ID,
		Data: f.Interaction.ID, CreatedAt: now, ExpiresAt: now.Add(pol.OneTimeCodeLifetime)}
	if err := h.store.CreateOneTimeSecret(r.Context(), sec); err != nil {
		return fmt.Errorf("selfservice: store enrollment code: %w", err)
	}
	e.CodeID = sec.ID
	method := map[string]string{"email": storage.MethodEmailCode, "sms": storage.MethodSMSCode, "voice": storage.MethodVoiceCode}[channel]
	return h.deliverSignInSecret(r.Context(), messageFor(f), acct.ID, e.Address, method, code, "", int(pol.OneTimeCodeLifetime.Minutes()))
}

// confirmContact checks the code sent to the address being enrolled, then
// stores the authenticator and marks the contact confirmed.
func (s enrollStep) confirmContact(r *http.Request, f *Flow, acct *storage.Account, kind storage.IdentifierType) (*storage.Authenticator, string, error) {
	ctx := r.Context()
	e := f.State.MFA.Enroll
	now := s.now().UTC()
	sec, err := s.store.LatestOneTimeSecret(ctx, acct.ID, purposeEnroll)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "code", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: latest enrollment code: %w", err)
	}
	if sec.ID != e.CodeID || sec.UsedAt != nil || !now.Before(sec.ExpiresAt) ||
		!sameHash(mfa.CodeHash(e.Salt, r.PostFormValue("code")), sec.Hash) {
		return nil, "code", nil
	}
	if _, err := s.store.UseOneTimeSecret(ctx, purposeEnroll, sec.Hash, now); err != nil {
		return nil, "code", nil //nolint:nilerr // a parallel request spent it
	}
	// The account's own address (or a first phone number) becomes
	// confirmed; another number only serves as this factor: enrolling must
	// not quietly move the account's phone, a sign-in and recovery channel.
	if err := s.store.ConfirmContact(ctx, acct.ID, kind, e.Address); errors.Is(err, storage.ErrConflict) {
		return nil, "phone", nil
	} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, "", fmt.Errorf("selfservice: confirm contact: %w", err)
	}
	if kind == storage.IdentifierEmail {
		if err := s.mailboxProven(ctx, acct.ID, e.Address); err != nil {
			return nil, "", err
		}
	}
	authKind := storage.AuthenticatorEmail
	if kind == storage.IdentifierPhone {
		authKind = storage.AuthenticatorPhone
	}
	a := &storage.Authenticator{AccountID: acct.ID, Kind: authKind, Address: e.Address}
	return a, "", s.store.CreateAuthenticator(ctx, a)
}

// mailboxProven ends the unproven state of the account's address once a
// code sent there came back: whoever enrolled it holds the mailbox, so a
// later reset through it is the owner's, not a claim that strips the
// account's factors (claimedByReset).
func (s enrollStep) mailboxProven(ctx context.Context, accountID, address string) error {
	fresh, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return fmt.Errorf("selfservice: load account: %w", err)
	}
	if !fresh.EmailUnproven || !strings.EqualFold(fresh.Email, address) {
		return nil
	}
	fresh.EmailUnproven = false
	if err := s.store.UpdateAccountProfile(ctx, fresh); err != nil {
		return fmt.Errorf("selfservice: mark address proven: %w", err)
	}
	return nil
}

// finishPasskeyEnrollment stores the new passkey, sealed.
func (s enrollStep) finishPasskeyEnrollment(r *http.Request, acct *storage.Account, e *enrollState) (*storage.Authenticator, string, error) {
	u, _, err := s.passkeys.user(r.Context(), acct)
	if err != nil {
		return nil, "", err
	}
	cred, err := s.webauthn.FinishRegistration(u, e.State, []byte(r.PostFormValue("credential")))
	if errors.Is(err, mfa.ErrCeremony) {
		return nil, "credential", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: passkey enrollment: %w", err)
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: encode passkey: %w", err)
	}
	sealed, err := s.sealer.Seal(acct.ID, sealPasskey, raw)
	if err != nil {
		return nil, "", fmt.Errorf("selfservice: seal passkey: %w", err)
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" || len(name) > 64 {
		name = "Passkey"
	}
	a := &storage.Authenticator{AccountID: acct.ID, Kind: storage.AuthenticatorPasskey, Name: name, Secret: sealed,
		CredentialID: cred.ID, Counter: int64(cred.Authenticator.SignCount)}
	if err := s.store.CreateAuthenticator(r.Context(), a); errors.Is(err, storage.ErrConflict) {
		return nil, "credential", nil
	} else if err != nil {
		return nil, "", fmt.Errorf("selfservice: store passkey: %w", err)
	}
	return a, "", nil
}

// passkeyAMR is "hwk" or "swk" for a stored passkey (mfa.AMR).
func (s enrollStep) passkeyAMR(accountID string, a *storage.Authenticator) (string, error) {
	plain, err := s.sealer.Open(accountID, sealPasskey, a.Secret)
	if err != nil {
		return "", fmt.Errorf("selfservice: open passkey: %w", err)
	}
	var c webauthn.Credential
	if err := json.Unmarshal(plain, &c); err != nil {
		return "", fmt.Errorf("selfservice: decode passkey: %w", err)
	}
	return mfa.AMR(&c), nil
}
