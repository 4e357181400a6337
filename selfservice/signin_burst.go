package selfservice

import (
	"context"
	"fmt"
	"time"

	"foyer/selfservice/notify"
	"foyer/selfservice/regulate"
	"foyer/storage"
)

// burstNotice tells an account's owner that wrong passwords for it are
// piling up (regulate.FailureBurst), at most once a day
// (regulate.BurstNotice). It runs in the deferred login.failed job's
// transaction, after the page has answered, so whether an identifier has
// an account (and a mailbox) shows in no response; a retried job counts
// once. Only a confirmed address is written to: an unproven one may not
// be the owner's.
func (h *Handler) burstNotice(ctx context.Context, j *deferredJob, acct *storage.Account, now time.Time) error {
	burst, err := h.limits.Attempt(ctx, regulate.FailureBurst.Key(acct.ID), now)
	if err != nil {
		return fmt.Errorf("selfservice: count failures: %w", err)
	}
	if !burst.Reached() || acct.Email == "" || !acct.EmailConfirmed {
		return nil
	}
	notice, err := h.limits.Attempt(ctx, regulate.BurstNotice.Key(acct.ID), now)
	if err != nil {
		return fmt.Errorf("selfservice: count notices: %w", err)
	}
	if notice.Exceeded() {
		return nil
	}
	lang := acct.Language
	if lang == "" {
		lang = j.p.Lang
	}
	_, err = h.notify.Email(ctx, acct.Email, acct.ID, "failed_sign_ins", lang, branding(j.app),
		notify.FailedSignInsEmail{Link: h.portalSignInLink(j.client, acct)})
	if err != nil {
		return fmt.Errorf("selfservice: queue failure notice: %w", err)
	}
	return nil
}
