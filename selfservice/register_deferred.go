package selfservice

import (
	"context"
	"errors"
	"fmt"

	"foyer/selfservice/notify"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

// runRegistration creates the pending account and queues its activation
// link in one transaction with the row's deletion, so a retry neither
// sends twice nor mistakes its own account for someone else's. A taken
// identifier goes to registerExisting instead.
func (h *Handler) runRegistration(ctx context.Context, j *deferredJob) error {
	form := registerForm{Email: j.p.Email, Username: j.p.Username, Phone: j.p.Phone, Attributes: j.p.Attributes}
	var acct *storage.Account
	done, err := h.inTx(ctx, j, func(tx context.Context) error {
		var err error
		if acct, err = h.insertAccount(tx, j.app.StoreID, j.p.Lang, form, j.p.PasswordHash, storage.AccountPending, j.p.Accepted); err != nil {
			return err
		}
		return h.issueActivation(tx, j.p.Interaction, j.p.Lang, j.app, j.pol, acct)
	})
	switch {
	case errors.Is(err, storage.ErrConflict):
		return h.registerExisting(ctx, j)
	case err != nil:
		return err
	case done:
		h.eventFor(ctx, j, acct.ID, "account.registered")
	}
	return nil
}

// registerExisting handles a registration with a taken identifier, which
// got the same page as a new one. Only the typed address is written to:
// its account's owner learns someone tried to sign up (at most once per
// regulate.SignupNotice window, since anyone can type the address again and
// again); when the address is free (the username or phone number is
// taken) its owner, the registrant, learns to choose another. The holder
// of the username or phone is never told.
func (h *Handler) registerExisting(ctx context.Context, j *deferredJob) error {
	owner, err := h.store.FindAccountByIdentifier(ctx, j.app.StoreID, storage.IdentifierEmail, j.p.Email)
	if errors.Is(err, storage.ErrNotFound) {
		// Anyone can type any address: regulate.SignupNotice, counted in
		// the database (the address has no account to hang a throttle on)
		// and in the transaction, so a retried run counts once.
		now := h.cfg.Now().UTC()
		_, err = h.inTx(ctx, j, func(tx context.Context) error {
			notice, err := h.limits.Attempt(tx, regulate.SignupNotice.Key(j.p.Email), now)
			if err != nil {
				return fmt.Errorf("selfservice: count notices: %w", err)
			}
			if notice.Exceeded() {
				return errHeld
			}
			_, err = h.notify.Email(tx, j.p.Email, "", "notice", j.p.Lang, branding(j.app), notify.NoticeEmail{
				Title: "email.signup_identifier_taken.title", Paragraphs: []string{"email.signup_identifier_taken.body"},
				Template: "signup_identifier_taken",
			})
			return err
		})
		if errors.Is(err, errHeld) {
			return h.deferredDone(ctx, j)
		}
		return err
	}
	if err != nil {
		return fmt.Errorf("selfservice: find existing account: %w", err)
	}
	pol := j.pol
	pol.ReRequestInterval = max(pol.ReRequestInterval, regulate.SignupNotice.Window())
	sent, err := h.sendOnce(ctx, j, pol, owner.ID, purposeSignupAttempt, "email", func(tx context.Context) error {
		_, err := h.notify.Email(tx, owner.Email, owner.ID, "signup_attempt_existing", j.p.Lang,
			branding(j.app), notify.SignupAttemptEmail{Link: h.portalSignInLink(j.client, owner)})
		return err
	})
	if sent {
		h.eventFor(ctx, j, owner.ID, "account.signup_attempt_existing")
	}
	return err
}
