package portal

import (
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"foyer/selfservice/mfa"
	"foyer/selfservice/notify"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

// contactChange is what a contact-change secret remembers.
type contactChange struct {
	Value string `json:"v"`
	Salt  string `json:"s"`
}

func changePurpose(kind string) string { return "portal_change_" + kind }

// startContactChange stores the new address pending and sends a code to
// it. When another account of the store already holds the address, the
// pending change is stored just the same but the code goes to nobody: the
// page answers exactly as for a free address, so the form cannot be used
// to find out who has an account, and the change can never be confirmed.
//
// saveProfile has checked the re-request interval (contactWait) before
// saving anything.
func (h *Handler) startContactChange(w http.ResponseWriter, r *http.Request, v *viewer, kind, value string) error {
	ctx := r.Context()
	pol, err := h.contactPolicy(r, v)
	if err != nil {
		return err
	}
	now := h.cfg.Now().UTC()
	taken, err := h.heldByOther(ctx, v, kind, value)
	if err != nil {
		return err
	}
	code, err := mfa.NewCode()
	if err != nil {
		return err
	}
	salt := randomToken()
	data, _ := json.Marshal(contactChange{Value: value, Salt: salt})
	sec := &storage.OneTimeSecret{Purpose: changePurpose(kind), Hash: mfa.CodeHash(salt, code), AccountID: v.Account.ID,
		Data: string(data), CreatedAt: now.UTC(), ExpiresAt: now.Add(pol.OneTimeCodeLifetime)}
	if err := h.store.CreateOneTimeSecret(ctx, sec); err != nil {
		return err
	}
	if !taken {
		if err := h.sendCode(ctx, v, kind, value, code, pol.OneTimeCodeLifetime.Minutes()); err != nil {
			return err
		}
	}
	h.event(r, v, "account."+kind+"_change_requested", nil)
	h.done(w, r, profileRoute, "code_sent")
	return nil
}

// contactPolicy is the self-service policy of a contact change (code
// lifetime, re-request interval): the portal application's, as for the
// password (portalApp), whichever application's look the portal wears.
func (h *Handler) contactPolicy(r *http.Request, v *viewer) (storage.SelfServicePolicy, error) {
	own, err := h.portalApp(r, v)
	if err != nil {
		return storage.SelfServicePolicy{}, err
	}
	return own.SelfService.WithDefaults(), nil
}

// contactWait is how long the account must still wait before another
// code for a change of kind may be sent (the self-service policy's
// re-request interval since the last one); 0: now.
func (h *Handler) contactWait(r *http.Request, v *viewer, kind string) (time.Duration, error) {
	pol, err := h.contactPolicy(r, v)
	if err != nil {
		return 0, err
	}
	latest, err := h.store.LatestOneTimeSecret(r.Context(), v.Account.ID, changePurpose(kind))
	if errors.Is(err, storage.ErrNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	if wait := latest.CreatedAt.Add(pol.ReRequestInterval).Sub(h.cfg.Now()); wait > 0 {
		return wait, nil
	}
	return 0, nil
}

func (h *Handler) heldByOther(ctx context.Context, v *viewer, kind, value string) (bool, error) {
	other, err := h.store.FindAccountByIdentifier(ctx, v.Account.StoreID, storage.IdentifierType(kind), value)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return other.ID != v.Account.ID, nil
}

func (h *Handler) sendCode(ctx context.Context, v *viewer, kind, to, code string, minutes float64) error {
	if kind == "email" {
		_, err := h.notify.Email(ctx, to, v.Account.ID, "account_code", v.Lang, brandingOf(v.App),
			notify.AccountCodeEmail{Code: code, Minutes: int(minutes)})
		return err
	}
	values := map[string]string{"code": code, "minutes": strconv.Itoa(int(minutes))}
	_, err := h.notify.SMSFor(ctx, to, v.Account.ID, "account_code", v.Lang, brandingOf(v.App), values, h.render.T(v.Lang, "account.sms_code", brandingOf(v.App).AppName, code))
	return err
}

// pendingChange is the address waiting for its code, or "".
func (h *Handler) pendingChange(ctx context.Context, accountID, kind string) string {
	sec, err := h.store.LatestOneTimeSecret(ctx, accountID, changePurpose(kind))
	if err != nil || sec.UsedAt != nil || !h.cfg.Now().Before(sec.ExpiresAt) {
		return ""
	}
	var c contactChange
	if json.Unmarshal([]byte(sec.Data), &c) != nil {
		return ""
	}
	return c.Value
}

// confirmContact checks the code and, when it is right, makes the pending
// address the account's (confirmed) and tells the old one.
func (h *Handler) confirmContact(w http.ResponseWriter, r *http.Request, v *viewer) error {
	kind := r.PostFormValue("kind")
	if kind != "email" && kind != "phone" {
		h.notFound(w, r)
		return nil
	}
	ctx := r.Context()
	fail := func(key string) {
		h.renderProfile(w, r, v, http.StatusUnprocessableEntity, v.Account.Attributes, v.Account.Email, v.Account.Phone,
			map[string]string{"code": key})
	}
	now := h.cfg.Now().UTC()
	sec, err := h.store.LatestOneTimeSecret(ctx, v.Account.ID, changePurpose(kind))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (sec.UsedAt != nil || !now.Before(sec.ExpiresAt))) {
		fail("account.profile.code_invalid")
		return nil
	} else if err != nil {
		return err
	}
	var c contactChange
	if err := json.Unmarshal([]byte(sec.Data), &c); err != nil {
		return fmt.Errorf("portal: contact change data: %w", err)
	}
	// Counted before comparing (regulate.ContactCode).
	attempt, err := h.limits.AttemptSince(ctx, regulate.ContactCode.Key(sec.ID), now, sec.CreatedAt)
	if err != nil {
		return err
	}
	if attempt.Exceeded() {
		fail("account.profile.code_spent")
		return nil
	}
	if !hmac.Equal(mfa.CodeHash(c.Salt, r.PostFormValue("code")), sec.Hash) {
		fail("account.profile.code_invalid")
		return nil
	}
	if _, err := h.store.UseOneTimeSecret(ctx, sec.Purpose, sec.Hash, now); err != nil {
		fail("account.profile.code_invalid")
		return nil //nolint:nilerr // a used or raced code is answered on the page
	}
	return h.applyContact(w, r, v, kind, c.Value, fail)
}

func (h *Handler) applyContact(w http.ResponseWriter, r *http.Request, v *viewer, kind, value string, fail func(string)) error {
	updated := *v.Account
	old := v.Account.Email
	if kind == "email" {
		updated.Email, updated.EmailConfirmed, updated.EmailUnproven = value, true, false
	} else {
		old = v.Account.Phone
		updated.Phone, updated.PhoneConfirmed = value, true
	}
	if err := h.store.UpdateAccountProfile(r.Context(), &updated); errors.Is(err, storage.ErrConflict) {
		fail("account.profile.contact_unavailable")
		return nil
	} else if err != nil {
		return err
	}
	// Reset links and codes sent to the previous address or number must
	// not set a password once it is no longer the account's.
	if err := storage.SpendPasswordResets(r.Context(), h.store, v.Account.ID, h.cfg.Now().UTC()); err != nil {
		return err
	}
	if old != "" {
		if err := h.tellOldContact(r.Context(), v, kind, old); err != nil {
			h.log.WarnContext(r.Context(), "portal: contact-changed notice", "err", err)
		}
	}
	h.event(r, v, "account."+kind+"_changed", nil)
	h.done(w, r, profileRoute, "contact_changed")
	return nil
}

// tellOldContact lets the previous address know, so a takeover by someone
// who got into the account does not go unnoticed.
func (h *Handler) tellOldContact(ctx context.Context, v *viewer, kind, old string) error {
	if kind == "email" {
		_, err := h.notify.Email(ctx, old, v.Account.ID, "account_contact_changed", v.Lang, brandingOf(v.App), notify.ContactChangedEmail{})
		return err
	}
	_, err := h.notify.SMSFor(ctx, old, v.Account.ID, "account_contact_changed", v.Lang, brandingOf(v.App), nil, h.render.T(v.Lang, "account.sms_phone_changed", brandingOf(v.App).AppName))
	return err
}
