package manage

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"foyer/selfservice/notify"
	"foyer/storage"
	"foyer/themes"
)

// Adding an e-mail address or phone number for a customer: support
// enters it, Foyer sends a six-digit code to it, the customer reads the
// code out to support, who enters it; only then does the address become
// the account's, confirmed. (A code rather than a link: the customer is
// on the phone with support, and a link would have to land somewhere
// the customer is not signed in.) The code is stored hashed, is spent by
// its first right answer, and the fifth wrong answer spends it too.

// contactCodeLifetime is how long a code sent for support lasts.
const contactCodeLifetime = 15 * time.Minute

func contactPurpose(kind string) string { return "admin_contact_" + kind }

// contactCodeTries is how many answers a code gets: the fifth wrong one
// spends it (six digits give a guesser five chances in a million).
const contactCodeTries = 5

// newContactCode returns six random digits and a salt for their hash.
func newContactCode() (code, salt string, err error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", "", fmt.Errorf("contact: random: %w", err)
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("contact: random: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), base64.RawURLEncoding.EncodeToString(b), nil
}

// contactCodeHash is the stored form of a code: HMAC-SHA256 keyed by its
// salt, so equal codes of two accounts do not hash alike.
func contactCodeHash(salt, code string) []byte {
	m := hmac.New(sha256.New, []byte(salt))
	m.Write([]byte(code))
	return m.Sum(nil)
}

// contactTriesKey is the attempt-table key counting a code's answers.
func contactTriesKey(secretID string) string {
	sum := sha256.Sum256([]byte("admin-contact-code\x00" + secretID))
	return hex.EncodeToString(sum[:])
}

// contactCode is what a contact code's secret remembers.
type contactCode struct {
	Address      string `json:"v"`
	Salt         string `json:"s"`
	SecondFactor bool   `json:"f,omitempty"`
}

// ContactInput is the body of "add an e-mail address or phone number".
// SecondFactor also enrolls it for codes at sign-in (an e-mail or SMS
// authenticator). ClientID, optional, brands the code's message.
type ContactInput struct {
	Kind         string `json:"kind"` // email or phone
	Address      string `json:"address"`
	SecondFactor bool   `json:"second_factor"`
	ClientID     string `json:"client_id,omitempty"`
}

// PendingContact is an address waiting for its code.
type PendingContact struct {
	Kind         string    `json:"kind"`
	Address      string    `json:"address"`
	SecondFactor bool      `json:"second_factor"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// ConfirmContactInput is the code the customer read out.
type ConfirmContactInput struct {
	Kind   string        `json:"kind"`
	Code   string        `json:"code"`
	Notify *NotifyChoice `json:"notify,omitempty"`
}

// StartContact sends a code to a new address (account.contact_code_sent).
// An address another account of the store holds is ErrConflict.
func (s *AccountAuthenticators) StartContact(ctx context.Context, a Actor, storeID, accountID string, in ContactInput) (*PendingContact, error) {
	acct, err := s.authAccount(ctx, a, WriteAccounts, storeID, accountID)
	if err != nil {
		return nil, err
	}
	kind := storage.IdentifierType(in.Kind)
	if kind != storage.IdentifierEmail && kind != storage.IdentifierPhone {
		return nil, Problems{"kind": "choose email or phone"}.Err()
	}
	addr := storage.CleanIdentifier(kind, in.Address)
	if !storage.ValidIdentifier(kind, addr) {
		msg := "enter a phone number in international form (+41791234567)"
		if kind == storage.IdentifierEmail {
			msg = "enter an e-mail address"
		}
		return nil, Problems{"address": msg}.Err()
	}
	if err := s.addressFree(ctx, acct, kind, addr); err != nil {
		return nil, err
	}
	brand := themes.Branding{}
	if strings.TrimSpace(in.ClientID) != "" {
		_, app, err := s.d.Notices.pick(ctx, acct, in.ClientID)
		if err != nil {
			return nil, renameField(err, "notify.client_id", "client_id")
		}
		// The code wears what every notice through app wears: a member's
		// organization's branding where app is organizational.
		if brand, err = s.d.Notices.branding(ctx, acct, app); err != nil {
			return nil, err
		}
	}
	p := &PendingContact{Kind: in.Kind, Address: addr, SecondFactor: in.SecondFactor}
	err = s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		exp, err := s.issueContactCode(ctx, acct, kind, addr, in.SecondFactor, brand)
		if err != nil {
			return Change{}, err
		}
		p.ExpiresAt = exp
		return accountChange("account.contact_code_sent", acct, nil,
			map[string]any{"kind": in.Kind, "address": addr, "second_factor": in.SecondFactor}), nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// addressFree refuses an address another account of the store holds,
// and the account's own confirmed one (unless it is to become a factor).
func (s *AccountAuthenticators) addressFree(ctx context.Context, acct *storage.Account, kind storage.IdentifierType, addr string) error {
	other, err := s.d.Store.FindAccountByIdentifier(ctx, acct.StoreID, kind, addr)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	case other.ID != acct.ID:
		return Conflict("another account of the store holds this address")
	}
	return nil
}

func (s *AccountAuthenticators) issueContactCode(ctx context.Context, acct *storage.Account, kind storage.IdentifierType, addr string, factor bool, brand themes.Branding) (time.Time, error) {
	code, salt, err := newContactCode()
	if err != nil {
		return time.Time{}, err
	}
	now := s.core.Now()
	data, _ := json.Marshal(contactCode{Address: addr, Salt: salt, SecondFactor: factor}) //nolint:errchkjson // plain fields
	sec := &storage.OneTimeSecret{Purpose: contactPurpose(string(kind)), Hash: contactCodeHash(salt, code), AccountID: acct.ID,
		Data: string(data), CreatedAt: now, ExpiresAt: now.Add(contactCodeLifetime)}
	if err := s.d.Store.CreateOneTimeSecret(ctx, sec); err != nil {
		return time.Time{}, fmt.Errorf("contact: store code: %w", err)
	}
	lang := s.d.Texts.Negotiate("", acct.Language, "")
	minutes := int(contactCodeLifetime.Minutes())
	if kind == storage.IdentifierEmail {
		_, err = s.d.Sender.Email(ctx, addr, acct.ID, "account_code", lang, brand, notify.AccountCodeEmail{Code: code, Minutes: minutes})
	} else {
		name := brand.AppName
		if name == "" {
			name = "Foyer"
		}
		_, err = s.d.Sender.SMSFor(ctx, addr, acct.ID, "account_code", lang, brand,
			map[string]string{"code": code, "minutes": strconv.Itoa(minutes)}, s.d.Texts.T(lang, "account.sms_code", name, code))
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("contact: queue code: %w", err)
	}
	return sec.ExpiresAt, nil
}

// pendingContacts lists the addresses whose code is still live.
func (s *AccountAuthenticators) pendingContacts(ctx context.Context, accountID string) ([]PendingContact, error) {
	out := []PendingContact{}
	for _, kind := range []string{"email", "phone"} {
		sec, c, err := s.liveCode(ctx, accountID, kind)
		if err != nil {
			return nil, err
		}
		if sec != nil {
			out = append(out, PendingContact{Kind: kind, Address: c.Address, SecondFactor: c.SecondFactor, ExpiresAt: sec.ExpiresAt})
		}
	}
	return out, nil
}

// liveCode is the newest code of the kind when it is unused and
// unexpired, else nil.
func (s *AccountAuthenticators) liveCode(ctx context.Context, accountID, kind string) (*storage.OneTimeSecret, contactCode, error) {
	var c contactCode
	sec, err := s.d.Store.LatestOneTimeSecret(ctx, accountID, contactPurpose(kind))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, c, nil
	}
	if err != nil {
		return nil, c, err
	}
	if sec.UsedAt != nil || !s.core.Now().Before(sec.ExpiresAt) {
		return nil, c, nil
	}
	if err := json.Unmarshal([]byte(sec.Data), &c); err != nil {
		return nil, c, fmt.Errorf("contact: code data: %w", err)
	}
	return sec, c, nil
}

// ConfirmContact checks the code the customer read out and, when it is
// right, makes the address the account's, confirmed
// (account.contact_added), enrolling it as a factor when asked. Wrong,
// used and expired codes are validation errors (field "code") that
// change nothing but the try count.
func (s *AccountAuthenticators) ConfirmContact(ctx context.Context, a Actor, storeID, accountID string, in ConfirmContactInput) error {
	acct, err := s.prepare(ctx, a, storeID, accountID, in.Notify)
	if err != nil {
		return err
	}
	if in.Kind != "email" && in.Kind != "phone" {
		return Problems{"kind": "choose email or phone"}.Err()
	}
	sec, c, err := s.checkContactCode(ctx, acct.ID, in.Kind, strings.TrimSpace(in.Code))
	if err != nil {
		return err
	}
	return s.core.Apply(ctx, a, WriteAccounts, storeID, func(ctx context.Context) (Change, error) {
		if _, err := s.d.Store.UseOneTimeSecret(ctx, sec.Purpose, sec.Hash, s.core.Now()); errors.Is(err, storage.ErrNotFound) {
			return Change{}, Problems{"code": "this code was used already: send a new one"}.Err()
		} else if err != nil {
			return Change{}, err
		}
		return s.applyContact(ctx, a, acct, in, c)
	})
}

// checkContactCode counts the try (outside any transaction, so a refusal
// cannot roll the count back) and compares the code.
func (s *AccountAuthenticators) checkContactCode(ctx context.Context, accountID, kind, code string) (*storage.OneTimeSecret, contactCode, error) {
	sec, c, err := s.liveCode(ctx, accountID, kind)
	if err != nil {
		return nil, c, err
	}
	if sec == nil {
		return nil, c, Problems{"code": "no code is waiting (used, expired or never sent): send a new one"}.Err()
	}
	now := s.core.Now()
	tries, err := s.d.Store.RecordLoginAttempt(ctx, contactTriesKey(sec.ID), now, sec.CreatedAt.Add(-time.Nanosecond))
	if err != nil {
		return nil, c, err
	}
	if tries <= contactCodeTries && hmac.Equal(contactCodeHash(c.Salt, code), sec.Hash) {
		return sec, c, nil
	}
	if tries >= contactCodeTries {
		if _, err := s.d.Store.UseOneTimeSecret(ctx, sec.Purpose, sec.Hash, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, c, err
		}
		return nil, c, Problems{"code": "too many wrong codes: this one is spent, send a new one"}.Err()
	}
	return nil, c, Problems{"code": "wrong code"}.Err()
}

func (s *AccountAuthenticators) applyContact(ctx context.Context, a Actor, acct *storage.Account, in ConfirmContactInput, c contactCode) (Change, error) {
	fresh, err := s.d.Store.GetAccount(ctx, acct.ID)
	if err != nil {
		return Change{}, err
	}
	before := map[string]any{"email": fresh.Email, "email_confirmed": fresh.EmailConfirmed}
	if in.Kind == "email" {
		fresh.Email, fresh.EmailConfirmed, fresh.EmailUnproven = c.Address, true, false
	} else {
		before = map[string]any{"phone": fresh.Phone, "phone_confirmed": fresh.PhoneConfirmed}
		fresh.Phone, fresh.PhoneConfirmed = c.Address, true
	}
	if err := s.d.Store.UpdateAccountProfile(ctx, fresh); errors.Is(err, storage.ErrConflict) {
		return Change{}, Conflict("another account of the store holds this address")
	} else if err != nil {
		return Change{}, err
	}
	if c.SecondFactor {
		kind := storage.AuthenticatorEmail
		if in.Kind == "phone" {
			kind = storage.AuthenticatorPhone
		}
		if err := s.d.Store.CreateAuthenticator(ctx, &storage.Authenticator{AccountID: acct.ID, Kind: kind, Address: c.Address}); err != nil {
			return Change{}, err
		}
	}
	if err := s.d.Notices.RecordNotice(ctx, a, fresh, in.Notify, NoticeContactAdded, map[string]string{"contact": in.Kind}); err != nil {
		return Change{}, err
	}
	after := map[string]any{in.Kind: c.Address, in.Kind + "_confirmed": true, "second_factor": c.SecondFactor}
	return accountChange("account.contact_added", acct, before, after), nil
}
