package authz

import (
	"context"
	"fmt"
	"slices"

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

// ClaimNamer is a ClaimSource that names every claim it may set. A
// refresh asks such sources again: the ID token it issues must not keep a
// claim the source no longer gives (a revoked identity verification) nor
// an outdated value. Claims of sources that name none stay as they were
// issued at authorization.
type ClaimNamer interface {
	ClaimNames() []string
}

// refreshSourcedClaims replaces, in a refreshed grant's session, the
// claims of every ClaimNamer source with what the sources say now.
func (h *Handler) refreshSourcedClaims(ctx context.Context, ar fosite.AccessRequester) error {
	sess, ok := ar.GetSession().(*Session)
	if !ok || sess.DefaultSession == nil || sess.Claims == nil {
		return nil
	}
	var named []string
	for _, src := range h.claimSources {
		if n, ok := src.(ClaimNamer); ok {
			named = append(named, n.ClaimNames()...)
		}
	}
	if len(named) == 0 {
		return nil
	}
	acct, err := h.store.GetAccount(ctx, sess.GetSubject())
	if err != nil {
		return fosite.ErrServerError.WithWrap(fmt.Errorf("authz: refresh claims: %w", err))
	}
	fresh, err := h.sourcedClaims(ctx, acct, ar.GetClient().GetID(), ar.GetGrantedScopes())
	if err != nil {
		return fosite.ErrServerError.WithWrap(err)
	}
	if sess.Claims.Extra == nil {
		sess.Claims.Extra = map[string]any{}
	}
	for _, k := range named {
		if sess.OrgID != "" && slices.Contains(orgClaimNames, k) {
			continue // the organization's (refreshOrganization)
		}
		delete(sess.Claims.Extra, k)
		if v, ok := fresh[k]; ok {
			sess.Claims.Extra[k] = v
		}
	}
	return nil
}
