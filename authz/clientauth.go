package authz

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/ory/fosite"
	"github.com/ory/fosite/token/jwt"

	"foyer/authz/fositestore"
)

// clientAssertionType is RFC 7523's client assertion type, the only one
// Foyer accepts (private_key_jwt).
const clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxAssertionLifetime bounds a client assertion's exp: its jti is kept
// until then, so a far-off exp would keep a row for years (and one past
// year 9999 breaks PostgreSQL's timestamps). fosite sets no bound.
const maxAssertionLifetime = 10 * time.Minute

// expiresSoon reports whether the assertion's exp (read without checking
// the signature, which fosite does next) is no later than the bound.
// Anything unreadable passes through to fosite, which refuses it properly.
func expiresSoon(assertion string, now time.Time) bool {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return true
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return true
	}
	var claims struct {
		Exp json.Number `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp == "" {
		return true
	}
	exp, err := claims.Exp.Float64()
	return err == nil && exp <= float64(now.Add(maxAssertionLifetime).Unix())
}

// clientAuthentication is fosite's client authentication with RFC 7523's
// error codes: every failure to authenticate with a client assertion is
// invalid_client (RFC 7523 section 3.2, RFC 6749 section 5.2). fosite
// answers a replayed jti with its own jti_known and an assertion signed
// by a key the client never registered with invalid_request; an expired
// assertion surfaces as an untyped error (a 500).
func clientAuthentication(p *fosite.Fosite) fosite.ClientAuthenticationStrategy {
	return func(ctx context.Context, r *http.Request, form url.Values) (fosite.Client, error) {
		if assertion := form.Get("client_assertion"); assertion != "" && !expiresSoon(assertion, time.Now()) {
			return nil, fosite.ErrInvalidClient.WithHintf("A client assertion must expire within %s.", maxAssertionLifetime)
		}
		assertion := form.Get("client_assertion_type") == clientAssertionType && form.Get("client_assertion") != ""
		if assertion {
			ctx = markOperatorJWKSURI(ctx, p.Store, form)
		}
		c, err := p.DefaultClientAuthenticationStrategy(ctx, r, form)
		if err == nil || !assertion {
			return c, err
		}
		var rfc *fosite.RFC6749Error
		var invalidJWT *jwt.ValidationError
		switch {
		case errors.Is(err, errJWKSUnavailable):
			return nil, err // already errAssertionUnverified
		case errors.As(err, &invalidJWT):
			// A malformed assertion or a bad signature.
			return nil, errAssertionUnverified(err)
		case !errors.As(err, &rfc):
			// fosite passes the claims check's errors on untyped (an
			// expired or not yet valid assertion).
			return nil, fosite.ErrInvalidClient.WithHintf("The client assertion is not valid: %s.", err).WithWrap(err)
		case errors.Is(err, fosite.ErrJTIKnown):
			return nil, fosite.ErrInvalidClient.WithHint("The client assertion's jti was already used.").WithWrap(err)
		case errors.Is(err, fosite.ErrInvalidRequest):
			// No key in the client's set fits the assertion.
			return nil, errAssertionUnverified(err)
		}
		return nil, err
	}
}

// errAssertionUnverified is the one answer for an assertion whose
// signature could not be checked, whatever the reason: the client's key
// set could not be fetched, held no fitting key, or the signature is
// wrong. Distinct texts would let an anonymous caller who registered a
// jwks_uri learn what answers at that address.
func errAssertionUnverified(cause error) error {
	return fosite.ErrInvalidClient.WithHint("The client assertion could not be verified.").WithWrap(cause).WithDebug(cause.Error())
}

// markOperatorJWKSURI looks up the client the assertion names (as fosite
// will: client_id, else the unverified sub claim) and, if an operator
// registered it, marks its jwks_uri as one the fetcher may dial anywhere.
// Any doubt leaves the request unmarked, and so guarded.
func markOperatorJWKSURI(ctx context.Context, store fosite.ClientManager, form url.Values) context.Context {
	id := form.Get("client_id")
	if id == "" {
		id = unverifiedSubject(form.Get("client_assertion"))
	}
	if id == "" {
		return ctx
	}
	fc, err := store.GetClient(ctx, id)
	if err != nil {
		return ctx // fosite looks again and answers
	}
	c, ok := fc.(*fositestore.Client)
	if !ok || c.Storage().RegistrationTokenHash != nil || c.Storage().JWKSURI == "" {
		return ctx
	}
	return withOperatorJWKSURI(ctx, c.Storage().JWKSURI)
}

// unverifiedSubject is the sub claim of a compact JWT, unverified: it only
// picks which client to look up.
func unverifiedSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var claims struct {
		Sub any `json:"sub"`
	}
	if json.Unmarshal(raw, &claims) != nil {
		return ""
	}
	sub, _ := claims.Sub.(string)
	return sub
}
