package selfservice

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// mfaLockTiers are the growing delays of the MFA lockout: more than Max
// tries of one method within Window lock it until enough of them age out,
// so five quick misses cost minutes and twenty cost a day. The tries live
// in the database, so the lock holds on every node.
var mfaLockTiers = []struct {
	Max    int
	Window time.Duration
}{
	{5, 5 * time.Minute},
	{10, time.Hour},
	{20, 24 * time.Hour},
}

func mfaLockKey(accountID, method string) string {
	sum := sha256.Sum256([]byte("mfa\x00" + accountID + "\x00" + method))
	return hex.EncodeToString(sum[:])
}

// mfaTry counts a try of the method before the answer is checked (so
// parallel guesses get no extra tries) and reports whether the method is
// locked.
func (h *Handler) mfaTry(ctx context.Context, accountID, method string) (bool, error) {
	now := h.cfg.Now().UTC()
	longest := mfaLockTiers[len(mfaLockTiers)-1].Window
	key := mfaLockKey(accountID, method)
	if _, err := h.store.RecordLoginAttempt(ctx, key, now, now); err != nil {
		return false, fmt.Errorf("selfservice: record MFA try: %w", err)
	}
	tries, err := h.store.ListLoginAttempts(ctx, key, now.Add(-longest))
	if err != nil {
		return false, fmt.Errorf("selfservice: list MFA tries: %w", err)
	}
	for _, tier := range mfaLockTiers {
		n := 0
		for _, at := range tries {
			if !at.Before(now.Add(-tier.Window)) {
				n++
			}
		}
		if n > tier.Max {
			return true, nil
		}
	}
	return false, nil
}

// mfaSucceeded forgets the method's tries.
func (h *Handler) mfaSucceeded(ctx context.Context, accountID, method string) error {
	if err := h.store.ClearLoginAttempts(ctx, mfaLockKey(accountID, method)); err != nil {
		return fmt.Errorf("selfservice: clear MFA tries: %w", err)
	}
	return nil
}
