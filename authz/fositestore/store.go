package fositestore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/handler/pkce"
	fositestorage "github.com/ory/fosite/storage"

	"foyer/storage"
)

// Backend is what the adapter needs from storage.
type Backend interface {
	storage.Transactor
	GetClient(ctx context.Context, id string) (*storage.Client, error)
	storage.ClientAssertions
	storage.Tokens
	// RecordSessionClient notes a client taking part in an SSO session, so
	// back-channel logout reaches it even after its tokens are gone.
	RecordSessionClient(ctx context.Context, sessionID, clientID string) error
}

// SSOSession is implemented by sessions that know the SSO session they were
// issued under, so tokens can be found (and revoked) by it later.
type SSOSession interface {
	SSOSessionID() string
}

// Store implements fosite's storage over Foyer's repositories.
type Store struct {
	b             Backend
	now           func() time.Time
	clients       *clientCache
	codeSignature func(ctx context.Context, code string) string
}

// New returns the adapter. now is the clock (time.Now when nil).
// codeSignature is the authorization-code strategy's signature function:
// fosite keys a code's OpenID Connect record by the code itself, and the
// adapter files it under the code's signature instead, beside the code and
// its PKCE record (so the code is never stored in the clear, and all three
// can be read in one query).
func New(b Backend, now func() time.Time, codeSignature func(ctx context.Context, code string) string) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{b: b, now: now, clients: newClientCache(now), codeSignature: codeSignature}
}

var (
	_ fosite.Storage                     = (*Store)(nil)
	_ oauth2.CoreStorage                 = (*Store)(nil)
	_ oauth2.TokenRevocationStorage      = (*Store)(nil)
	_ openid.OpenIDConnectRequestStorage = (*Store)(nil)
	_ pkce.PKCERequestStorage            = (*Store)(nil)
	_ fositestorage.Transactional        = (*Store)(nil)
	_ fosite.PARStorage                  = (*Store)(nil)
)

// GetClient loads a client; unknown ids are fosite.ErrNotFound. Clients are
// cached for clientCacheTTL: fosite asks for the client again for every
// stored record it reads, and the token endpoint is a hot path.
func (s *Store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	if c := s.clients.get(id); c != nil {
		return c, nil
	}
	c, err := s.b.GetClient(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("fositestore: get client: %w", err)
	}
	fc := newClientAt(c, s.now)
	s.clients.put(id, fc)
	return fc, nil
}

// ClientAssertionJWTValid fails with fosite.ErrJTIKnown for a replayed jti.
func (s *Store) ClientAssertionJWTValid(ctx context.Context, jti string) error {
	known, err := s.b.ClientAssertionJTIKnown(ctx, jti)
	if err != nil {
		return fmt.Errorf("fositestore: check jti: %w", err)
	}
	if known {
		return fosite.ErrJTIKnown
	}
	return nil
}

// SetClientAssertionJWT records a jti until it expires.
func (s *Store) SetClientAssertionJWT(ctx context.Context, jti string, exp time.Time) error {
	err := s.b.UseClientAssertionJTI(ctx, jti, exp)
	if errors.Is(err, storage.ErrConflict) {
		return fosite.ErrJTIKnown
	}
	if err != nil {
		// Typed, so client authentication can tell a database failure
		// from the assertion's own (untyped) validation errors.
		return fosite.ErrServerError.WithWrap(fmt.Errorf("fositestore: record jti: %w", err))
	}
	return nil
}

// BeginTX, Commit and Rollback make the adapter fosite-transactional. A
// code exchange's transaction is deferred to Commit (exchange.go).
func (s *Store) BeginTX(ctx context.Context) (context.Context, error) {
	if xctx := beginExchange(ctx); xctx != nil {
		return xctx, nil
	}
	return s.b.BeginTx(ctx)
}

func (s *Store) Commit(ctx context.Context) error {
	if x := exchangeFrom(ctx); x != nil {
		return s.commitExchange(ctx, x)
	}
	err := s.b.Commit(ctx)
	requestFrom(ctx).settle(err == nil)
	return err
}

func (s *Store) Rollback(ctx context.Context) error {
	requestFrom(ctx).settle(false)
	if exchangeFrom(ctx) != nil {
		return nil // nothing was written
	}
	return s.b.Rollback(ctx)
}

// storedRequest is the JSON form of a fosite requester. The client is kept
// by id and loaded again, so a changed or deleted client takes effect.
type storedRequest struct {
	ID                string          `json:"id"`
	RequestedAt       time.Time       `json:"requested_at"`
	ClientID          string          `json:"client_id"`
	RequestedScope    []string        `json:"requested_scope"`
	GrantedScope      []string        `json:"granted_scope"`
	RequestedAudience []string        `json:"requested_audience"`
	GrantedAudience   []string        `json:"granted_audience"`
	Form              url.Values      `json:"form"`
	Session           json.RawMessage `json:"session"`
}

func (s *Store) create(ctx context.Context, kind storage.TokenKind, signature string, r fosite.Requester, expiry fosite.TokenType) error {
	sr, err := encodeRequest(r)
	if err != nil {
		return err
	}
	data, err := json.Marshal(sr)
	if err != nil {
		return fmt.Errorf("fositestore: encode request: %w", err)
	}
	return s.createRecord(ctx, kind, signature, r, expiry, data)
}

// encodeRequest is the stored form of r.
func encodeRequest(r fosite.Requester) (storedRequest, error) {
	sess, err := json.Marshal(r.GetSession())
	if err != nil {
		return storedRequest{}, fmt.Errorf("fositestore: encode session: %w", err)
	}
	return storedRequest{
		ID:                r.GetID(),
		RequestedAt:       r.GetRequestedAt(),
		ClientID:          r.GetClient().GetID(),
		RequestedScope:    r.GetRequestedScopes(),
		GrantedScope:      r.GetGrantedScopes(),
		RequestedAudience: r.GetRequestedAudience(),
		GrantedAudience:   r.GetGrantedAudience(),
		Form:              r.GetRequestForm(),
		Session:           sess,
	}, nil
}

// createRecord stores data, the encoded r, as one record.
func (s *Store) createRecord(ctx context.Context, kind storage.TokenKind, signature string, r fosite.Requester, expiry fosite.TokenType, data []byte) error {
	now := s.now().UTC()
	t := &storage.Token{
		Kind:      kind,
		Signature: signature,
		RequestID: r.GetID(),
		ClientID:  r.GetClient().GetID(),
		Active:    true,
		Data:      data,
		CreatedAt: now,
		ExpiresAt: expiresAt(r, expiry, now),
	}
	if sess := r.GetSession(); sess != nil {
		t.Subject = sess.GetSubject()
		if sso, ok := sess.(SSOSession); ok {
			t.SessionID = sso.SSOSessionID()
		}
	}
	requestFrom(ctx).forget(recordKey{kind, signature})
	if x := exchangeFrom(ctx); x != nil {
		x.issue(t)
		return nil
	}
	if holdBack(ctx, t) {
		return nil
	}
	if err := s.b.CreateToken(ctx, t); err != nil {
		return fmt.Errorf("fositestore: create %s: %w", kind, err)
	}
	return nil
}

// expiresAt is the record's expiry; records without one (refresh tokens
// with no lifespan) are kept for a year, after which cleanup may drop them.
func expiresAt(r fosite.Requester, tt fosite.TokenType, now time.Time) time.Time {
	if sess := r.GetSession(); sess != nil {
		if exp := sess.GetExpiresAt(tt); !exp.IsZero() {
			return exp.UTC()
		}
	}
	return now.Add(365 * 24 * time.Hour)
}

// get loads a record and rebuilds the requester into session. For an
// inactive record it returns the requester and storage.ErrInactive.
func (s *Store) get(ctx context.Context, kind storage.TokenKind, signature string, session fosite.Session) (fosite.Requester, error) {
	t, err := s.load(ctx, kind, signature)
	inactive := errors.Is(err, storage.ErrInactive)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fosite.ErrNotFound
	}
	if err != nil && !inactive {
		return nil, fmt.Errorf("fositestore: get %s: %w", kind, err)
	}
	var r *fosite.Request
	if isCodeRecord(kind) {
		r, err = s.decodeCodeRecord(ctx, recordKey{kind, signature}, t.Data, session)
	} else {
		r, err = s.decode(ctx, t.Data, session)
	}
	if err != nil {
		return nil, err
	}
	if inactive {
		return r, storage.ErrInactive
	}
	return r, nil
}

func (s *Store) decode(ctx context.Context, data []byte, session fosite.Session) (*fosite.Request, error) {
	var sr storedRequest
	if err := json.Unmarshal(data, &sr); err != nil {
		return nil, fmt.Errorf("fositestore: decode request: %w", err)
	}
	if err := decodeSession(sr.Session, session); err != nil {
		return nil, err
	}
	return s.requester(ctx, sr, session)
}

// decodeSession fills session from a stored request's session, if both
// are there.
func decodeSession(stored json.RawMessage, session fosite.Session) error {
	if session == nil || len(stored) == 0 {
		return nil
	}
	if err := json.Unmarshal(stored, session); err != nil {
		return fmt.Errorf("fositestore: decode session: %w", err)
	}
	return nil
}

// requester is the fosite request sr stores, with its client loaded.
func (s *Store) requester(ctx context.Context, sr storedRequest, session fosite.Session) (*fosite.Request, error) {
	client, err := s.GetClient(ctx, sr.ClientID)
	if err != nil {
		return nil, err
	}
	return &fosite.Request{
		ID:                sr.ID,
		RequestedAt:       sr.RequestedAt,
		Client:            client,
		RequestedScope:    sr.RequestedScope,
		GrantedScope:      sr.GrantedScope,
		RequestedAudience: sr.RequestedAudience,
		GrantedAudience:   sr.GrantedAudience,
		Form:              sr.Form,
		Session:           session,
	}, nil
}

func (s *Store) delete(ctx context.Context, kind storage.TokenKind, signature string) error {
	requestFrom(ctx).forget(recordKey{kind, signature})
	err := s.b.DeleteToken(ctx, kind, signature)
	if errors.Is(err, storage.ErrNotFound) {
		return fosite.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("fositestore: delete %s: %w", kind, err)
	}
	return nil
}
