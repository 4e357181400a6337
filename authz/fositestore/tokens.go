package fositestore

import (
	"context"
	"errors"
	"fmt"

	"github.com/ory/fosite"

	"foyer/storage"
)

func (s *Store) CreateAuthorizeCodeSession(ctx context.Context, signature string, r fosite.Requester) error {
	if err := s.create(ctx, storage.TokenAuthorizeCode, signature, r, fosite.AuthorizeCode); err != nil {
		return err
	}
	// Issuing a code under an SSO session is the moment a client joins it.
	sso, ok := r.GetSession().(SSOSession)
	if !ok || sso.SSOSessionID() == "" {
		return nil
	}
	if holdBackSessionClient(ctx, sso.SSOSessionID(), r.GetClient().GetID()) {
		return nil // written with the code (FlushInserts)
	}
	if err := s.b.RecordSessionClient(ctx, sso.SSOSessionID(), r.GetClient().GetID()); err != nil {
		return fmt.Errorf("fositestore: record session client: %w", err)
	}
	return nil
}

// GetAuthorizeCodeSession returns the requester together with
// fosite.ErrInvalidatedAuthorizeCode for a used code, as fosite requires, so
// that it can revoke the tokens issued from it.
func (s *Store) GetAuthorizeCodeSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, err := s.get(ctx, storage.TokenAuthorizeCode, signature, session)
	if errors.Is(err, storage.ErrInactive) {
		return r, fosite.ErrInvalidatedAuthorizeCode
	}
	return r, err
}

func (s *Store) InvalidateAuthorizeCodeSession(ctx context.Context, signature string) error {
	err := s.useCode(ctx, signature)
	if errors.Is(err, storage.ErrNotFound) {
		// Lost a race with a concurrent exchange of the same code.
		return fosite.ErrInvalidatedAuthorizeCode
	}
	if err != nil {
		return fmt.Errorf("fositestore: invalidate code: %w", err)
	}
	return nil
}

func (s *Store) CreateAccessTokenSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, storage.TokenAccess, signature, r, fosite.AccessToken)
}

func (s *Store) GetAccessTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, err := s.get(ctx, storage.TokenAccess, signature, session)
	if errors.Is(err, storage.ErrInactive) {
		return r, fosite.ErrInactiveToken
	}
	return r, err
}

func (s *Store) DeleteAccessTokenSession(ctx context.Context, signature string) error {
	return s.delete(ctx, storage.TokenAccess, signature)
}

func (s *Store) CreateRefreshTokenSession(ctx context.Context, signature, _ string, r fosite.Requester) error {
	return s.create(ctx, storage.TokenRefresh, signature, r, fosite.RefreshToken)
}

// GetRefreshTokenSession returns a rotated (inactive) token's requester with
// fosite.ErrInactiveToken, which makes fosite revoke the whole family: a
// refresh token presented twice has leaked.
func (s *Store) GetRefreshTokenSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	r, err := s.get(ctx, storage.TokenRefresh, signature, session)
	if errors.Is(err, storage.ErrInactive) {
		return r, fosite.ErrInactiveToken
	}
	return r, err
}

// DeleteRefreshTokenSession is fosite's first step on a reused refresh
// token, before it revokes the family. A concurrent reuse of the same
// token may have deleted it already: that is no failure (fosite would
// answer invalid_request and ask for a retry), the family is revoked all
// the same and the client hears invalid_grant.
func (s *Store) DeleteRefreshTokenSession(ctx context.Context, signature string) error {
	err := s.delete(ctx, storage.TokenRefresh, signature)
	if errors.Is(err, fosite.ErrNotFound) {
		return nil
	}
	return err
}

// RotateRefreshToken deactivates the presented refresh token (atomically: of
// two concurrent refreshes with one token only one wins) and drops the access
// tokens issued before it.
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	requestFrom(ctx).forget(recordKey{storage.TokenRefresh, signature})
	err := s.b.DeactivateToken(ctx, storage.TokenRefresh, signature)
	if errors.Is(err, storage.ErrNotFound) {
		return fosite.ErrSerializationFailure
	}
	if err != nil {
		return fmt.Errorf("fositestore: rotate refresh token: %w", err)
	}
	if _, err := s.b.RevokeTokensByRequestID(ctx, storage.TokenAccess, requestID); err != nil {
		return fmt.Errorf("fositestore: revoke rotated access tokens: %w", err)
	}
	return nil
}

func (s *Store) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.revokeFamily(ctx, storage.TokenRefresh, requestID)
}

func (s *Store) RevokeAccessToken(ctx context.Context, requestID string) error {
	return s.revokeFamily(ctx, storage.TokenAccess, requestID)
}

func (s *Store) revokeFamily(ctx context.Context, kind storage.TokenKind, requestID string) error {
	n, err := s.b.RevokeTokensByRequestID(ctx, kind, requestID)
	if err != nil {
		return fmt.Errorf("fositestore: revoke %s family: %w", kind, err)
	}
	if n == 0 {
		return fosite.ErrNotFound
	}
	return nil
}

func (s *Store) CreateOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) error {
	return s.create(ctx, storage.TokenOIDC, s.codeSignature(ctx, code), r, fosite.AuthorizeCode)
}

func (s *Store) GetOpenIDConnectSession(ctx context.Context, code string, r fosite.Requester) (fosite.Requester, error) {
	got, err := s.get(ctx, storage.TokenOIDC, s.codeSignature(ctx, code), r.GetSession())
	if errors.Is(err, storage.ErrInactive) {
		return got, fosite.ErrNotFound
	}
	return got, err
}

func (s *Store) DeleteOpenIDConnectSession(ctx context.Context, code string) error {
	return s.deleteCompanion(ctx, storage.TokenOIDC, s.codeSignature(ctx, code))
}

func (s *Store) CreatePKCERequestSession(ctx context.Context, signature string, r fosite.Requester) error {
	return s.create(ctx, storage.TokenPKCE, signature, r, fosite.AuthorizeCode)
}

func (s *Store) GetPKCERequestSession(ctx context.Context, signature string, session fosite.Session) (fosite.Requester, error) {
	return s.get(ctx, storage.TokenPKCE, signature, session)
}

func (s *Store) DeletePKCERequestSession(ctx context.Context, signature string) error {
	return s.deleteCompanion(ctx, storage.TokenPKCE, signature)
}
