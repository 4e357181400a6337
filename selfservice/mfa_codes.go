package selfservice

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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
	a, err := h.authenticator(r, acct.ID, f.State.MFA.Authenticator)
	if err != nil {
		return "", err
	}
	if a == nil {
		return "", errNoAuthenticator
	}
	held, err := h.signInSecretHeld(r, f, acct.ID, method)
	if err != nil || held {
		return "mfa.resend_wait", err
	}
	link := method == storage.MethodEmailLink || method == storage.MethodSMSLink
	return "mfa.sent", h.sendSignInSecret(r, f, acct, *a, method, link)
}

// signInSecretHeld is the re-request throttle of codes and links.
func (h *Handler) signInSecretHeld(r *http.Request, f *Flow, accountID, method string) (bool, error) {
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		return false, err
	}
	return h.throttled(r.Context(), pol, accountID, purposeMFACode, method)
}

// sendSignInSecret sends a sign-in code (code methods), a magic link (link
// methods), or both (a passwordless first factor) to the authenticator.
func (h *Handler) sendSignInSecret(r *http.Request, f *Flow, acct *storage.Account, a storage.Authenticator, method string, withLink bool) error {
	pol, err := h.policy(r.Context(), f.App)
	if err != nil {
		return err
	}
	d := mfaSecretData{Interaction: f.Interaction.ID, Authenticator: a.ID, Proof: proofOf(a), Method: method}
	link := method == storage.MethodEmailLink || method == storage.MethodSMSLink
	var code, linkURL string
	if !link {
		if code, err = h.storeMFACode(r, f, acct.ID, d, pol); err != nil {
			return err
		}
	}
	if withLink {
		if linkURL, err = h.storeMFALink(r, f, acct.ID, d, pol); err != nil {
			return err
		}
	}
	if err := h.deliverMFASecret(r, f, acct, a.Address, method, code, linkURL, int(pol.OneTimeCodeLifetime.Minutes())); err != nil {
		return err
	}
	h.eventData(r, acct.ID, "mfa.code_sent", map[string]string{"method": method})
	return nil
}

// storeMFACode stores a new six-digit code (salted hash) and makes it the
// flow's current one.
func (h *Handler) storeMFACode(r *http.Request, f *Flow, accountID string, d mfaSecretData, pol storage.SelfServicePolicy) (string, error) {
	code, err := newCode()
	if err != nil {
		return "", err
	}
	if d.Salt, err = newSalt(); err != nil {
		return "", err
	}
	id, err := h.storeMFASecret(r, accountID, purposeMFACode, codeHash(d.Salt, code), d, pol.OneTimeCodeLifetime)
	f.State.MFA.CodeID = id
	return code, err
}

// storeMFALink stores a new magic link and returns its URL.
func (h *Handler) storeMFALink(r *http.Request, f *Flow, accountID string, d mfaSecretData, pol storage.SelfServicePolicy) (string, error) {
	token, hash, err := newSecret()
	if err != nil {
		return "", err
	}
	if _, err := h.storeMFASecret(r, accountID, purposeMFALink, hash, d, pol.OneTimeCodeLifetime); err != nil {
		return "", err
	}
	return h.cfg.Issuer + MagicLinkPath + "?" + url.Values{"token": {token}, "interaction": {f.Interaction.ID}}.Encode(), nil
}

func (h *Handler) storeMFASecret(r *http.Request, accountID, purpose string, hash []byte, d mfaSecretData, life time.Duration) (string, error) {
	raw, err := json.Marshal(d)
	if err != nil {
		return "", fmt.Errorf("selfservice: encode MFA secret: %w", err)
	}
	now := h.cfg.Now().UTC()
	sec := &storage.OneTimeSecret{Purpose: purpose, Hash: hash, AccountID: accountID, Data: string(raw),
		CreatedAt: now, ExpiresAt: now.Add(life)}
	if err := h.store.CreateOneTimeSecret(r.Context(), sec); err != nil {
		return "", fmt.Errorf("selfservice: store %s: %w", purpose, err)
	}
	return sec.ID, nil
}

// deliverMFASecret queues the message for the method's channel.
func (h *Handler) deliverMFASecret(r *http.Request, f *Flow, acct *storage.Account, to, method, code, link string, minutes int) error {
	ctx := r.Context()
	app := branding(f.App).AppName
	var err error
	switch method {
	case storage.MethodEmailCode, storage.MethodEmailLink:
		_, err = h.notify.Email(ctx, to, acct.ID, "sign_in_code", f.Lang, branding(f.App),
			map[string]any{"Code": code, "Link": link, "Minutes": minutes})
	case storage.MethodSMSCode, storage.MethodSMSLink:
		text := h.render.T(f.Lang, "sms.sign_in_code", app, code, minutes)
		if code == "" {
			text = h.render.T(f.Lang, "sms.sign_in_link", app, link)
		} else if link != "" {
			text += "\n" + link
		}
		_, err = h.notify.SMS(ctx, to, acct.ID, "sign_in_code", text)
	case storage.MethodVoiceCode:
		// Spaced digits are read out one by one.
		spoken := strings.Join(strings.Split(code, ""), " ")
		_, err = h.notify.Voice(ctx, to, acct.ID, "sign_in_code", h.render.T(f.Lang, "voice.sign_in_code", app, spoken))
	}
	if err != nil {
		return fmt.Errorf("selfservice: queue %s: %w", method, err)
	}
	return nil
}

// authenticator is one of the account's authenticators, or nil.
func (h *Handler) authenticator(r *http.Request, accountID, id string) (*storage.Authenticator, error) {
	auths, err := h.store.ListAuthenticators(r.Context(), accountID)
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

// checkMFACode spends the flow's current code when code is right. Each try
// is counted by the caller's lockout; the fifth wrong one spends the code.
func (h *Handler) checkMFACode(r *http.Request, f *Flow, acct *storage.Account, code string) (string, error) {
	ctx := r.Context()
	now := h.cfg.Now().UTC()
	sec, err := h.store.LatestOneTimeSecret(ctx, acct.ID, purposeMFACode)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("selfservice: latest MFA code: %w", err)
	}
	var d mfaSecretData
	if sec.ID != f.State.MFA.CodeID || sec.UsedAt != nil || !now.Before(sec.ExpiresAt) ||
		json.Unmarshal([]byte(sec.Data), &d) != nil || d.Interaction != f.Interaction.ID {
		return "", nil //nolint:nilerr // not this flow's live code: a wrong answer, not a failure
	}
	n, err := h.store.RecordLoginAttempt(ctx, codeAttemptKey(sec.ID), now, sec.CreatedAt.Add(-1))
	if err != nil {
		return "", fmt.Errorf("selfservice: count code attempt: %w", err)
	}
	if n > maxCodeAttempts || !sameHash(codeHash(d.Salt, code), sec.Hash) {
		if n >= maxCodeAttempts {
			if _, err := h.store.UseOneTimeSecret(ctx, purposeMFACode, sec.Hash, now); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return "", fmt.Errorf("selfservice: spend guessed code: %w", err)
			}
		}
		return "", nil
	}
	if _, err := h.store.UseOneTimeSecret(ctx, purposeMFACode, sec.Hash, now); errors.Is(err, storage.ErrNotFound) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("selfservice: use MFA code: %w", err)
	}
	return d.Proof, nil
}

// MagicLinkPath is where sign-in links from e-mail and SMS point.
const MagicLinkPath = "/login/link"

// showMagicLink asks for a click before the link is spent, so a mail
// scanner that prefetches links spends nothing.
func (h *Handler) showMagicLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ok, err := h.secretUsable(r, purposeMFALink, q.Get("token"))
	if err != nil {
		h.serverError(w, r, err)
		return
	}
	if !ok {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_invalid")
		return
	}
	f := h.waitingFlow(r, q.Get("interaction"))
	if f == nil {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return
	}
	h.renderStep(w, r, f, View{Template: "recover", Data: map[string]any{
		"Mode": "confirm", "Title": "mfa.link_title", "Intro": "mfa.link_intro",
		"Submit": "mfa.link_submit", "Action": MagicLinkPath, "Hidden": map[string]string{"token": q.Get("token")},
	}})
}

// useMagicLink spends the link and continues the sign-in it belongs to,
// only in the browser that started it.
func (h *Handler) useMagicLink(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	sum := sha256.Sum256([]byte(token))
	sec, err := h.store.UseOneTimeSecret(r.Context(), purposeMFALink, sum[:], h.cfg.Now().UTC())
	if errors.Is(err, storage.ErrNotFound) || token == "" {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_invalid")
		return
	}
	if err != nil {
		h.serverError(w, r, fmt.Errorf("selfservice: use sign-in link: %w", err))
		return
	}
	var d mfaSecretData
	_ = json.Unmarshal([]byte(sec.Data), &d)
	f := h.waitingFlow(r, d.Interaction)
	if f == nil || f.State.Current >= len(f.State.Steps) {
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return
	}
	// A link proves the factor its message went to, once: at the MFA step
	// only when a link method was picked and that factor was not the first
	// one (the link of a passwordless message must not double as the
	// second factor), and for passwordless only an enabled account.
	switch step := f.State.Steps[f.State.Current]; {
	case step == stepMFA && f.State.AccountID == sec.AccountID && d.Method == f.State.MFA.Method &&
		!containsString(f.State.MFA.Proofs, d.Proof):
		h.eventData(r, sec.AccountID, "mfa.succeeded", map[string]string{"method": d.Method})
		h.proved(f, d.Method, d.Proof)
	case step == stepPasswordless && f.State.MFA.Candidate == sec.AccountID && h.enabled(r, sec.AccountID):
		h.passwordlessProved(r, f, sec.AccountID, d.Method, d.Proof)
	default:
		h.errorPage(w, r, http.StatusBadRequest, "mfa.link_other_browser")
		return
	}
	if err := h.spendSignInSecrets(r.Context(), sec.AccountID); err != nil {
		h.serverError(w, r, err)
		return
	}
	f.State.Current = len(f.State.Steps)
	h.complete(w, r, f)
}

// enabled reports whether the account may sign in.
func (h *Handler) enabled(r *http.Request, accountID string) bool {
	acct, err := h.store.GetAccount(r.Context(), accountID)
	return err == nil && acct.Status == storage.AccountEnabled
}

// spendSignInSecrets drops the account's outstanding sign-in codes and
// links once one of them worked: the code and link of one message, or a
// code asked for twice, must not prove anything again.
func (h *Handler) spendSignInSecrets(ctx context.Context, accountID string) error {
	for _, purpose := range []string{purposeMFACode, purposeMFALink} {
		if _, err := h.store.DeleteOneTimeSecrets(ctx, accountID, purpose); err != nil {
			return fmt.Errorf("selfservice: spend sign-in secrets: %w", err)
		}
	}
	return nil
}
