package authz

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/oauth2"

	"foyer/authz/fositestore"
)

// AccessTokenFormatJWT is the client setting (storage.Client.AccessTokenFormat)
// that selects RFC 9068 JWT access tokens; anything else means opaque.
const AccessTokenFormatJWT = "jwt"

// accessTokenType is the JOSE "typ" RFC 9068 section 2.1 requires, so a
// JWT access token cannot be mistaken for an ID token.
const accessTokenType = "at+jwt"

// tokenStrategy is fosite's core strategy with the access-token format
// chosen per client: clients registered with AccessTokenFormat "jwt" get
// signed RFC 9068 tokens, every other client opaque HMAC tokens. Refresh
// tokens and authorization codes are always HMAC (embedded CoreStrategy).
//
// fosite's DefaultJWTStrategy is not used: it verifies tokens with the
// current signing key only, so a JWT access token would stop working at the
// first key rotation, and it offers no per-client choice.
type tokenStrategy struct {
	oauth2.CoreStrategy
	jwt *jwtAccessTokens
}

// isJWT tells the formats apart by shape: a compact JWS has three
// dot-separated parts, fosite's HMAC tokens ("ory_at_KEY.SIG") two. Only
// the token is known where fosite asks for a signature, not the client.
func isJWT(token string) bool { return strings.Count(token, ".") == 2 }

// wantsJWT reports whether the client asked for JWT access tokens.
func wantsJWT(c fosite.Client) bool {
	fc, ok := c.(*fositestore.Client)
	return ok && fc.Storage().AccessTokenFormat == AccessTokenFormatJWT
}

func (s *tokenStrategy) AccessTokenSignature(ctx context.Context, token string) string {
	if isJWT(token) {
		return jwtSignature(token)
	}
	return s.CoreStrategy.AccessTokenSignature(ctx, token)
}

func (s *tokenStrategy) GenerateAccessToken(ctx context.Context, r fosite.Requester) (string, string, error) {
	if wantsJWT(r.GetClient()) {
		return s.jwt.generate(ctx, r)
	}
	return s.CoreStrategy.GenerateAccessToken(ctx, r)
}

// ValidateAccessToken is called after the token's record was found by its
// signature. For a JWT that signature is a digest of the whole token, so
// the record proves Foyer issued exactly this token; what remains is its
// expiry, kept in the stored session as for opaque tokens. Not re-verifying
// the JWS keeps a token valid across key rotations for its whole life, and
// revocation works because deleting the record is enough.
func (s *tokenStrategy) ValidateAccessToken(ctx context.Context, r fosite.Requester, token string) error {
	if !isJWT(token) {
		return s.CoreStrategy.ValidateAccessToken(ctx, r, token)
	}
	exp := r.GetSession().GetExpiresAt(fosite.AccessToken)
	if exp.IsZero() {
		exp = r.GetRequestedAt().Add(s.jwt.lifespan)
	}
	if !s.jwt.now().Before(exp) {
		return fosite.ErrTokenExpired.WithHintf("Access token expired at '%s'.", exp.UTC().Format(time.RFC3339))
	}
	return nil
}

// jwtSignature is the key a JWT access token is stored under: the
// SHA-256 of the whole token, not its JWS signature, so that a token whose
// header or payload was altered finds no record (and the key stays short).
func jwtSignature(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// jwtAccessTokens issues RFC 9068 access tokens signed with the RS256
// signing key (the keys the JWKS publishes).
type jwtAccessTokens struct {
	keys     Keys
	issuer   string
	lifespan time.Duration // fallback when the session carries no expiry
	now      func() time.Time
}

func (j *jwtAccessTokens) generate(ctx context.Context, r fosite.Requester) (string, string, error) {
	claims, err := accessTokenClaims(j.issuer, r, j.now(), j.lifespan)
	if err != nil {
		return "", "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", "", errorf("encode access token claims: %w", err)
	}
	key, err := j.keys.Signer(ctx, string(jose.RS256))
	if err != nil {
		return "", "", errorf("access token signing key: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(key.Algorithm), Key: key},
		(&jose.SignerOptions{}).WithType(accessTokenType))
	if err != nil {
		return "", "", errorf("access token signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", "", errorf("sign access token: %w", err)
	}
	token, err := obj.CompactSerialize()
	if err != nil {
		return "", "", errorf("serialize access token: %w", err)
	}
	return token, jwtSignature(token), nil
}

// accessTokenClaims are the RFC 9068 section 2.2 claims. Without a user
// (client credentials) the subject is the client itself; without a granted
// audience the token is for the client, as RFC 9068 leaves aud to the
// authorization server.
func accessTokenClaims(issuer string, r fosite.Requester, now time.Time, lifespan time.Duration) (map[string]any, error) {
	clientID := r.GetClient().GetID()
	sess := r.GetSession()
	jti, err := randomID(16)
	if err != nil {
		return nil, err
	}
	exp := sess.GetExpiresAt(fosite.AccessToken)
	if exp.IsZero() {
		exp = now.Add(lifespan)
	}
	c := map[string]any{
		"iss": issuer, "sub": clientID, "aud": clientID,
		"exp": exp.Unix(), "iat": now.Unix(), "jti": jti,
		"client_id": clientID, "scope": strings.Join(r.GetGrantedScopes(), " "),
	}
	if aud := r.GetGrantedAudience(); len(aud) == 1 {
		c["aud"] = aud[0]
	} else if len(aud) > 1 {
		c["aud"] = []string(aud)
	}
	if sub := sess.GetSubject(); sub != "" {
		c["sub"] = sub
		addAuthenticationClaims(c, sess)
		orgClaimsOf(c, sess)
	}
	return c, nil
}

// addAuthenticationClaims copies how the user signed in (RFC 9068 section
// 2.2.1) from the grant's ID token claims.
func addAuthenticationClaims(c map[string]any, sess fosite.Session) {
	s, ok := sess.(*Session)
	if !ok || s.DefaultSession == nil || s.Claims == nil {
		return
	}
	if !s.Claims.AuthTime.IsZero() {
		c["auth_time"] = s.Claims.AuthTime.Unix()
	}
	if s.Claims.AuthenticationContextClassReference != "" {
		c["acr"] = s.Claims.AuthenticationContextClassReference
	}
	if len(s.Claims.AuthenticationMethodsReferences) > 0 {
		c["amr"] = s.Claims.AuthenticationMethodsReferences
	}
}

var _ oauth2.CoreStrategy = (*tokenStrategy)(nil)
