package manage

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"foyer/selfservice/notify"
	"foyer/storage"
)

// What self-service recovery reads from a reset link. admin may not
// import selfservice, so the reset secret is made here the way
// selfservice's issueResetLink makes it: the same purpose, the same data
// (application and proving channel, no interaction: the link opens a
// stand-alone page) and the same page. A cmd/foyer test follows such a
// link to a new password, so a change on either side fails it.
const (
	purposeResetLink = "password_reset"
	resetPath        = "/recover/reset"
)

// resetLinkData is selfservice's recoveryData as JSON.
type resetLinkData struct {
	App    string `json:"a"`
	Method string `json:"m"`
}

// ResetInput is the body of "send a password-reset e-mail": the client
// whose application brands the message and the reset pages.
type ResetInput struct {
	ClientID string `json:"client_id"`
}

// SendPasswordReset queues the self-service reset e-mail to the account's
// address (account.password_reset_sent). The link lasts the application's
// reset-link lifetime and works like one the customer asked for.
func (s *AccountAuthenticators) SendPasswordReset(ctx context.Context, a Actor, storeID, accountID string, in ResetInput) error {
	acct, err := s.authAccount(ctx, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return err
	}
	switch {
	case acct.Email == "":
		return Problems{"account": "the account has no e-mail address: set a password or add an address"}.Err()
	case acct.Status == storage.AccountDisabled:
		return Problems{"account": "the account is disabled: a reset would not let the customer in"}.Err()
	}
	c, app, err := s.d.Notices.pick(ctx, acct, in.ClientID)
	if err != nil {
		return renameField(err, "notify.client_id", "client_id")
	}
	lifetime := app.SelfService.WithDefaults().ResetLinkLifetime
	// Like every notice through app: a member's organization's look where
	// app is organizational.
	brand, err := s.d.Notices.branding(ctx, acct, app)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		token, hash, err := resetToken()
		if err != nil {
			return Change{}, err
		}
		now := s.core.Now()
		data, _ := json.Marshal(resetLinkData{App: app.ID, Method: "email"}) //nolint:errchkjson // strings only
		sec := &storage.OneTimeSecret{Purpose: purposeResetLink, Hash: hash, AccountID: acct.ID, Data: string(data),
			CreatedAt: now, ExpiresAt: now.Add(lifetime)}
		if err := s.d.Store.CreateOneTimeSecret(ctx, sec); err != nil {
			return Change{}, fmt.Errorf("reset: store secret: %w", err)
		}
		link := strings.TrimRight(s.d.Issuer, "/") + resetPath + "?" + url.Values{"token": {token}}.Encode()
		lang := s.d.Texts.Negotiate("", acct.Language, "")
		_, err = s.d.Sender.Email(ctx, acct.Email, acct.ID, "password_reset", lang, brand,
			notify.PasswordResetEmail{Link: link, Minutes: int(lifetime.Minutes())})
		if err != nil {
			return Change{}, fmt.Errorf("reset: queue: %w", err)
		}
		return accountChange("account.password_reset_sent", acct, nil,
			map[string]any{"client_id": c.ID, "channel": notify.ChannelEmail, "expires_at": sec.ExpiresAt}), nil
	})
}

func resetToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("reset: random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	return token, sum[:], nil
}

// SetPasswordInput is the body of "set a password". The customer is
// always told (support_password_set), so Notify is required.
type SetPasswordInput struct {
	Password string        `json:"password"`
	Notify   *NotifyChoice `json:"notify"`
}

// SetPassword sets a password support chose (account.password_set, never
// the password): checked against the password policy of every
// application of the store, so it works wherever the customer signs in,
// and hashed with argon2id. Like a reset, every session ends (with
// back-channel logout) and every token is revoked: whoever held the
// account before support stepped in is out.
func (s *AccountAuthenticators) SetPassword(ctx context.Context, a Actor, storeID, accountID string, in SetPasswordInput) error {
	acct, err := s.authAccount(ctx, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return err
	}
	if !in.Notify.Wanted() {
		return Problems{"notify.client_id": "the customer is told of a new password: choose a client"}.Err()
	}
	if err := s.d.Notices.Fits(ctx, acct, in.Notify.ClientID); err != nil {
		return err
	}
	if err := s.checkPassword(ctx, acct, in.Password); err != nil {
		return err
	}
	hash, err := s.d.Hasher.Hash(ctx, in.Password)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	had := true
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if _, err := s.d.Store.GetPassword(ctx, acct.ID); errors.Is(err, storage.ErrNotFound) {
			had = false
		} else if err != nil {
			return Change{}, err
		}
		if err := s.d.Store.SetPassword(ctx, acct.ID, hash); err != nil {
			return Change{}, err
		}
		// A reset link or code asked for before must not undo it.
		if err := storage.SpendPasswordResets(ctx, s.d.Store, acct.ID, s.core.Now()); err != nil {
			return Change{}, err
		}
		if s.d.Sessions != nil {
			if _, err := s.d.Sessions.EndAccountInTx(ctx, acct.ID); err != nil {
				return Change{}, fmt.Errorf("set password: end sessions: %w", err)
			}
		}
		if _, err := s.d.Store.RevokeTokensBySubject(ctx, acct.ID); err != nil {
			return Change{}, err
		}
		if err := s.d.Notices.RecordNotice(ctx, a, acct, in.Notify, NoticePasswordSet, nil); err != nil {
			return Change{}, err
		}
		return accountChange("account.password_set", acct, map[string]any{"has_password": had},
			map[string]any{"has_password": true, "sessions_ended": true, "tokens_revoked": true}), nil
	})
	return err
}

// checkPassword applies the password policy of each application of the
// account's store (the default policy when it has none).
func (s *AccountAuthenticators) checkPassword(ctx context.Context, acct *storage.Account, pw string) error {
	apps, err := s.d.Store.ListApplicationsPage(ctx, []string{acct.StoreID}, "", 0)
	if err != nil {
		return err
	}
	policies := []storage.PasswordPolicy{storage.DefaultSelfServicePolicy().PasswordPolicy}
	if len(apps) > 0 {
		policies = policies[:0]
	}
	for _, app := range apps {
		policies = append(policies, app.SelfService.WithDefaults().PasswordPolicy)
	}
	for _, p := range policies {
		switch s.d.Rules.Check(p, pw, pw) {
		case "":
		case "required":
			return Problems{"password": "a password is required"}.Err()
		case "too_short":
			return Problems{"password": fmt.Sprintf("use at least %d characters", p.MinLength)}.Err()
		case "too_long":
			return Problems{"password": fmt.Sprintf("use at most %d bytes", p.MaxLength)}.Err()
		case "common":
			return Problems{"password": "this password is too common"}.Err()
		default:
			return Problems{"password": "the password does not meet the policy"}.Err()
		}
	}
	return nil
}

// RemovePasswordInput is the body of a password removal. Confirm
// acknowledges that the account is left with no way in.
type RemovePasswordInput struct {
	Confirm bool          `json:"confirm"`
	Notify  *NotifyChoice `json:"notify,omitempty"`
}

// RemovePassword deletes the account's password
// (account.authenticator_removed). When that leaves no way in (no
// passkey, no confirmed e-mail address or phone number a reset could
// reach), it is refused (ErrConflict) unless Confirm says support knows.
func (s *AccountAuthenticators) RemovePassword(ctx context.Context, a Actor, storeID, accountID string, in RemovePasswordInput) error {
	acct, err := s.prepare(ctx, a, storeID, accountID, in.Notify)
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if _, err := s.d.Store.GetPassword(ctx, acct.ID); err != nil {
			return Change{}, err
		}
		if !in.Confirm {
			other, err := s.otherWayIn(ctx, acct)
			if err != nil {
				return Change{}, err
			}
			if !other {
				return Change{}, Conflict("the account has no other way in (no passkey, no confirmed e-mail address or phone number): confirm to remove the password anyway")
			}
		}
		if err := s.d.Store.DeletePassword(ctx, acct.ID); err != nil {
			return Change{}, err
		}
		if err := s.d.Notices.RecordNotice(ctx, a, acct, in.Notify, NoticeAuthenticatorRemoved, map[string]string{"method": "password"}); err != nil {
			return Change{}, err
		}
		return accountChange("account.authenticator_removed", acct, map[string]any{"kind": "password"}, nil), nil
	})
}

func (s *AccountAuthenticators) otherWayIn(ctx context.Context, acct *storage.Account) (bool, error) {
	if (acct.Email != "" && acct.EmailConfirmed) || (acct.Phone != "" && acct.PhoneConfirmed) {
		return true, nil
	}
	auths, err := s.d.Store.ListAuthenticators(ctx, acct.ID)
	if err != nil {
		return false, err
	}
	for _, x := range auths {
		if x.Kind == storage.AuthenticatorPasskey {
			return true, nil
		}
	}
	return false, nil
}

// renameField moves a validation error's field (a reset names its client
// "client_id", not "notify.client_id").
func renameField(err error, from, to string) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	if msg, ok := ve.Fields[from]; ok {
		return Problems{to: msg}.Err()
	}
	return err
}
