package authz

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/token/jwt"

	"foyer/authz/fositestore"
)

// IDTokenAlgorithms are the ID token signing algorithms a client may
// register (id_token_signed_response_alg); the first is the default.
var IDTokenAlgorithms = []string{string(jose.RS256), string(jose.ES256)}

// idTokenStrategy signs each ID token with the algorithm its client
// registered: fosite's openid.DefaultStrategy holds a single signer, so
// there is one per algorithm and this picks among them.
type idTokenStrategy struct {
	byAlg map[string]openid.OpenIDConnectTokenStrategy
}

// newIDTokenStrategy builds one fosite strategy per supported algorithm,
// each signing with the current key of that algorithm.
func newIDTokenStrategy(keys Keys, cfg *fosite.Config) *idTokenStrategy {
	s := &idTokenStrategy{byAlg: map[string]openid.OpenIDConnectTokenStrategy{}}
	for _, alg := range IDTokenAlgorithms {
		signer := &jwt.DefaultSigner{GetPrivateKey: func(ctx context.Context) (interface{}, error) {
			return keys.Signer(ctx, alg)
		}}
		s.byAlg[alg] = &openid.DefaultStrategy{Signer: &hintDecoder{Signer: signer, keys: keys}, Config: cfg}
	}
	return s
}

// GenerateIDToken implements openid.OpenIDConnectTokenStrategy.
func (s *idTokenStrategy) GenerateIDToken(ctx context.Context, lifespan time.Duration, r fosite.Requester) (string, error) {
	return s.byAlg[idTokenAlg(r.GetClient())].GenerateIDToken(ctx, lifespan, r)
}

// idTokenAlg is the client's registered algorithm, or RS256 (the default
// OpenID Connect requires) when it registered none or one Foyer lacks.
func idTokenAlg(c fosite.Client) string {
	if fc, ok := c.(*fositestore.Client); ok && has(IDTokenAlgorithms, fc.Storage().IDTokenSignedResponseAlg) {
		return fc.Storage().IDTokenSignedResponseAlg
	}
	return IDTokenAlgorithms[0]
}

// hintDecoder is a jwt.Signer whose Decode, which fosite uses only for
// id_token_hint, verifies against the published key the token's kid names,
// whatever its algorithm: fosite's DefaultSigner would try the current
// RS256 key alone, refusing ES256 ID tokens and those signed before a
// rotation.
type hintDecoder struct {
	jwt.Signer
	keys Keys
}

var errUnknownKID = errors.New("authz: id_token_hint signed by an unknown key")

// Decode implements jwt.Signer.
func (d *hintDecoder) Decode(ctx context.Context, token string) (*jwt.Token, error) {
	set, err := d.keys.PublicKeySet(ctx)
	if err != nil {
		return nil, errorf("key set: %w", err)
	}
	return jwt.Parse(token, func(t *jwt.Token) (interface{}, error) {
		// The same keys sign JWT access tokens and logout tokens: only an
		// ID token is an id_token_hint.
		if typ, _ := t.Header["typ"].(string); typ != "" && !strings.EqualFold(typ, "JWT") {
			return nil, errNotAnIDToken
		}
		kid, _ := t.Header["kid"].(string)
		keys := set.Key(kid)
		if kid == "" || len(keys) == 0 {
			return nil, errUnknownKID
		}
		return keys[0].Key, nil
	})
}

var errNotAnIDToken = errors.New("authz: not an ID token")

var (
	_ openid.OpenIDConnectTokenStrategy = (*idTokenStrategy)(nil)
	_ jwt.Signer                        = (*hintDecoder)(nil)
)
