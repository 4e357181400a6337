package authz

import (
	"context"
	"fmt"

	"github.com/ory/fosite"

	"foyer/storage"
)

// ClaimSource adds claims that live outside the account row — an
// account's roles per organization, its identity verification — for the
// scopes the client was granted. A source returns nothing for scopes it
// does not serve; an error is a server failure (the token or UserInfo
// request fails rather than answering without the claims).
type ClaimSource interface {
	Claims(ctx context.Context, acct *storage.Account, clientID string, scopes fosite.Arguments) (map[string]any, error)
}

// sourcedClaims merges what every claim source says for the account into
// one map; a later source does not overwrite an earlier one's claim, and
// no source may set sub.
func (h *Handler) sourcedClaims(ctx context.Context, acct *storage.Account, clientID string, scopes fosite.Arguments) (map[string]any, error) {
	out := map[string]any{}
	for _, src := range h.claimSources {
		c, err := src.Claims(ctx, acct, clientID, scopes)
		if err != nil {
			return nil, fmt.Errorf("authz: claims of %T: %w", src, err)
		}
		for k, v := range c {
			if _, taken := out[k]; taken || k == "sub" {
				continue
			}
			out[k] = v
		}
	}
	return out, nil
}
