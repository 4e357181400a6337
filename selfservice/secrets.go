package selfservice

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"

	"foyer/storage"
)

// One-time secrets shared by every flow: making one, checking that a link
// is still usable, and the re-request throttle that holds back a new one
// while the last is fresh. The purposes are with their flows (recover.go,
// register.go, mfa_methods.go).

// purposeThrottle marks a claimed send (throttled); a purpose of its
// own, so the newest secret of the others stays the last one sent.
const purposeThrottle = "send_claim"

// throttled reports whether a message of the purpose must be held back:
// one went to the account within the re-request interval (the newest
// secret of the purpose says so), or a parallel request, perhaps on
// another node, claimed this send first. Reading the newest secret and
// then sending is not atomic, so a request that passes the read claims
// the right to follow that secret: a marker whose hash names the account,
// the channel and the secret it follows. The hash column is unique, so of
// all the requests that read the same newest secret exactly one inserts
// it. (Insert-then-count on the attempt table would not do: the n-th
// caller sees at least n, so all parallel callers may see more than one
// and none would send.) A claim whose send then failed holds the throttle
// until the marker expires and is purged.
func (h *Handler) throttled(ctx context.Context, pol storage.SelfServicePolicy, accountID, purpose, channel string) (bool, error) {
	now := h.cfg.Now().UTC()
	follows := ""
	last, err := h.store.LatestOneTimeSecret(ctx, accountID, purpose)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return false, fmt.Errorf("selfservice: latest %s secret: %w", purpose, err)
	case now.Sub(last.CreatedAt) < pol.ReRequestInterval:
		return true, nil
	default:
		follows = last.ID
	}
	sum := sha256.Sum256([]byte("throttle\x00" + purpose + "\x00" + accountID + "\x00" + channel + "\x00" + follows))
	claim := &storage.OneTimeSecret{Purpose: purposeThrottle, Hash: sum[:], AccountID: accountID,
		CreatedAt: now, ExpiresAt: now.Add(pol.ReRequestInterval), UsedAt: &now}
	err = h.store.CreateOneTimeSecret(ctx, claim)
	if errors.Is(err, storage.ErrConflict) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("selfservice: claim %s send: %w", purpose, err)
	}
	return false, nil
}

// newSecret returns a random URL-safe secret and its SHA-256.
func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("selfservice: random: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(token))
	return token, sum[:], nil
}

// secretUsable reports whether a link's token is still live, so that a
// used, expired or forged link says so when opened rather than after its
// confirmation button; only the button spends it.
func (h *Handler) secretUsable(r *http.Request, purpose, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	sum := sha256.Sum256([]byte(token))
	ok, err := h.store.OneTimeSecretUsable(r.Context(), purpose, sum[:], h.cfg.Now().UTC())
	if err != nil {
		return false, fmt.Errorf("selfservice: check %s secret: %w", purpose, err)
	}
	return ok, nil
}
