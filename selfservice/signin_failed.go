package selfservice

import (
	"context"
	"errors"
	"fmt"

	"foyer/storage"
)

// runLoginFailed (the deferred request's worker) records login.failed in
// the activity log of the account a wrong password was typed for, in one
// transaction with the row's deletion; an unknown identifier records
// nothing. Disabled and pending accounts are logged too: their owners
// should see the guesses. A burst of them is mailed to the owner
// (burstNotice).
func (h *Handler) runLoginFailed(ctx context.Context, j *deferredJob) error {
	store, err := h.store.GetIdentityStore(ctx, j.app.StoreID)
	if err != nil {
		return fmt.Errorf("selfservice: load identity store: %w", err)
	}
	kind, value := storage.ParseIdentifier(j.p.Typed)
	if !allows(store, kind) || !typedOK(j.p.Typed) {
		return h.deferredDone(ctx, j)
	}
	acct, err := h.store.FindAccountByIdentifier(ctx, store.ID, kind, value)
	if errors.Is(err, storage.ErrNotFound) {
		return h.deferredDone(ctx, j)
	}
	if err != nil {
		return fmt.Errorf("selfservice: find account: %w", err)
	}
	data := map[string]string{"user_agent": j.p.UserAgent}
	if j.p.Method != "" {
		data["method"] = j.p.Method
	}
	now := h.cfg.Now().UTC()
	_, err = h.inTx(ctx, j, func(tx context.Context) error {
		err := h.store.AppendEvent(tx, &storage.Event{
			AccountID: acct.ID, Kind: "login.failed", Actor: acct.ID, IP: j.p.IP, CreatedAt: now, Data: data,
		})
		if err != nil {
			return err
		}
		return h.burstNotice(tx, j, acct, now)
	})
	return err
}
