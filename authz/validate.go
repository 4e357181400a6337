package authz

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/ory/fosite"

	"foyer/storage"
)

// ErrInvalidToken is a bearer token that is unknown, expired, revoked, not
// an access token, or whose account is no longer enabled.
var ErrInvalidToken = errors.New("invalid access token")

// ValidateAccessToken checks a bearer access token for resource servers
// inside Foyer (the admin API) the way UserInfo does: a token whose use is
// not "access token" is refused, because fosite's introspection also
// accepts refresh tokens, and a refresh token is not a bearer credential.
// subject is empty for client-credentials tokens. Every problem with the
// token itself wraps ErrInvalidToken; other errors are server failures.
func (h *Handler) ValidateAccessToken(ctx context.Context, token string) (subject, clientID string, scopes []string, err error) {
	if token == "" {
		return "", "", nil, fmt.Errorf("%w: no token", ErrInvalidToken)
	}
	sess := newSession()
	use, ar, err := h.oauth.IntrospectToken(ctx, token, fosite.AccessToken, sess)
	if err != nil {
		if rfc := fosite.ErrorToRFC6749Error(err); rfc.CodeField >= http.StatusInternalServerError {
			return "", "", nil, fmt.Errorf("validate access token: %w", err)
		}
		return "", "", nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if use != fosite.AccessToken {
		return "", "", nil, fmt.Errorf("%w: a %s is not a bearer credential", ErrInvalidToken, use)
	}
	subject = sess.GetSubject()
	if subject != "" {
		// As at UserInfo: a disabled or deleted account's tokens stop working.
		acct, err := h.store.GetAccount(ctx, subject)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Status != storage.AccountEnabled) {
			return "", "", nil, fmt.Errorf("%w: the account is no longer active", ErrInvalidToken)
		}
		if err != nil {
			return "", "", nil, fmt.Errorf("validate access token: %w", err)
		}
	}
	return subject, ar.GetClient().GetID(), ar.GetGrantedScopes(), nil
}
