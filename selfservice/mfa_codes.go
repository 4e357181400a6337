package selfservice

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

// mfaSecretData is what a sign-in code or link secret carries.
type mfaSecretData struct {
	Interaction   string `json:"i"`
	Authenticator string `json:"a,omitempty"`
	Proof         string `json:"p"`
	Method        string `json:"m"`
	Salt          string `json:"s,omitempty"`
}

// sendMFASecret sends a code or magic link for the flow's picked method
// to its authenticator; it returns the notice to show.
func (h *Handler) sendMFASecret(r *http.Request, f *Flow, acct *storage.Account, method string) (string, error) {
	ctx := r.Context()
	a, err := findAuthenticator(ctx, h.store, acct.ID, f.State.MFA.Authenticator)
	if err != nil {
		return "", err
	}
	if a == nil {
		return "", errNoAuthenticator
	}
	pol, err := h.policy(ctx, f.App)
	if err != nil {
		return "", err
	}
	held, err := h.throttled(ctx, pol, acct.ID, mfaPurposes.written(method), method)
	if err != nil || held {
		return "mfa.resend_wait", err
	}
	link := method == storage.MethodEmailLink || method == storage.MethodSMSLink
	id, err := h.issueSignInSecret(ctx, messageFor(f), pol, mfaPurposes, acct.ID, *a, method, link)
	if err != nil {
		return "", err
	}
	f.State.MFA.CodeID = id
	h.eventData(r, acct.ID, "mfa.code_sent", map[string]string{"method": method})
	return "mfa.sent", nil
}

// signInMessage is what a code or link message is for: the sign-in it
// continues, and the application and language it is written in.
type signInMessage struct {
	Interaction string
	App         *storage.Application
	Lang        string
}

func messageFor(f *Flow) signInMessage {
	return signInMessage{Interaction: f.Interaction.ID, App: f.App, Lang: f.Lang}
}

// issueSignInSecret stores and sends a sign-in code (code methods), a
// magic link (link methods), or both (withLink and a code method: a
// passwordless first factor) to the authenticator. It returns the code's
// id ("" when only a link went out).
func (h *Handler) issueSignInSecret(ctx context.Context, m signInMessage, pol storage.SelfServicePolicy, kind signInPurposes,
	accountID string, a storage.Authenticator, method string, withLink bool) (string, error) {
	d := mfaSecretData{Interaction: m.Interaction, Authenticator: a.ID, Proof: proofOf(a), Method: method}
	var codeID, code, linkURL string
	var err error
	if method != storage.MethodEmailLink && method != storage.MethodSMSLink {
		if code, err = mfa.NewCode(); err != nil {
			return "", err
		}
		if d.Salt, err = mfa.NewSalt(); err != nil {
			return "", err
		}
		if codeID, err = h.storeMFASecret(ctx, accountID, kind.code, mfa.CodeHash(d.Salt, code), d, pol.OneTimeCodeLifetime); err != nil {
			return "", err
		}
		d.Salt = ""
	}
	if withLink {
		token, hash, err := newSecret()
		if err != nil {
			return "", err
		}
		if _, err := h.storeMFASecret(ctx, accountID, kind.link, hash, d, pol.OneTimeCodeLifetime); err != nil {
			return "", err
		}
		linkURL = h.cfg.Issuer + h.path(magicLinkRoute, url.Values{"token": {token}, "interaction": {m.Interaction}})
	}
	return codeID, h.deliverSignInSecret(ctx, m, accountID, a.Address, method, code, linkURL, int(pol.OneTimeCodeLifetime.Minutes()))
}

func (h *Handler) storeMFASecret(ctx context.Context, accountID, purpose string, hash []byte, d mfaSecretData, life time.Duration) (string, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("selfservice: encode MFA secret: %w", err)
	}
	now := h.cfg.Now().UTC()
	sec := &storage.OneTimeSecret{Purpose: purpose, Hash: hash, AccountID: accountID, Data: string(raw),
		CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := h.store.CreateOneTimeSecret(ctx, sec); err != nil {
		return "", fmt.Errorf("selfservice: store %s: %w", purpose, err)
	}
	return sec.ID, nil
}

// deliverSignInSecret queues the message for the method's channel.
func (h *Handler) deliverSignInSecret(ctx context.Context, m signInMessage, accountID, to, method, code, link string, minutes int) error {
	app := branding(m.App).AppName
	var err error
	switch method {
	case storage.MethodEmailCode, storage.MethodEmailLink:
		_, err = h.notify.Email(ctx, to, accountID, "sign_in_code", m.Lang, branding(m.App),
			notify.SignInCodeEmail{Code: code, Link: link, Minutes: minutes})
	case storage.MethodSMSCode, storage.MethodSMSLink:
		text := h.render.T(m.Lang, "sms.sign_in_code", app, code, minutes)
		if code == "" {
			text = h.render.T(m.Lang, "sms.sign_in_link", app, link)
		} else if link != "" {
			text += "\n" + link
		}
		values := map[string]string{"code": code, "link": link, "minutes": strconv.Itoa(minutes)}
		_, err = h.notify.SMSFor(ctx, to, accountID, "sign_in_code", m.Lang, branding(m.App), values, text)
	case storage.MethodVoiceCode:
		// Spaced digits are read out one by one.
		spoken := strings.Join(strings.Split(code, ""), " ")
		_, err = h.notify.Voice(ctx, to, accountID, "sign_in_code", h.render.T(m.Lang, "voice.sign_in_code", app, spoken))
	}
	if err != nil {
		return fmt.Errorf("selfservice: queue %s: %w", method, err)
	}
	return nil
}

// authenticatorLister lists an account's authenticators.
type authenticatorLister interface {
	ListAuthenticators(ctx context.Context, accountID string) ([]storage.Authenticator, error)
}

// findAuthenticator is one of the account's authenticators, or nil.
func findAuthenticator(ctx context.Context, store authenticatorLister, accountID, id string) (*storage.Authenticator, error) {
	auths, err := store.ListAuthenticators(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("selfservice: list authenticators: %w", err)
	}
	for i := range auths {
		if auths[i].ID == id {
			return &auths[i], nil
		}
	}
	return nil, nil
}

// signInCodes checks and spends the one-time codes and links a sign-in
// sends: the MFA and passwordless steps check them, and every page that
// proves a first or second factor spends the rest.
type signInCodes struct {
	store  signInCodeStore
	limits *regulate.Regulator
	now    func() time.Time
}

// signInCodeStore is what signInCodes reads and writes.
type signInCodeStore interface {
	LatestOneTimeSecret(ctx context.Context, accountID, purpose string) (*storage.OneTimeSecret, error)
	UseOneTimeSecret(ctx context.Context, purpose string, hash []byte, now time.Time) (*storage.OneTimeSecret, error)
	SpendOneTimeSecrets(ctx context.Context, accountID, purpose string, now time.Time) (int64, error)
}

// check spends the flow's current code when code is right and
// returns what it was issued for, or nil. Each try is counted before the
// comparison, against the code or, when the flow has no live code (none
// sent, or no account: accountID is empty), against the interaction, so a
// wrong code costs the same statements whether or not the identifier
// names an account; the fifth wrong one spends the code.
func (c signInCodes) check(r *http.Request, f *Flow, accountID, purpose, code string) (*mfaSecretData, error) {
	ctx := r.Context()
	now := c.now().UTC()
	sec, err := c.store.LatestOneTimeSecret(ctx, accountID, purpose)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("selfservice: latest MFA code: %w", err)
	}
	var d mfaSecretData
	// The newest code of the account, issued for this sign-in (and, at the
	// MFA step, for the method picked last).
	live := err == nil && (f.State.MFA.CodeID == "" || sec.ID == f.State.MFA.CodeID) && sec.UsedAt == nil &&
		now.Before(sec.ExpiresAt) && json.Unmarshal([]byte(sec.Data), &d) == nil && d.Interaction == f.Interaction.ID
	key, since := regulate.OneTimeCode.Key("none\x00"+f.Interaction.ID), now
	hash := mfa.CodeHash(f.Interaction.ID, code) // matches no stored code
	stored := hash
	if live {
		key, since = regulate.OneTimeCode.Key(sec.ID), sec.CreatedAt.Add(-1)
		hash, stored = mfa.CodeHash(d.Salt, code), sec.Hash
	}
	attempt, err := c.limits.AttemptSince(ctx, key, now, since)
	if err != nil {
		return nil, fmt.Errorf("selfservice: %w", err)
	}
	if attempt.Exceeded() || !live || !sameHash(hash, stored) {
		if attempt.Reached() {
			if _, err := c.store.UseOneTimeSecret(ctx, purpose, stored, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, fmt.Errorf("selfservice: spend guessed code: %w", err)
			}
		}
		return nil, nil
	}
	if _, err := c.store.UseOneTimeSecret(ctx, purpose, stored, now); errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("selfservice: use MFA code: %w", err)
	}
	return &d, nil
}

// spend spends the account's outstanding sign-in codes and
// links once one of them worked: the code and link of one message, or a
// code asked for twice, must not prove anything again. (They are marked
// used, not deleted: the re-request throttle follows the newest.)
func (c signInCodes) spend(ctx context.Context, accountID string) error {
	for _, purpose := range []string{purposeMFACode, purposeMFALink, purposeLoginCode, purposeLoginLink} {
		if _, err := c.store.SpendOneTimeSecrets(ctx, accountID, purpose, c.now().UTC()); err != nil {
			return fmt.Errorf("selfservice: spend sign-in secrets: %w", err)
		}
	}
	return nil
}

// errNoAuthenticator: the flow names an authenticator the account no
// longer has (removed in another tab, say).
var errNoAuthenticator = errors.New("selfservice: no such authenticator")
